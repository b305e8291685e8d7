#include "encoding/pls_regression.hpp"

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "encoding/dense_kernels.hpp"

namespace visalign::encoding {

namespace {

using Eigen::Index;

constexpr double eps = std::numeric_limits<double>::epsilon();

/// The residual matrices of the NIPALS loop, Xk (samples x features) and Yk (samples x targets), and
/// their cross product Xk^T Yk (features x targets), kept deflated alongside.
struct Residuals {
  Eigen::MatrixXd features, targets, cross;
};

struct PowerResult {
  Eigen::VectorXd x_weights;
  int iterations = 0;
};

/// Below this many multiply-adds a product runs on the calling thread (a parallel region costs more).
constexpr double parallel_work = 2e6;

Eigen::VectorXd cross_times(const Eigen::MatrixXd& cross, const Eigen::VectorXd& vector) {
  if (static_cast<double>(cross.size()) < parallel_work) return cross * vector;
  return detail::times(cross, Eigen::VectorXd(), vector).col(0);
}

Eigen::VectorXd cross_transpose_times(const Eigen::MatrixXd& cross, const Eigen::VectorXd& vector) {
  if (static_cast<double>(cross.size()) < parallel_work) return cross.transpose() * vector;
  return detail::transpose_times(cross, Eigen::VectorXd(), vector).col(0);
}

/// sklearn's _get_first_singular_vectors_power_method (mode A, norm_y_weights False), starting from
/// residual target column `start`:
///   x_w = Xk^T y_score / |y_score|^2, x_w /= |x_w| + eps, x_score = Xk x_w,
///   y_w = Yk^T x_score / |x_score|^2, y_score = Yk y_w / (|y_w|^2 + eps),
/// until |x_w - previous x_w|^2 < tol (or after one iteration for a single target). Up to the eps
/// guards, which change x_w by a factor 1 - eps / |x_w before normalisation| (1e-16 relative), every
/// scale factor cancels: x_w is the normalised Xk^T Yk (Yk^T Xk)^(i-1) e_start, so the loop runs on
/// the features x targets cross product alone, never on the samples x features residual. y_w (from
/// the final x_w) is computed by the caller from the scores, as sklearn's last iteration does.
PowerResult power_method(const Residuals& residuals, Index start, const PlsOptions& options) {
  const Index targets = residuals.targets.cols();
  PowerResult result;
  Eigen::VectorXd direction = residuals.cross.col(start);  // Xk^T y_score for y_score = Yk[:, start]
  Eigen::VectorXd previous;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    Eigen::VectorXd x_weights = direction / (direction.norm() + eps);
    result.iterations = iteration + 1;
    const double change = previous.size() == 0 ? (x_weights.array() - 100.0).square().sum() : (x_weights - previous).squaredNorm();
    if (change < options.tolerance || targets == 1 || iteration + 1 == options.max_iterations) {
      result.x_weights = std::move(x_weights);
      break;
    }
    direction = cross_times(residuals.cross, cross_transpose_times(residuals.cross, x_weights));
    previous = std::move(x_weights);
  }
  return result;
}

/// scipy.linalg.pinv: singular values <= max(shape) * eps * largest are dropped.
Eigen::MatrixXd pseudo_inverse(const Eigen::MatrixXd& matrix) {
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(matrix, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& singular = svd.singularValues();
  const double largest = singular.size() > 0 ? singular(0) : 0.0;
  const double cutoff = static_cast<double>(std::max(matrix.rows(), matrix.cols())) * eps * largest;
  Eigen::MatrixXd result = Eigen::MatrixXd::Zero(matrix.cols(), matrix.rows());
  for (Index i = 0; i < singular.size(); ++i) {
    if (singular(i) > cutoff) result.noalias() += svd.matrixV().col(i) * (svd.matrixU().col(i).transpose() / singular(i));
  }
  return result;
}

/// matrix -= left right^T, in parallel over fixed column blocks.
void subtract_outer(Eigen::MatrixXd& matrix, const Eigen::VectorXd& left, const Eigen::VectorXd& right) {
  constexpr Index block = 64;
  const Index blocks = (matrix.cols() + block - 1) / block;
#pragma omp parallel for schedule(static) if (matrix.size() > 200000)
  for (Index b = 0; b < blocks; ++b) {
    const Index first = b * block, width = std::min(block, matrix.cols() - first);
    matrix.middleCols(first, width).noalias() -= left * right.segment(first, width).transpose();
  }
}

}  // namespace

PlsModel fit_pls(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                 const PlsOptions& options) {
  const char* function = "fit_pls";
  detail::require_regression_inputs(function, features, targets);
  const Index samples = features.rows(), feature_count = features.cols(), target_count = targets.cols();
  if (samples < 2) throw std::invalid_argument(std::string(function) + ": expected at least 2 samples, found " + std::to_string(samples));
  const Index largest = std::min(samples, feature_count);
  if (options.components < 1 || options.components > largest) {
    throw std::invalid_argument(std::string(function) + ": expected components in 1..min(samples, features) = 1.." +
                                std::to_string(largest) + ", found " + std::to_string(options.components));
  }
  if (options.max_iterations < 1) {
    throw std::invalid_argument(std::string(function) + ": expected max_iterations >= 1, found " + std::to_string(options.max_iterations));
  }
  if (!(options.tolerance >= 0)) {
    throw std::invalid_argument(std::string(function) + ": expected tolerance >= 0, found " + std::to_string(options.tolerance));
  }
  const Index components = options.components;
  const Eigen::VectorXd no_mean;

  PlsModel model;
  model.feature_mean = detail::column_means(features);
  model.target_mean = detail::column_means(targets);
  Residuals residuals;
  residuals.features = features.rowwise() - model.feature_mean.transpose();
  residuals.targets = targets.rowwise() - model.target_mean.transpose();
  residuals.cross = detail::transpose_times(residuals.features, no_mean, residuals.targets);
  model.x_weights = Eigen::MatrixXd::Zero(feature_count, components);
  model.x_loadings = Eigen::MatrixXd::Zero(feature_count, components);
  model.y_weights = Eigen::MatrixXd::Zero(target_count, components);
  model.y_loadings = Eigen::MatrixXd::Zero(target_count, components);

  for (Index component = 0; component < components; ++component) {
    // Target residual columns that are all below 10 eps become exactly 0 (sklearn's Yk_mask).
    for (Index target = 0; target < target_count; ++target) {
      if (residuals.targets.col(target).cwiseAbs().maxCoeff() < 10 * eps && !residuals.targets.col(target).isZero(0)) {
        residuals.targets.col(target).setZero();
        residuals.cross.col(target).setZero();
      }
    }
    Index start = -1;
    for (Index target = 0; target < target_count && start < 0; ++target) {
      if (residuals.targets.col(target).cwiseAbs().maxCoeff() > eps) start = target;
    }
    if (start < 0) {
      model.stop = PlsStop::constant_target_residual;
      break;
    }
    PowerResult power = power_method(residuals, start, options);
    // _svd_flip_1d: the largest |x weight| (the first such, as np.argmax) positive; np.sign gives 0
    // for an all-zero vector.
    Index largest_entry = 0;
    power.x_weights.cwiseAbs().maxCoeff(&largest_entry);
    const double value = power.x_weights(largest_entry);
    power.x_weights *= value > 0 ? 1.0 : (value < 0 ? -1.0 : 0.0);

    const Eigen::VectorXd x_scores = detail::times(residuals.features, no_mean, power.x_weights).col(0);
    const double score_norm2 = x_scores.dot(x_scores);
    if (!(score_norm2 > 0)) {
      model.stop = PlsStop::zero_feature_residual;
      break;
    }
    // y weights of the final iteration (sklearn: Yk^T x_score / |x_score|^2, sign-flipped with x_w);
    // in the regression deflation they equal the y loadings.
    model.iterations.push_back(power.iterations);
    if (power.iterations == options.max_iterations) model.converged = false;
    const Eigen::VectorXd x_loadings = detail::transpose_times(residuals.features, no_mean, x_scores).col(0) / score_norm2;
    const Eigen::VectorXd y_loadings = detail::transpose_times(residuals.targets, no_mean, x_scores).col(0) / score_norm2;
    subtract_outer(residuals.features, x_scores, x_loadings);
    residuals.targets.noalias() -= x_scores * y_loadings.transpose();
    // Xk+1 = Xk - t p^T and Yk+1 = Yk - t q^T with p = Xk^T t / t^T t, q = Yk^T t / t^T t give
    // Xk+1^T Yk+1 = Xk^T Yk - (t^T t) p q^T.
    subtract_outer(residuals.cross, score_norm2 * x_loadings, y_loadings);
    model.x_weights.col(component) = power.x_weights;
    model.y_weights.col(component) = y_loadings;
    model.x_loadings.col(component) = x_loadings;
    model.y_loadings.col(component) = y_loadings;
    ++model.components_used;
  }

  model.x_rotations = model.x_weights * pseudo_inverse(model.x_loadings.transpose() * model.x_weights);
  model.coefficients = model.x_rotations * model.y_loadings.transpose();
  return model;
}

Eigen::MatrixXd predict_pls(const PlsModel& model, const Eigen::Ref<const Eigen::MatrixXd>& features) {
  detail::require_finite_nonempty("predict_pls", "features", features);
  if (features.cols() != model.coefficients.rows() || model.feature_mean.size() != model.coefficients.rows()) {
    throw std::invalid_argument("predict_pls: expected " + std::to_string(model.coefficients.rows()) +
                                " features (columns), found " + std::to_string(features.cols()));
  }
  Eigen::MatrixXd predicted = detail::times(features, model.feature_mean, model.coefficients);
  predicted.rowwise() += model.target_mean.transpose();
  return predicted;
}

}  // namespace visalign::encoding
