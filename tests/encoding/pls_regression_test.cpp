// PLS regression against scikit-learn 1.2.1's PLSRegression(scale=False) (tests/fixtures/
// regression_fixtures.json, made by tests/fixtures/make_regression_fixtures.py): predictions,
// coefficients, NIPALS iteration counts and first x weights for 1, 5 and 25 components on 200 x 100 ->
// 6 targets, a single target (1, 5, 25 components), 40 x 150 -> 3 targets (more features than
// samples; 5, 20 components) and a case with a constant feature and a constant target; plus statuses
// (all targets constant, a perfect fit, max_iterations reached), thread-count invariance and bad input.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/pls_regression.hpp"
#include "rsa/random_stream.hpp"

#include "tests/encoding/regression_fixtures.hpp"

namespace visalign::encoding {
namespace {

using namespace visalign::encoding::regression_fixture;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_vector;

using Eigen::Index;
using nlohmann::json;

// ---- agreement with scikit-learn --------------------------------------------------------------------

TEST(PlsRegression, EqualsSklearnPLSRegression) {
  double worst_predictions = 0, worst_coefficients = 0, worst_weights = 0;
  int fits = 0, iteration_lists_equal = 0;
  for (const json& dataset : fixtures()["datasets"]) {
    if (!dataset.contains("pls")) continue;
    const Eigen::MatrixXd features = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const Eigen::MatrixXd targets = fixture_matrix(dataset["targets"]);
    for (const json& entry : dataset["pls"]) {
      PlsOptions options;
      options.components = entry["components"].get<int>();
      const PlsModel model = fit_pls(features, targets, options);
      const std::string label = dataset["name"].get<std::string>() + ", " + std::to_string(options.components) + " components";
      const double predictions = relative_difference(predict_pls(model, test), fixture_matrix(entry["predictions"]));
      EXPECT_LT(predictions, 1e-6) << label;
      worst_predictions = std::max(worst_predictions, predictions);
      const double weights = relative_difference(model.x_weights.col(0), fixture_vector(entry["x_weights_first"]));
      EXPECT_LT(weights, 1e-6) << label;
      worst_weights = std::max(worst_weights, weights);
      if (entry.contains("coefficients")) {
        const double coefficients = relative_difference(model.coefficients, fixture_matrix(entry["coefficients"]));
        EXPECT_LT(coefficients, 1e-6) << label;
        worst_coefficients = std::max(worst_coefficients, coefficients);
      }
      const std::vector<int> iterations = entry["iterations"].get<std::vector<int>>();
      EXPECT_EQ(model.iterations, iterations) << label;
      ++fits;
      iteration_lists_equal += model.iterations == iterations ? 1 : 0;
      EXPECT_EQ(model.components_used, static_cast<int>(iterations.size())) << label;
      EXPECT_TRUE(model.converged) << label;
    }
  }
  std::cout << "PLS vs sklearn PLSRegression(scale=False), " << fits
            << " fits (1/5/25 components on 200x100->6, single target 1/5/25, 40x150->3 5/20, constant columns 3): max relative "
               "difference predictions "
            << worst_predictions << ", coefficients " << worst_coefficients << ", first x weights " << worst_weights
            << "; NIPALS iteration counts equal in " << iteration_lists_equal << "/" << fits << " fits\n";
}

TEST(PlsRegression, ConstantTargetIsPredictedAsItsMean) {
  for (const json& dataset : fixtures()["datasets"]) {
    if (dataset["name"] != "constant_50x20") continue;
    const Eigen::MatrixXd features = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const Eigen::MatrixXd targets = fixture_matrix(dataset["targets"]);
    PlsOptions options;
    options.components = 3;
    const PlsModel model = fit_pls(features, targets, options);
    EXPECT_TRUE(model.coefficients.col(1).isZero(0));   // the constant target
    EXPECT_TRUE(model.coefficients.row(0).isZero(0));   // the constant feature
    EXPECT_TRUE(model.x_weights.row(0).isZero(0));
    EXPECT_TRUE((predict_pls(model, test).col(1).array() == 2.0).all());
  }
}

// ---- statuses -----------------------------------------------------------------------------------------

TEST(PlsRegression, AllTargetsConstantStopsLikeSklearn) {
  // sklearn: "Y residual is constant at iteration 0", no component, coefficients 0.
  const Eigen::MatrixXd features = random_matrix(30, 8, 1);
  const Eigen::MatrixXd targets = Eigen::MatrixXd::Constant(30, 2, 4.25);
  PlsOptions options;
  options.components = 3;
  const PlsModel model = fit_pls(features, targets, options);
  EXPECT_EQ(model.stop, PlsStop::constant_target_residual);
  EXPECT_EQ(model.components_used, 0);
  EXPECT_TRUE(model.iterations.empty());
  EXPECT_TRUE(model.coefficients.isZero(0));
  EXPECT_TRUE((predict_pls(model, random_matrix(4, 8, 2)).array() == 4.25).all());
}

TEST(PlsRegression, PerfectFitStopsWhenTheTargetResidualVanishes) {
  // A target that is exactly one feature: after one component the residual of Y is (numerically) 0.
  Eigen::MatrixXd features = random_matrix(40, 6, 3);
  const Eigen::MatrixXd targets = features.col(2) * 2.0;
  PlsOptions options;
  options.components = 6;
  const PlsModel model = fit_pls(features, targets, options);
  EXPECT_LE(model.components_used, 6);
  EXPECT_LT((predict_pls(model, features) - targets).cwiseAbs().maxCoeff(), 1e-9);
  if (model.components_used < 6) {
    EXPECT_EQ(model.stop, PlsStop::constant_target_residual);
  }
}

TEST(PlsRegression, ReachingMaxIterationsIsAStatus) {
  const Eigen::MatrixXd features = random_matrix(50, 10, 4), targets = random_matrix(50, 3, 5);
  PlsOptions options;
  options.components = 2;
  options.max_iterations = 1;
  const PlsModel model = fit_pls(features, targets, options);
  EXPECT_FALSE(model.converged);
  EXPECT_EQ(model.iterations, (std::vector<int>{1, 1}));
  options.max_iterations = 500;
  EXPECT_TRUE(fit_pls(features, targets, options).converged);
}

TEST(PlsRegression, SameResultForAnyNumberOfThreads) {
  const Eigen::MatrixXd tall = random_matrix(2300, 300, 6), wide = random_matrix(300, 2300, 7);
  const Eigen::MatrixXd tall_targets = random_matrix(2300, 4, 8), wide_targets = random_matrix(300, 4, 9);
  PlsOptions options;
  options.components = 5;
  const int threads_before = omp_get_max_threads();
  std::vector<PlsModel> models;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    models.push_back(fit_pls(tall, tall_targets, options));
    models.push_back(fit_pls(wide, wide_targets, options));
  }
  omp_set_num_threads(threads_before);
  for (std::size_t i = 2; i < models.size(); ++i) {
    EXPECT_TRUE(models[i].coefficients == models[i % 2].coefficients) << i;
    EXPECT_EQ(models[i].iterations, models[i % 2].iterations) << i;
  }
}

// ---- bad input ----------------------------------------------------------------------------------------

TEST(PlsRegression, RejectsBadInput) {
  const Eigen::MatrixXd features = random_matrix(20, 5, 1), targets = random_matrix(20, 2, 2);
  PlsOptions options;
  options.components = 2;
  expect_invalid([&] { fit_pls(features, targets.topRows(19), options); }, "one row per sample");
  expect_invalid([&] { fit_pls(Eigen::MatrixXd(0, 5), Eigen::MatrixXd(0, 2), options); }, "non-empty features");
  Eigen::MatrixXd with_nan = targets;
  with_nan(7, 1) = std::nan("");
  expect_invalid([&] { fit_pls(features, with_nan, options); }, "NaN at row 7, column 1");
  options.components = 6;
  expect_invalid([&] { fit_pls(features, targets, options); }, "components in 1..min(samples, features) = 1..5, found 6");
  options.components = 4;
  expect_invalid([&] { fit_pls(features.topRows(3), targets.topRows(3), options); }, "= 1..3, found 4");
  options.components = 0;
  expect_invalid([&] { fit_pls(features, targets, options); }, "found 0");
  options.components = 1;
  options.max_iterations = 0;
  expect_invalid([&] { fit_pls(features, targets, options); }, "max_iterations >= 1");
  options.max_iterations = 10;
  options.tolerance = std::nan("");
  expect_invalid([&] { fit_pls(features, targets, options); }, "tolerance >= 0");
  options.tolerance = 1e-6;
  expect_invalid([&] { fit_pls(features.topRows(1), targets.topRows(1), options); }, "at least 2 samples");
  const PlsModel model = fit_pls(features, targets, options);
  expect_invalid([&] { predict_pls(model, random_matrix(3, 4, 3)); }, "expected 5 features");
}

}  // namespace
}  // namespace visalign::encoding
