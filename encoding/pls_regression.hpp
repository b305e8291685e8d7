#pragma once
// PLS regression (the V1-predictivity regression of METHODS.md, 25 components), exactly as
// sklearn.cross_decomposition.PLSRegression(scale=False) of scikit-learn 1.2.1: NIPALS power method
// (max_iter 500, tol 1e-06 on the squared change of the x weights), deflation mode "regression", X
// and Y centred, not scaled. Samples are rows.
//
// Details kept from sklearn's _pls.py: per component, target columns whose residual is below 10 eps
// everywhere are set to 0; the power method starts from the first residual target column with a
// value above eps; eps guards as in _get_first_singular_vectors_power_method; with a single target the
// power method stops after one iteration; the sign of each x weight vector makes its largest |entry|
// positive (_svd_flip_1d); coefficients = x_weights pinv(x_loadings^T x_weights) y_loadings^T, the
// pseudo-inverse as scipy.linalg.pinv (singular values <= components * eps * largest dropped).
//
// Speed: up to the eps guards (which scale the x weights by 1 - 1e-16-ish), every scale factor of
// the power method cancels, so its iterations run on the features x targets cross product Xk^T Yk
// (kept deflated by rank-one updates) instead of reading the samples x features residual twice per
// iteration; the scores, loadings and deflation use the explicit residual matrices as sklearn does.
// The numbers are the same up to rounding.
//
// Not errors (statuses):
// - A component whose power method reaches max_iterations is kept and `converged` is false (sklearn
//   warns, ConvergenceWarning).
// - When every target residual is constant (e.g. all targets constant, or fewer independent targets
//   than components in a perfect fit), sklearn stops adding components ("Y residual is constant"),
//   leaving their weights and loadings 0: so does fit_pls, `stop` tells it and components_used
//   counts the components made; coefficients come from those.
// - A constant target is predicted as its mean (its centred column is 0: zero coefficients).
// - A constant feature gets zero weight.
// - When the x scores of a component are exactly 0 (the feature residual is 0, e.g. components
//   beyond the rank of the centred X, or has no covariance with the target residual), sklearn
//   divides 0 by 0 and returns NaN coefficients; fit_pls stops there instead (stop =
//   zero_feature_residual) and uses the components made.

#include <Eigen/Core>

#include <vector>

namespace visalign::encoding {

struct PlsOptions {
  int components = 25;
  int max_iterations = 500;
  double tolerance = 1e-6;
};

enum class PlsStop {
  all_components,           // every requested component was made
  constant_target_residual, // sklearn's "Y residual is constant": the remaining components are 0
  zero_feature_residual,    // the x scores vanished (no covariance left): the remaining components are 0
};

struct PlsModel {
  Eigen::VectorXd feature_mean, target_mean;
  Eigen::MatrixXd coefficients;                       // features x targets (sklearn's coef_ transposed appropriately)
  Eigen::MatrixXd x_weights, x_loadings, y_loadings;  // features x components, features x components, targets x components
  Eigen::MatrixXd y_weights;                          // targets x components
  Eigen::MatrixXd x_rotations;                        // features x components: x_weights pinv(x_loadings^T x_weights) (transform)
  std::vector<int> iterations;                        // NIPALS iterations per component made
  bool converged = true;                              // false if a component hit max_iterations (status, not an error)
  int components_used = 0;                            // components made (= components unless stop says otherwise)
  PlsStop stop = PlsStop::all_components;
};

/// features: samples x features, targets: samples x targets.
/// std::invalid_argument for different numbers of rows, empty matrices, a NaN or infinity, fewer than
/// 2 samples, components outside 1..min(samples, features), max_iterations < 1, tolerance < 0 or NaN.
PlsModel fit_pls(const Eigen::Ref<const Eigen::MatrixXd>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                 const PlsOptions& options);

/// (features - feature_mean) coefficients + target_mean: samples x targets. std::invalid_argument for
/// a number of features other than the model's, or a NaN or infinity.
Eigen::MatrixXd predict_pls(const PlsModel& model, const Eigen::Ref<const Eigen::MatrixXd>& features);

}  // namespace visalign::encoding
