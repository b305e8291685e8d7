#include "encoding/principal_components.hpp"

#include "encoding/dense_kernels.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/Jacobi>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "rsa/random_stream.hpp"

namespace visalign::encoding {


namespace {

using Eigen::Index;

/// Sum over columns of the variance (ddof 1), two-pass per column; columns summed in order.
double total_variance_of(const Eigen::Ref<const Eigen::MatrixXd>& samples, const Eigen::VectorXd& mean) {
  const Index columns = samples.cols();
  Eigen::VectorXd variances(columns);
  const auto denominator = static_cast<double>(samples.rows() - 1);
#pragma omp parallel for schedule(static) if (samples.size() > 200000)
  for (Index column = 0; column < columns; ++column) {
    variances(column) = (samples.col(column).array() - mean(column)).square().sum() / denominator;
  }
  double total = 0;
  for (Index column = 0; column < columns; ++column) total += variances(column);
  return total;
}

/// Eigenvalues at or below this are taken as zero: the error of a Gram eigen-decomposition is about
/// size * eps * (largest eigenvalue).
double rank_tolerance(const Eigen::VectorXd& descending_values, Index size) {
  const double largest = descending_values.size() > 0 ? std::max(descending_values(0), 0.0) : 0.0;
  return largest * static_cast<double>(std::max<Index>(size, 1)) * std::numeric_limits<double>::epsilon() * 10.0;
}

/// Columns first.. of `basis` (features x k) replaced, where they are not trustworthy, by unit
/// vectors orthogonal to all columns before them (Gram-Schmidt twice; if a column is degenerate,
/// coordinate vectors in order are tried).
void complete_orthonormal(Eigen::MatrixXd& basis, Index first) {
  const Index dimension = basis.rows();
  Index next_coordinate = 0;
  for (Index column = first; column < basis.cols(); ++column) {
    Eigen::VectorXd candidate = basis.col(column);
    bool use_candidate = candidate.allFinite() && candidate.norm() > 0;
    for (;;) {
      if (!use_candidate) {
        if (next_coordinate >= dimension) throw std::logic_error("complete_orthonormal: no coordinate vector left");
        candidate = Eigen::VectorXd::Unit(dimension, next_coordinate++);
      }
      candidate.normalize();
      for (int pass = 0; pass < 2; ++pass) {
        const Eigen::VectorXd overlap = basis.leftCols(column).transpose() * candidate;
        candidate.noalias() -= basis.leftCols(column) * overlap;
      }
      const double remaining = candidate.norm();
      if (remaining > 0.1) {
        basis.col(column) = candidate / remaining;
        break;
      }
      use_candidate = false;
    }
  }
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& columns) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(columns);
  return qr.householderQ() * Eigen::MatrixXd::Identity(columns.rows(), columns.cols());
}

/// Fills explained variances (and zero tails) from Gram eigenvalues.
void set_variances(PrincipalComponents& result, const Eigen::VectorXd& values, double tolerance, Index components,
                   Index samples) {
  result.explained_variance.resize(components);
  for (Index j = 0; j < components; ++j) {
    result.explained_variance(j) = values(j) > tolerance ? values(j) / static_cast<double>(samples - 1) : 0.0;
  }
}

/// Right singular vectors from left ones: columns of (centred data)^T u_j / s_j, normalised; those
/// with s_j^2 <= tolerance are completed orthonormally.
Eigen::MatrixXd right_from_left(const Eigen::Ref<const Eigen::MatrixXd>& samples, const Eigen::VectorXd& mean,
                                const Eigen::MatrixXd& left, const Eigen::VectorXd& squared_singular_values, double tolerance) {
  Eigen::MatrixXd right = detail::transpose_times(samples, mean, left);
  Index first_degenerate = right.cols();
  for (Index j = 0; j < right.cols(); ++j) {
    if (squared_singular_values(j) <= tolerance) {
      first_degenerate = std::min(first_degenerate, j);
      continue;
    }
    const double norm = right.col(j).norm();
    if (norm > 0) right.col(j) /= norm;
  }
  complete_orthonormal(right, first_degenerate);
  return right;
}

PrincipalComponents fit_exact(const Eigen::Ref<const Eigen::MatrixXd>& samples, Index components, PrincipalComponents result) {
  const Index rows = samples.rows(), columns = samples.cols();
  if (rows >= columns) {
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(samples, result.mean, true));
    const double tolerance = rank_tolerance(eigen.values, columns);
    set_variances(result, eigen.values, tolerance, components, rows);
    result.components = eigen.vectors.leftCols(components);
  } else {
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(samples, result.mean, false));
    const double tolerance = rank_tolerance(eigen.values, rows);
    set_variances(result, eigen.values, tolerance, components, rows);
    result.components = right_from_left(samples, result.mean, eigen.vectors.leftCols(components), eigen.values.head(components), tolerance);
  }
  return result;
}

Eigen::MatrixXd gaussian_sketch(Index rows, Index columns, std::uint64_t seed) {
  Eigen::MatrixXd sketch(rows, columns);
#pragma omp parallel for schedule(static) if (rows * columns > 50000)
  for (Index column = 0; column < columns; ++column) {
    rsa::RandomStream stream(seed, static_cast<std::uint64_t>(column));
    for (Index row = 0; row < rows; ++row) sketch(row, column) = stream.normal();
  }
  return sketch;
}

