#include "encoding/ridge_regression.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "encoding/dense_kernels.hpp"

namespace visalign::encoding {

namespace {

using Eigen::Index;

void check_penalty(const char* function, double penalty, bool strictly_positive) {
  if (!std::isfinite(penalty) || penalty < 0 || (strictly_positive && penalty == 0)) {
    throw std::invalid_argument(std::string(function) + ": expected a finite penalty " + (strictly_positive ? "> 0" : ">= 0") +
                                ", found " + std::to_string(penalty));
  }
}

/// The training data as the solver sees it: feature means (size 0 without an intercept), target
/// means and centred targets.
struct Centring {
  Eigen::VectorXd feature_mean;
  Eigen::VectorXd target_mean;
  Eigen::MatrixXd centred_targets;
};

Centring centre(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                bool fit_intercept) {
  Centring result;
  if (fit_intercept) {
    result.feature_mean = detail::column_means(features);
    result.target_mean = detail::column_means(targets);
    result.centred_targets = targets.rowwise() - result.target_mean.transpose();
  } else {
    result.target_mean = Eigen::VectorXd::Zero(targets.cols());
    result.centred_targets = targets;
  }
  return result;
}

/// Eigen-decomposition of the smaller Gram matrix of the centred features, and the targets in its
/// basis. kernel: vectors are the eigenvectors of Xc Xc^T (samples x samples) and projected_targets =
/// vectors^T Yc; otherwise the eigenvectors of Xc^T Xc (features x features) and projected_targets =
/// vectors^T Xc^T Yc. Either way the coefficients for penalty a are
///   kernel: Xc^T vectors diag(1 / (values + a)) projected_targets
///   else:   vectors diag(1 / (values + a)) projected_targets.
struct RidgeSpectrum {
  bool kernel = false;
  Eigen::VectorXd feature_mean;
  Eigen::MatrixXd vectors;
  Eigen::VectorXd values;  // descending, >= 0
  Eigen::MatrixXd projected_targets;
  double tolerance = 0;    // eigenvalues below this are zero (used for a penalty of 0)
};

RidgeSpectrum decompose(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::VectorXd& feature_mean,
                        const Eigen::MatrixXd& centred_targets) {
  RidgeSpectrum spectrum;
  spectrum.kernel = features.cols() >= features.rows();
  spectrum.feature_mean = feature_mean;
  detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(features, feature_mean, !spectrum.kernel));
  spectrum.values = eigen.values.cwiseMax(0.0);
  const Index size = spectrum.values.size();
  spectrum.tolerance = (size > 0 ? spectrum.values(0) : 0.0) * static_cast<double>(std::max(features.rows(), features.cols())) *
                       std::numeric_limits<double>::epsilon();
  spectrum.vectors = std::move(eigen.vectors);
  const Eigen::VectorXd no_mean;
  if (spectrum.kernel) {
    spectrum.projected_targets = detail::transpose_times(spectrum.vectors, no_mean, centred_targets);
  } else {
    spectrum.projected_targets =
        detail::transpose_times(spectrum.vectors, no_mean, detail::transpose_times(features, feature_mean, centred_targets));
  }
  return spectrum;
}

/// 1 / (value + penalty); for a penalty of 0 the pseudo-inverse (0 for a zero eigenvalue).
double shrinkage(double value, double penalty, double tolerance) {
  if (penalty > 0) return 1.0 / (value + penalty);
  return value > tolerance ? 1.0 / value : 0.0;
}

/// projected_targets with row r scaled by shrinkage(values(r), penalty of the column's target).
Eigen::MatrixXd shrunk_targets(const RidgeSpectrum& spectrum, const Eigen::VectorXd& penalty_per_target) {
  Eigen::MatrixXd scaled = spectrum.projected_targets;
  for (Index target = 0; target < scaled.cols(); ++target) {
    for (Index r = 0; r < scaled.rows(); ++r) {
      scaled(r, target) *= shrinkage(spectrum.values(r), penalty_per_target(target), spectrum.tolerance);
    }
  }
  return scaled;
}

RidgeModel model_from(const RidgeSpectrum& spectrum, const Eigen::Ref<const Eigen::MatrixXd>& features,
                      const Centring& centring, const Eigen::VectorXd& penalty_per_target) {
  const Eigen::VectorXd no_mean;
  RidgeModel model;
  const Eigen::MatrixXd combined = detail::times(spectrum.vectors, no_mean, shrunk_targets(spectrum, penalty_per_target));
  model.coefficients = spectrum.kernel ? detail::transpose_times(features, spectrum.feature_mean, combined) : combined;
  model.intercept = centring.target_mean;
  if (spectrum.feature_mean.size() > 0) model.intercept.noalias() -= model.coefficients.transpose() * spectrum.feature_mean;
  model.penalty = penalty_per_target;
  return model;
}

/// Mean squared leave-one-out residuals (penalties x targets) in closed form from the spectrum of
/// all the samples: residual_i / (1 - h_ii).
Eigen::MatrixXd leave_one_out_errors(const RidgeSpectrum& spectrum, const Eigen::Ref<const Eigen::MatrixXd>& features,
                                     const Centring& centring, const std::vector<double>& penalties, bool fit_intercept) {
  const Eigen::VectorXd no_mean;
  const Index samples = features.rows(), targets = centring.centred_targets.cols();
  // basis: samples x rank with fitted = basis diag(weight) projected_targets, h = offset + basis^2 weight.
  //   kernel:     basis = U,        weight = values / (values + a)
  //   covariance: basis = Xc V,     weight = 1 / (values + a)
  const Eigen::MatrixXd basis = spectrum.kernel ? spectrum.vectors : detail::times(features, spectrum.feature_mean, spectrum.vectors);
  const Eigen::MatrixXd squared_basis = basis.cwiseAbs2();
  const double offset = fit_intercept ? 1.0 / static_cast<double>(samples) : 0.0;
  Eigen::MatrixXd errors(static_cast<Index>(penalties.size()), targets);
  for (std::size_t p = 0; p < penalties.size(); ++p) {
    const double penalty = penalties[p];
    Eigen::VectorXd weight(spectrum.values.size());
    for (Index r = 0; r < weight.size(); ++r) {
      weight(r) = spectrum.kernel ? spectrum.values(r) / (spectrum.values(r) + penalty) : 1.0 / (spectrum.values(r) + penalty);
    }
    const Eigen::MatrixXd fitted = detail::times(basis, no_mean, weight.asDiagonal() * spectrum.projected_targets);
    const Eigen::VectorXd leverage = detail::times(squared_basis, no_mean, weight).col(0).array() + offset;
    const Eigen::MatrixXd residuals =
        (centring.centred_targets - fitted).array().colwise() / (1.0 - leverage.array());
    errors.row(static_cast<Index>(p)) = residuals.array().square().colwise().mean();
  }
  return errors;
}

Eigen::MatrixXd rows_of(const Eigen::Ref<const Eigen::MatrixXd>& matrix, const std::vector<Index>& rows) {
  Eigen::MatrixXd result(static_cast<Index>(rows.size()), matrix.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) result.row(static_cast<Index>(i)) = matrix.row(rows[i]);
  return result;
}

/// Mean over contiguous folds (sklearn KFold(shuffle=False): the first samples % folds folds have one
/// more sample) of the validation mean squared error, penalties x targets.
Eigen::MatrixXd k_fold_errors(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                              const RidgeOptions& options) {
  const Eigen::VectorXd no_mean;
  const Index samples = features.rows(), folds = options.folds;
  Eigen::MatrixXd errors = Eigen::MatrixXd::Zero(static_cast<Index>(options.penalties.size()), targets.cols());
  Index start = 0;
  for (Index fold = 0; fold < folds; ++fold) {
    const Index size = samples / folds + (fold < samples % folds ? 1 : 0);
    std::vector<Index> training, validation;
    for (Index i = 0; i < samples; ++i) (i >= start && i < start + size ? validation : training).push_back(i);
    start += size;
    const Eigen::MatrixXd training_features = rows_of(features, training);
    const Eigen::MatrixXd training_targets = rows_of(targets, training);
    const Eigen::MatrixXd validation_features = rows_of(features, validation);
    const Eigen::MatrixXd validation_targets = rows_of(targets, validation);
    const Centring centring = centre(training_features, training_targets, options.fit_intercept);
    const RidgeSpectrum spectrum = decompose(training_features, centring.feature_mean, centring.centred_targets);
    // Validation predictions = projection diag(shrinkage) projected_targets + target mean, with
    //   kernel:     projection = Xval_c Xtr_c^T U
    //   covariance: projection = Xval_c V
    Eigen::MatrixXd projection;
    if (spectrum.kernel) {
      Eigen::MatrixXd validation_transposed = validation_features.transpose();
      if (centring.feature_mean.size() > 0) validation_transposed.colwise() -= centring.feature_mean;
      const Eigen::MatrixXd cross_kernel = detail::times(training_features, centring.feature_mean, validation_transposed);
      projection = detail::transpose_times(cross_kernel, no_mean, spectrum.vectors);
    } else {
      projection = detail::times(validation_features, centring.feature_mean, spectrum.vectors);
    }
    for (std::size_t p = 0; p < options.penalties.size(); ++p) {
      const Eigen::VectorXd penalty = Eigen::VectorXd::Constant(targets.cols(), options.penalties[p]);
      Eigen::MatrixXd predicted = detail::times(projection, no_mean, shrunk_targets(spectrum, penalty));
      predicted.rowwise() += centring.target_mean.transpose();
      errors.row(static_cast<Index>(p)) += (validation_targets - predicted).array().square().colwise().mean().matrix();
    }
  }
  return errors / static_cast<double>(folds);
}

/// Index of the smallest value, the first on ties (sklearn keeps the first best score).
Index first_smallest(const Eigen::Ref<const Eigen::VectorXd>& values) {
  Index best = 0;
  for (Index i = 1; i < values.size(); ++i) {
    if (values(i) < values(best)) best = i;
  }
  return best;
}

}  // namespace

