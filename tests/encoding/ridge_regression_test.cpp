// Ridge regression against scikit-learn 1.2.1 (tests/fixtures/regression_fixtures.json, made by
// tests/fixtures/make_regression_fixtures.py: Ridge, RidgeCV with efficient leave-one-out, and
// GridSearchCV(Ridge, KFold(5), neg_mean_squared_error)) on three shapes (60 x 300, 30 x 2000: the
// kernel form; 200 x 100: the covariance form) and a case with a constant feature and target; plus
// properties: the closed-form leave-one-out errors equal refitting without each sample, a zero penalty
// gives least squares, constant targets are predicted as their means, and the results do not depend
// on the number of threads.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "encoding/ridge_regression.hpp"
#include "rsa/random_stream.hpp"

#include "tests/encoding/regression_fixtures.hpp"

namespace visalign::encoding {
namespace {

using namespace visalign::encoding::regression_fixture;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_vector;

using Eigen::Index;
using nlohmann::json;

Eigen::MatrixXd every_nth_row(const Eigen::MatrixXd& matrix, Index step) {
  Eigen::MatrixXd result((matrix.rows() + step - 1) / step, matrix.cols());
  for (Index r = 0; r < result.rows(); ++r) result.row(r) = matrix.row(r * step);
  return result;
}

// ---- agreement with scikit-learn --------------------------------------------------------------------

TEST(RidgeRegression, FixedPenaltyEqualsSklearnRidge) {
  double worst_predictions = 0, worst_coefficients = 0, worst_intercept = 0;
  for (const json& dataset : fixtures()["datasets"]) {
    if (!dataset.contains("ridge")) continue;
    const Eigen::MatrixXd features = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const Eigen::MatrixXd targets = fixture_matrix(dataset["targets"]);
    const json& ridge = dataset["ridge"];
    for (const json& entry : ridge["fixed"]) {
      const RidgeModel model = fit_ridge(features, targets, entry["alpha"].get<double>());
      const double predictions = relative_difference(predict_ridge(model, test), fixture_matrix(entry["predictions"]));
      const double intercept = relative_difference(model.intercept, fixture_vector(entry["intercept"]));
      EXPECT_LT(predictions, 1e-8) << dataset["name"] << " alpha " << entry["alpha"];
      EXPECT_LT(intercept, 1e-8) << dataset["name"] << " alpha " << entry["alpha"];
      worst_predictions = std::max(worst_predictions, predictions);
      worst_intercept = std::max(worst_intercept, intercept);
      if (entry.contains("coefficients")) {
        const double coefficients = relative_difference(every_nth_row(model.coefficients, ridge["coefficient_step"].get<Index>()),
                                                        fixture_matrix(entry["coefficients"]));
        EXPECT_LT(coefficients, 1e-8) << dataset["name"] << " alpha " << entry["alpha"];
        worst_coefficients = std::max(worst_coefficients, coefficients);
      }
      EXPECT_EQ(model.penalty.size(), targets.cols());
      EXPECT_EQ(model.cross_validation_error.size(), 0);
    }
    const RidgeModel no_intercept = fit_ridge(features, targets, 1.0, false);
    EXPECT_TRUE(no_intercept.intercept.isZero(0));
    const double predictions = relative_difference(predict_ridge(no_intercept, test), fixture_matrix(ridge["no_intercept"]["predictions"]));
    EXPECT_LT(predictions, 1e-8) << dataset["name"] << " without intercept";
    worst_predictions = std::max(worst_predictions, predictions);
  }
  std::cout << "Ridge vs sklearn Ridge (4 alphas, 4 data sets): max relative difference predictions " << worst_predictions
            << ", coefficients " << worst_coefficients << ", intercepts " << worst_intercept << "\n";
  RecordProperty("max_relative_difference_predictions", std::to_string(worst_predictions));
}

TEST(RidgeRegression, LeaveOneOutEqualsSklearnRidgeCV) {
  double worst_predictions = 0, worst_errors = 0;
  int alphas_compared = 0, alphas_equal = 0;
  for (const json& dataset : fixtures()["datasets"]) {
    if (!dataset.contains("ridge")) continue;
    const Eigen::MatrixXd features = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const Eigen::MatrixXd targets = fixture_matrix(dataset["targets"]);
    const json& loo = dataset["ridge"]["loo"];
    for (const bool per_target : {false, true}) {
      RidgeOptions options;
      options.penalty_per_target = per_target;
      const RidgeModel model = fit_ridge_cross_validated(features, targets, options);
      const json& reference = loo[per_target ? "per_target" : "shared"];
      const Eigen::VectorXd alphas = fixture_vector(reference["alpha"]);
      for (Index t = 0; t < alphas.size(); ++t) {
        ++alphas_compared;
        alphas_equal += model.penalty(t) == alphas(t) ? 1 : 0;
        EXPECT_EQ(model.penalty(t), alphas(t)) << dataset["name"] << " target " << t << (per_target ? " per target" : " shared");
      }
      const double predictions = relative_difference(predict_ridge(model, test), fixture_matrix(reference["predictions"]));
      EXPECT_LT(predictions, 1e-8) << dataset["name"];
      worst_predictions = std::max(worst_predictions, predictions);
      const double errors = relative_difference(model.cross_validation_error, fixture_matrix(loo["errors"]));
      EXPECT_LT(errors, 1e-8) << dataset["name"];
      worst_errors = std::max(worst_errors, errors);
    }
  }
  std::cout << "RidgeCV leave-one-out vs sklearn RidgeCV (shared and per-target alpha): chosen alphas equal " << alphas_equal
            << "/" << alphas_compared << ", max relative difference predictions " << worst_predictions
            << ", LOO mean squared errors " << worst_errors << "\n";
}

TEST(RidgeRegression, KFoldEqualsSklearnGridSearchCV) {
  double worst_predictions = 0, worst_errors = 0;
  int alphas_compared = 0, alphas_equal = 0;
  for (const json& dataset : fixtures()["datasets"]) {
    if (!dataset.contains("ridge")) continue;
    const Eigen::MatrixXd features = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const Eigen::MatrixXd targets = fixture_matrix(dataset["targets"]);
    const json& reference = dataset["ridge"]["k_fold"];
    RidgeOptions options;
    options.selection = PenaltySelection::k_fold;
    options.folds = 5;
    const RidgeModel shared = fit_ridge_cross_validated(features, targets, options);
    ++alphas_compared;
    alphas_equal += shared.penalty(0) == reference["shared_alpha"].get<double>() ? 1 : 0;
    EXPECT_TRUE((shared.penalty.array() == reference["shared_alpha"].get<double>()).all()) << dataset["name"];
    const double predictions = relative_difference(predict_ridge(shared, test), fixture_matrix(reference["predictions"]));
    EXPECT_LT(predictions, 1e-8) << dataset["name"];
    worst_predictions = std::max(worst_predictions, predictions);
    // GridSearchCV's mean_test_score (over folds of the MSE over samples and targets) is the mean over
    // targets of our per-target errors.
    const double mean_errors = relative_difference(shared.cross_validation_error.rowwise().mean(), fixture_vector(reference["mean_error"]));
    EXPECT_LT(mean_errors, 1e-8) << dataset["name"];
    const double errors = relative_difference(shared.cross_validation_error, fixture_matrix(reference["errors"]));
    EXPECT_LT(errors, 1e-8) << dataset["name"];
    worst_errors = std::max({worst_errors, mean_errors, errors});

    options.penalty_per_target = true;
    const RidgeModel per_target = fit_ridge_cross_validated(features, targets, options);
    const Eigen::VectorXd alphas = fixture_vector(reference["per_target_alpha"]);
    for (Index t = 0; t < alphas.size(); ++t) {
      ++alphas_compared;
      alphas_equal += per_target.penalty(t) == alphas(t) ? 1 : 0;
      EXPECT_EQ(per_target.penalty(t), alphas(t)) << dataset["name"] << " target " << t;
    }
  }
  std::cout << "Ridge 5-fold vs sklearn GridSearchCV(Ridge, KFold(5), neg MSE): chosen alphas equal " << alphas_equal << "/"
            << alphas_compared << ", max relative difference predictions " << worst_predictions << ", fold errors "
            << worst_errors << "\n";
}

// ---- properties ---------------------------------------------------------------------------------------

TEST(RidgeRegression, ClosedFormLeaveOneOutEqualsRefitting) {
  // Both forms: features >= samples (kernel) and features < samples (covariance).
  for (const auto& [samples, features_count] : std::vector<std::pair<Index, Index>>{{25, 60}, {40, 12}}) {
    const Eigen::MatrixXd features = random_matrix(samples, features_count, 7);
    const Eigen::MatrixXd targets = features.leftCols(3) * Eigen::Vector3d(1, -2, 0.5) + random_matrix(samples, 1, 8);
    Eigen::MatrixXd two_targets(samples, 2);
    two_targets << targets, random_matrix(samples, 1, 9);
    RidgeOptions options;
    options.penalties = {0.3, 3};
    const RidgeModel model = fit_ridge_cross_validated(features, two_targets, options);
    for (std::size_t p = 0; p < options.penalties.size(); ++p) {
      Eigen::Vector2d squared = Eigen::Vector2d::Zero();
      for (Index left_out = 0; left_out < samples; ++left_out) {
        Eigen::MatrixXd kept_features(samples - 1, features_count), kept_targets(samples - 1, 2);
        for (Index i = 0, k = 0; i < samples; ++i) {
          if (i == left_out) continue;
          kept_features.row(k) = features.row(i);
          kept_targets.row(k++) = two_targets.row(i);
        }
        const RidgeModel refit = fit_ridge(kept_features, kept_targets, options.penalties[p]);
        squared += (predict_ridge(refit, features.row(left_out)) - two_targets.row(left_out)).cwiseAbs2().transpose();
      }
      const Eigen::Vector2d refit_error = squared / static_cast<double>(samples);
      EXPECT_LT(relative_difference(model.cross_validation_error.row(static_cast<Index>(p)).transpose(), refit_error), 1e-10)
          << samples << " x " << features_count << " penalty " << options.penalties[p];
    }
  }
}

TEST(RidgeRegression, ZeroPenaltyIsLeastSquares) {
  const Eigen::MatrixXd features = random_matrix(50, 8, 3), targets = random_matrix(50, 2, 4);
  const RidgeModel model = fit_ridge(features, targets, 0.0);
  const Eigen::MatrixXd residuals = targets - predict_ridge(model, features);
  // Normal equations: residuals orthogonal to the features and to the constant.
  EXPECT_LT((features.transpose() * residuals).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT(residuals.colwise().sum().cwiseAbs().maxCoeff(), 1e-10);
  // More features than samples: the minimum-norm interpolating solution.
  const Eigen::MatrixXd wide = random_matrix(10, 30, 5), wide_targets = random_matrix(10, 1, 6);
  const RidgeModel interpolating = fit_ridge(wide, wide_targets, 0.0);
  EXPECT_LT((predict_ridge(interpolating, wide) - wide_targets).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(RidgeRegression, ConstantTargetsAndFeaturesAreNotErrors) {
  Eigen::MatrixXd features = random_matrix(30, 50, 11);
  features.col(4).setConstant(2.5);
  Eigen::MatrixXd targets = random_matrix(30, 3, 12);
  targets.col(1).setConstant(-0.7);
  for (const PenaltySelection selection : {PenaltySelection::leave_one_out, PenaltySelection::k_fold}) {
    RidgeOptions options;
    options.selection = selection;
    options.penalty_per_target = true;
    const RidgeModel model = fit_ridge_cross_validated(features, targets, options);
    EXPECT_TRUE(model.coefficients.col(1).isZero(1e-12));
    EXPECT_NEAR(model.intercept(1), -0.7, 1e-12);
    EXPECT_EQ(model.penalty(1), 0.01);  // every penalty predicts it exactly: the first is kept
    EXPECT_TRUE(model.coefficients.row(4).isZero(1e-12));
    const Eigen::MatrixXd predicted = predict_ridge(model, random_matrix(5, 50, 13));
    EXPECT_TRUE((predicted.col(1).array() - -0.7).abs().maxCoeff() < 1e-12);
  }
}

TEST(RidgeRegression, SameResultForAnyNumberOfThreads) {
  // Big enough for several tiles of every parallel product (tiles of 256, chunks of 2048).
  const Eigen::MatrixXd tall = random_matrix(2300, 300, 21), wide = random_matrix(300, 2300, 22);
  const Eigen::MatrixXd tall_targets = random_matrix(2300, 3, 23), wide_targets = random_matrix(300, 3, 24);
  const int threads_before = omp_get_max_threads();
  std::vector<RidgeModel> models;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    models.push_back(fit_ridge_cross_validated(tall, tall_targets, RidgeOptions{}));
    models.push_back(fit_ridge_cross_validated(wide, wide_targets, RidgeOptions{}));
  }
  omp_set_num_threads(threads_before);
  for (std::size_t i = 2; i < models.size(); ++i) {
    EXPECT_TRUE(models[i].coefficients == models[i % 2].coefficients) << i;
    EXPECT_TRUE(models[i].cross_validation_error == models[i % 2].cross_validation_error) << i;
  }
}

// ---- bad input ----------------------------------------------------------------------------------------

TEST(RidgeRegression, RejectsBadInput) {
  const Eigen::MatrixXd features = random_matrix(20, 5, 1), targets = random_matrix(20, 2, 2);
  expect_invalid([&] { fit_ridge(features, targets.topRows(19), 1.0); }, "one row per sample");
  expect_invalid([&] { fit_ridge(Eigen::MatrixXd(0, 5), Eigen::MatrixXd(0, 2), 1.0); }, "non-empty features");
  expect_invalid([&] { fit_ridge(features, Eigen::MatrixXd(20, 0), 1.0); }, "non-empty targets");
  Eigen::MatrixXd with_nan = features;
  with_nan(3, 2) = std::nan("");
  expect_invalid([&] { fit_ridge(with_nan, targets, 1.0); }, "NaN at row 3, column 2");
  Eigen::MatrixXd with_infinity = targets;
  with_infinity(0, 1) = std::numeric_limits<double>::infinity();
  expect_invalid([&] { fit_ridge(features, with_infinity, 1.0); }, "infinity");
  expect_invalid([&] { fit_ridge(features, targets, -0.1); }, "penalty >= 0");
  RidgeOptions options;
  options.penalties = {1, -1};
  expect_invalid([&] { fit_ridge_cross_validated(features, targets, options); }, "penalty > 0");
  options.penalties = {0, 1};
  expect_invalid([&] { fit_ridge_cross_validated(features, targets, options); }, "penalty > 0");
  options.penalties = {};
  expect_invalid([&] { fit_ridge_cross_validated(features, targets, options); }, "at least one penalty");
  options = RidgeOptions{};
  options.selection = PenaltySelection::k_fold;
  options.folds = 21;
  expect_invalid([&] { fit_ridge_cross_validated(features, targets, options); }, "folds in 2..20");
  options.folds = 1;
  expect_invalid([&] { fit_ridge_cross_validated(features, targets, options); }, "folds in 2..20");
  options.folds = 20;  // leave-one-out by refitting: allowed
  EXPECT_NO_THROW(fit_ridge_cross_validated(features, targets, options));
  const RidgeModel model = fit_ridge(features, targets, 1.0);
  expect_invalid([&] { predict_ridge(model, random_matrix(3, 6, 3)); }, "expected 5 features");
}

}  // namespace
}  // namespace visalign::encoding
