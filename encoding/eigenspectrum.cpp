#include "encoding/eigenspectrum.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/dense_kernels.hpp"
#include "encoding/principal_components.hpp"

namespace visalign::encoding {

Eigen::VectorXd cross_validated_eigenspectrum(const Eigen::Ref<const Eigen::MatrixXd>& first_half,
                                              const Eigen::Ref<const Eigen::MatrixXd>& second_half) {
  const char* function = "cross_validated_eigenspectrum";
  detail::require_finite_nonempty(function, "first_half", first_half);
  detail::require_finite_nonempty(function, "second_half", second_half);
  if (first_half.rows() != second_half.rows() || first_half.cols() != second_half.cols()) {
    throw std::invalid_argument(std::string(function) + ": expected halves of the same shape (stimuli x neurons), found " +
                                std::to_string(first_half.rows()) + " x " + std::to_string(first_half.cols()) + " and " +
                                std::to_string(second_half.rows()) + " x " + std::to_string(second_half.cols()));
  }
  const Eigen::Index stimuli = first_half.rows();
  if (stimuli < 2) throw std::invalid_argument(std::string(function) + ": expected at least 2 stimuli (rows), found " + std::to_string(stimuli));
  PcaOptions options;
  options.components = static_cast<int>(std::min(stimuli - 1, first_half.cols()));
  const PrincipalComponents pca = fit_pca(first_half, options);
  const Eigen::MatrixXd first_projection = project(pca, first_half);
  const Eigen::MatrixXd second_projection = detail::times(second_half, detail::column_means(second_half), pca.components);
  return first_projection.cwiseProduct(second_projection).colwise().sum().transpose() / static_cast<double>(stimuli - 1);
}

Eigen::VectorXd covariance_eigenvalues(const Eigen::Ref<const Eigen::MatrixXf>& samples, Eigen::Index block_columns,
                                       const std::function<void(std::size_t, std::size_t)>& progress) {
  const char* function = "covariance_eigenvalues";
  const Eigen::Index count = samples.rows(), features = samples.cols();
  if (count < 2) throw std::invalid_argument(std::string(function) + ": expected at least 2 samples (rows), found " + std::to_string(count));
  if (features < 1) throw std::invalid_argument(std::string(function) + ": expected at least 1 feature (column), found 0");
  if (block_columns < 1) throw std::invalid_argument(std::string(function) + ": block_columns must be >= 1, found " + std::to_string(block_columns));
  // The centred Gram matrix X_c X_c^T has the same non-zero eigenvalues as X_c^T X_c (the scatter matrix),
  // and is samples x samples whatever the number of features. Double accumulation: the eigenvalues at
  // index ~1000 are 1e-4..1e-6 of the first one, below what a float sum over 10^5..10^6 features resolves.
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(count, count);
  const auto blocks = static_cast<std::size_t>((features + block_columns - 1) / block_columns);
  for (std::size_t block = 0; block < blocks; ++block) {
    const Eigen::Index start = static_cast<Eigen::Index>(block) * block_columns;
    const Eigen::Index width = std::min(block_columns, features - start);
    Eigen::MatrixXd centred = samples.middleCols(start, width).cast<double>();
    if (!centred.allFinite()) {
      throw std::invalid_argument(std::string(function) + ": samples contain a NaN or infinity (columns " + std::to_string(start) + ".." +
                                  std::to_string(start + width - 1) + ")");
    }
    centred.rowwise() -= centred.colwise().mean();
    gram.selfadjointView<Eigen::Lower>().rankUpdate(centred);
    if (progress) progress(block + 1, blocks);
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram.selfadjointView<Eigen::Lower>(), Eigen::EigenvaluesOnly);
  // Ascending; the smallest is the null direction of centring (the all-ones vector).
  const Eigen::VectorXd ascending = solver.eigenvalues();
  return ascending.tail(count - 1).reverse() / static_cast<double>(count - 1);
}

Eigen::MatrixXd basis_pca_scores(const Eigen::Ref<const Eigen::MatrixXf>& basis, const Eigen::Ref<const Eigen::MatrixXf>& samples,
                                 int components, Eigen::Index block_columns) {
  const char* function = "basis_pca_scores";
  const Eigen::Index count = basis.rows(), features = basis.cols();
  if (count < 2) throw std::invalid_argument(std::string(function) + ": expected at least 2 basis images, found " + std::to_string(count));
  if (samples.cols() != features) {
    throw std::invalid_argument(std::string(function) + ": expected samples with the basis's " + std::to_string(features) + " features, found " +
                                std::to_string(samples.cols()));
  }
  if (components < 1) throw std::invalid_argument(std::string(function) + ": components must be >= 1, found " + std::to_string(components));
  if (block_columns < 1) throw std::invalid_argument(std::string(function) + ": block_columns must be >= 1, found " + std::to_string(block_columns));
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(count, count);
  Eigen::MatrixXd cross = Eigen::MatrixXd::Zero(samples.rows(), count);
  for (Eigen::Index start = 0; start < features; start += block_columns) {
    const Eigen::Index width = std::min(block_columns, features - start);
    Eigen::MatrixXd centred_basis = basis.middleCols(start, width).cast<double>();
    Eigen::MatrixXd centred_samples = samples.middleCols(start, width).cast<double>();
    if (!centred_basis.allFinite() || !centred_samples.allFinite()) {
      throw std::invalid_argument(std::string(function) + ": a NaN or infinity in columns " + std::to_string(start) + ".." +
                                  std::to_string(start + width - 1));
    }
    const Eigen::RowVectorXd mean = centred_basis.colwise().mean();  // the basis's mean centres both
    centred_basis.rowwise() -= mean;
    centred_samples.rowwise() -= mean;
    gram.selfadjointView<Eigen::Lower>().rankUpdate(centred_basis);
    cross.noalias() += centred_samples * centred_basis.transpose();
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram.selfadjointView<Eigen::Lower>());
  const Eigen::VectorXd eigenvalues = solver.eigenvalues().reverse();  // descending: squared singular values
  const Eigen::MatrixXd vectors = solver.eigenvectors().rowwise().reverse();
  const double largest = std::max(eigenvalues(0), 0.0);
  Eigen::Index used = 0;
  // The centred basis has rank at most min(images - 1, features); beyond it, and below 1e-12 of the largest
  // Gram eigenvalue (a singular value 1e-6 of the first: the Gram's double rounding is about 1e-13), axes are noise.
  const Eigen::Index rank_bound = std::min<Eigen::Index>(count - 1, basis.cols());
  while (used < std::min<Eigen::Index>(components, rank_bound) && eigenvalues(used) > 1e-12 * largest && eigenvalues(used) > 0) ++used;
  Eigen::MatrixXd scores = cross * vectors.leftCols(used);
  for (Eigen::Index k = 0; k < used; ++k) scores.col(k) /= std::sqrt(eigenvalues(k));
  return scores;
}

PowerLawFit fit_power_law(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues, int first_index, int last_index) {
  if (first_index < 1) throw std::invalid_argument("fit_power_law: expected first_index >= 1, found " + std::to_string(first_index));
  if (last_index < first_index) {
    throw std::invalid_argument("fit_power_law: expected last_index >= first_index = " + std::to_string(first_index) + ", found " +
                                std::to_string(last_index));
  }
  PowerLawFit fit;
  fit.first_index = first_index;
  fit.last_index = static_cast<int>(std::min<Eigen::Index>(last_index, eigenvalues.size()));
  std::vector<double> x, y;
  for (int index = fit.first_index; index <= fit.last_index; ++index) {
    const double value = eigenvalues(index - 1);
    if (value > 0) {
      x.push_back(std::log(static_cast<double>(index)));
      y.push_back(std::log(value));
    } else {
      ++fit.nonpositive_left_out;
    }
  }
  fit.points_used = static_cast<int>(x.size());
  if (fit.points_used < 2) return fit;
  const auto count = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= count;
  mean_y /= count;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mean_x, dy = y[i] - mean_y;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const double slope = sxy / sxx;
  fit.alpha = -slope;
  fit.log_intercept = mean_y - slope * mean_x;
  double residual = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double error = y[i] - (fit.log_intercept + slope * x[i]);
    residual += error * error;
  }
  fit.r_squared = syy > 0 ? 1.0 - residual / syy : 1.0;
  return fit;
}

}  // namespace visalign::encoding