PrincipalComponents fit_randomized(const Eigen::Ref<const Eigen::MatrixXd>& samples, Index components, Index sketch_size,
                                   const PcaOptions& options, PrincipalComponents result) {
  const Index rows = samples.rows(), columns = samples.cols();
  const Eigen::VectorXd& mean = result.mean;
  const Eigen::VectorXd no_mean;
  // M is the centred data oriented with its smaller side first: X_c when samples <= features (wide),
  // X_c^T otherwise. Halko et al.'s range finder: Q = orth((M M^T)^q M Omega), Omega large x sketch
  // Gaussian; Q is re-orthonormalised (Householder QR) after every multiplication by M M^T, which
  // spans the same subspace as sklearn's randomized_range_finder normalising after every half step.
  // When the small side is small enough, M M^T (the Gram matrix, small x small) is formed once and
  // the power iterations multiply by it: fewer operations than 2 passes over the data per iteration
  // (small^2 large / 2 against 2 q small large sketch multiply-adds), the same subspace.
  const bool wide = rows <= columns;
  const Index small = std::min(rows, columns), large = std::max(rows, columns);
  const bool through_gram =
      options.power_iterations > 0 && 0.5 * static_cast<double>(small) < 2.0 * options.power_iterations * static_cast<double>(sketch_size);
  const auto times_m = [&](const Eigen::MatrixXd& right) {  // M * right: small x columns
    return wide ? detail::times(samples, mean, right) : detail::transpose_times(samples, mean, right);
  };
  const auto times_m_transposed = [&](const Eigen::MatrixXd& right) {  // M^T * right: large x columns
    return wide ? detail::transpose_times(samples, mean, right) : detail::times(samples, mean, right);
  };
  Eigen::MatrixXd small_gram;
  if (through_gram) small_gram = detail::gram(samples, mean, !wide);
  Eigen::MatrixXd basis = orthonormal_basis(times_m(gaussian_sketch(large, sketch_size, options.seed)));
  for (int iteration = 0; iteration < options.power_iterations; ++iteration) {
    basis = orthonormal_basis(through_gram ? detail::times(small_gram, no_mean, basis) : times_m(times_m_transposed(basis)));
  }
  // M ~ Q B with B = Q^T M (sketch x large); B B^T = Q^T M M^T Q = W diag(lambda) W^T gives the
  // singular values sqrt(lambda), the small-side singular vectors Q W and the large-side ones
  // M^T Q W / sqrt(lambda).
  Eigen::MatrixXd projected;  // M^T Q: large x sketch
  Eigen::MatrixXd reduced;
  if (through_gram) {
    reduced = basis.transpose() * detail::times(small_gram, no_mean, basis);
    reduced = 0.5 * (reduced + reduced.transpose()).eval();
  } else {
    projected = times_m_transposed(basis);
    reduced = detail::gram(projected, no_mean, true);
  }
  const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(reduced);
  const double tolerance = rank_tolerance(eigen.values, sketch_size);
  set_variances(result, eigen.values, tolerance, components, rows);
  if (!wide) {
    result.components = basis * eigen.vectors.leftCols(components);  // features are the small side
    return result;
  }
  Eigen::MatrixXd right = through_gram ? times_m_transposed(basis * eigen.vectors.leftCols(components))
                                       : Eigen::MatrixXd(projected * eigen.vectors.leftCols(components));
  Index first_degenerate = components;
  for (Index j = 0; j < components; ++j) {
    if (eigen.values(j) <= tolerance) {
      first_degenerate = std::min(first_degenerate, j);
    } else {
      right.col(j).normalize();
    }
  }
  complete_orthonormal(right, first_degenerate);
  result.components = std::move(right);
  return result;
}

}  // namespace

PrincipalComponents fit_pca(const Eigen::Ref<const Eigen::MatrixXd>& samples, const PcaOptions& options) {
  detail::require_finite_nonempty("fit_pca", "samples", samples);
  const Index rows = samples.rows(), columns = samples.cols();
  if (rows < 2) throw std::invalid_argument("fit_pca: expected at least 2 samples (rows), found " + std::to_string(rows));
  const Index largest = std::min(rows, columns);
  if (options.components < 0 || options.components > largest) {
    throw std::invalid_argument("fit_pca: expected components in 0..min(samples, features) = 0.." + std::to_string(largest) +
                                ", found " + std::to_string(options.components));
  }
  if (options.oversamples < 0) {
    throw std::invalid_argument("fit_pca: expected oversamples >= 0, found " + std::to_string(options.oversamples));
  }
  if (options.power_iterations < 0) {
    throw std::invalid_argument("fit_pca: expected power_iterations >= 0, found " + std::to_string(options.power_iterations));
  }
  const Index components = options.components == 0 ? largest : options.components;

  PrincipalComponents result;
  result.mean = detail::column_means(samples);
  result.total_variance = total_variance_of(samples, result.mean);
  const Index sketch_size = components + options.oversamples;
  if (options.solver == PcaSolver::randomized && sketch_size < largest) {
    result = fit_randomized(samples, components, sketch_size, options, std::move(result));
  } else {
    result = fit_exact(samples, components, std::move(result));
  }
  detail::make_largest_entry_positive(result.components);
  result.explained_variance_ratio = result.total_variance > 0
                                        ? Eigen::VectorXd(result.explained_variance / result.total_variance)
                                        : Eigen::VectorXd::Zero(components);
  return result;
}

Eigen::MatrixXd project(const PrincipalComponents& pca, const Eigen::Ref<const Eigen::MatrixXd>& samples) {
  detail::require_finite_nonempty("project", "samples", samples);
  if (samples.cols() != pca.mean.size() || pca.components.rows() != pca.mean.size()) {
    throw std::invalid_argument("project: expected samples with the fit's " + std::to_string(pca.mean.size()) +
                                " features (columns), found " + std::to_string(samples.cols()));
  }
  return detail::times(samples, pca.mean, pca.components);
}

}  // namespace visalign::encoding