RidgeModel fit_ridge(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                     double penalty, bool fit_intercept) {
  detail::require_regression_inputs("fit_ridge", features, targets);
  check_penalty("fit_ridge", penalty, false);
  const Centring centring = centre(features, targets, fit_intercept);
  const RidgeSpectrum spectrum = decompose(features, centring.feature_mean, centring.centred_targets);
  return model_from(spectrum, features, centring, Eigen::VectorXd::Constant(targets.cols(), penalty));
}

RidgeModel fit_ridge_cross_validated(const Eigen::Ref<const Eigen::MatrixXd>& features,
                                     const Eigen::Ref<const Eigen::MatrixXd>& targets, const RidgeOptions& options) {
  const char* function = "fit_ridge_cross_validated";
  detail::require_regression_inputs(function, features, targets);
  if (options.penalties.empty()) throw std::invalid_argument(std::string(function) + ": expected at least one penalty, found none");
  const bool leave_one_out = options.selection == PenaltySelection::leave_one_out;
  for (const double penalty : options.penalties) check_penalty(function, penalty, leave_one_out);
  const Index samples = features.rows();
  if (leave_one_out && samples < 2) {
    throw std::invalid_argument(std::string(function) + ": expected at least 2 samples for leave-one-out, found " +
                                std::to_string(samples));
  }
  if (!leave_one_out && (options.folds < 2 || options.folds > samples)) {
    throw std::invalid_argument(std::string(function) + ": expected folds in 2.." + std::to_string(samples) +
                                " (the number of samples), found " + std::to_string(options.folds));
  }

  const Centring centring = centre(features, targets, options.fit_intercept);
  const RidgeSpectrum spectrum = decompose(features, centring.feature_mean, centring.centred_targets);
  const Eigen::MatrixXd errors = leave_one_out ? leave_one_out_errors(spectrum, features, centring, options.penalties, options.fit_intercept)
                                               : k_fold_errors(features, targets, options);
  Eigen::VectorXd chosen(targets.cols());
  if (options.penalty_per_target) {
    for (Index target = 0; target < targets.cols(); ++target) {
      chosen(target) = options.penalties[static_cast<std::size_t>(first_smallest(errors.col(target)))];
    }
  } else {
    const Eigen::VectorXd mean_error = errors.rowwise().mean();
    chosen.setConstant(options.penalties[static_cast<std::size_t>(first_smallest(mean_error))]);
  }
  RidgeModel model = model_from(spectrum, features, centring, chosen);
  model.cross_validation_error = errors;
  return model;
}

Eigen::MatrixXd predict_ridge(const RidgeModel& model, const Eigen::Ref<const Eigen::MatrixXd>& features) {
  detail::require_finite_nonempty("predict_ridge", "features", features);
  if (features.cols() != model.coefficients.rows()) {
    throw std::invalid_argument("predict_ridge: expected " + std::to_string(model.coefficients.rows()) +
                                " features (columns), found " + std::to_string(features.cols()));
  }
  Eigen::MatrixXd predicted = detail::times(features, Eigen::VectorXd(), model.coefficients);
  predicted.rowwise() += model.intercept.transpose();
  return predicted;
}

}  // namespace visalign::encoding
