#include "encoding/eigenspectrum.hpp"

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
