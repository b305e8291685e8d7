#pragma once
// Ridge regression with the penalty chosen by cross-validation: the "ridge with CV over
// {0.01, 0.1, 1, 10}" option of the V1-predictivity pipeline (METHODS.md). Samples are rows.
//
// The objective is scikit-learn's: ||y - X w - b||^2 + alpha ||w||^2 per target, the intercept b not
// penalised (X and Y centred with the training means when fit_intercept). Everything goes through one
// eigen-decomposition of the Gram matrix of the smaller side of the centred X (samples x samples when
// features >= samples: the kernel / thin-SVD form, features x features never formed; features x
// features otherwise), reused for every penalty and target.
//
// Leave-one-out is in closed form (the efficient LOO of sklearn's RidgeCV / _RidgeGCV): residual_i /
// (1 - h_ii) with the hat matrix of the fit with an unpenalised intercept, h = 1/n + X_c (X_c^T X_c +
// alpha I)^-1 X_c^T; this equals refitting without sample i exactly. The error is the mean squared LOO
// residual. k-fold refits on each training fold (contiguous folds as sklearn's KFold(shuffle=False),
// one decomposition per fold for all penalties), the error of a penalty is the mean over folds of the
// fold's mean squared error (GridSearchCV's neg_mean_squared_error averaged over folds). The chosen
// penalty minimises the error averaged over targets (one penalty for all, sklearn's default) or per
// target; ties go to the first penalty in the list, as sklearn.

#include <Eigen/Core>

#include <vector>

namespace visalign::encoding {

enum class PenaltySelection { leave_one_out, k_fold };

struct RidgeOptions {
  std::vector<double> penalties{0.01, 0.1, 1, 10};  // alpha values tried (sklearn's alpha: ||y - Xw||^2 + alpha ||w||^2)
  PenaltySelection selection = PenaltySelection::leave_one_out;
  int folds = 5;                    // k_fold: contiguous folds like sklearn KFold(shuffle=False)
  bool fit_intercept = true;        // centre X and Y with the training means (as sklearn)
  bool penalty_per_target = false;  // false: one alpha for all targets (sklearn RidgeCV default), true: per target
};

struct RidgeModel {
  Eigen::MatrixXd coefficients;            // features x targets
  Eigen::VectorXd intercept;               // targets
  Eigen::VectorXd penalty;                 // targets: the alpha used for each
  Eigen::MatrixXd cross_validation_error;  // penalties x targets: mean squared error (empty for a fixed penalty)
};

/// Ridge with a fixed penalty (>= 0; 0 gives the minimum-norm least-squares solution).
/// features: samples x features, targets: samples x targets.
/// std::invalid_argument for different numbers of rows, an empty matrix, a NaN or infinity, or a
/// negative or non-finite penalty. Constant features or targets are not errors: a constant target gets
/// zero coefficients and is predicted as its mean.
RidgeModel fit_ridge(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                     double penalty, bool fit_intercept = true);

/// Ridge with the penalty chosen from options.penalties by cross-validation, then refitted on all the
/// samples. std::invalid_argument as fit_ridge, and for no penalties, a penalty < 0 (<= 0 for
/// leave-one-out, whose hat matrix would be singular, as sklearn's RidgeCV requires > 0), fewer than 2
/// samples for leave-one-out, folds outside 2..samples for k_fold.
RidgeModel fit_ridge_cross_validated(const Eigen::Ref<const Eigen::MatrixXd>& features,
                                     const Eigen::Ref<const Eigen::MatrixXd>& targets, const RidgeOptions& options);

/// features * coefficients + intercept: samples x targets. std::invalid_argument for a number of
/// features (columns) other than the model's, or a NaN or infinity.
Eigen::MatrixXd predict_ridge(const RidgeModel& model, const Eigen::Ref<const Eigen::MatrixXd>& features);

}  // namespace visalign::encoding
