#pragma once
// Dense kernels shared by the PCA, ridge, PLS and cvPCA code of the encoding module: input checks,
// exact column means, centred Gram matrices and products computed in fixed tiles (so results are
// the same to the last bit for any number of threads), a symmetric eigensolver and the sign
// convention of components.

#include <Eigen/Core>

namespace visalign::encoding {

/// Dense kernels shared by the PCA, ridge, PLS and cvPCA code of this module. Every product is cut
/// into tiles of fixed size that threads (OpenMP, the caller's thread count) compute whole, in a
/// fixed order, so the result is the same to the last bit for any number of threads. A `mean` of
/// size 0 means "do not centre"; otherwise it has one entry per column of `data` and the product is
/// that of the column-centred data (centred block by block, never as a whole copy).
namespace detail {

/// std::invalid_argument "<function>: <argument> ..." for an empty matrix or a NaN/infinity (naming
/// the first such entry).
void require_finite_nonempty(const char* function, const char* argument, const Eigen::Ref<const Eigen::MatrixXd>& matrix);

/// require_finite_nonempty for features and targets (samples x features, samples x targets), and
/// std::invalid_argument unless they have the same rows.
void require_regression_inputs(const char* function, const Eigen::Ref<const Eigen::MatrixXd>& features,
                               const Eigen::Ref<const Eigen::MatrixXd>& targets);

/// Column means (size columns); a constant column's mean is exactly its value.
Eigen::VectorXd column_means(const Eigen::Ref<const Eigen::MatrixXd>& data);

/// Gram matrix of the (centred) data: data^T data (columns x columns) when over_columns, else
/// data data^T (rows x rows). Symmetric (the upper tiles are computed and mirrored).
Eigen::MatrixXd gram(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean, bool over_columns);

/// (centred data) * right: rows x right.cols(); right has data.cols() rows.
Eigen::MatrixXd times(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean,
                      const Eigen::Ref<const Eigen::MatrixXd>& right);

/// (centred data)^T * right: columns x right.cols(); right has data.rows() rows.
Eigen::MatrixXd transpose_times(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean,
                                const Eigen::Ref<const Eigen::MatrixXd>& right);

/// Eigen-decomposition of a symmetric matrix, eigenvalues in descending order (ties keep the
/// solver's order), eigenvectors as columns.
struct SymmetricEigen {
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
};
SymmetricEigen symmetric_eigen_descending(const Eigen::Ref<const Eigen::MatrixXd>& symmetric);

/// Flips the sign of each column so that its entry of largest magnitude (the first such, as
/// numpy.argmax) is positive; returns the signs applied (+1 or -1).
Eigen::VectorXd make_largest_entry_positive(Eigen::Ref<Eigen::MatrixXd> columns);

}  // namespace detail

}  // namespace visalign::encoding
