// Prediction accuracy (pooled and per-target Pearson r), its permutation test and vertex-subsample
// interval, and the paired comparison of two accuracies. References: numpy.corrcoef and
// scipy.stats.pearsonr in tests/fixtures/predictivity_fixtures.json
// (tests/fixtures/make_predictivity_fixtures.py); properties: the fast permutation and subsample
// values equal a direct recomputation, p-values are uniform under the null and small for a
// planted relation, results are the same for any thread count and seed-reproducible.

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "encoding/prediction_accuracy.hpp"
#include "rsa/random_stream.hpp"
#include "rsa/statistics.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::encoding {
namespace {

using nlohmann::json;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_number;
using visalign::testing::fixture_vector;

const json& fixtures() {
  static const json fixture = visalign::testing::read_fixture_json("predictivity_fixtures.json");
  return fixture;
}

Eigen::MatrixXd normal_matrix(Eigen::Index rows, Eigen::Index columns, std::uint64_t seed, std::uint64_t index) {
  rsa::RandomStream stream(seed, index);
  Eigen::MatrixXd values(rows, columns);
  for (Eigen::Index j = 0; j < columns; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) values(i, j) = stream.normal();
  }
  return values;
}

void expect_same_or_both_nan(double expected, double actual, double tolerance, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": expected NaN, found " << actual;
  } else {
    EXPECT_NEAR(actual, expected, tolerance) << what;
  }
}

// ---- against numpy / scipy ---------------------------------------------------------------------------

TEST(PredictionAccuracy, PooledAndPerTargetMatchNumpyAndScipy) {
  for (const char* name : {"plain", "constant_column"}) {
    const json& reference = fixtures().at("accuracy").at(name);
    const Eigen::MatrixXd measured = fixture_matrix(reference.at("measured"));
    const Eigen::MatrixXd predicted = fixture_matrix(reference.at("predicted"));
    const double per_target = pooled_prediction_accuracy(measured, predicted);
    const double none = pooled_prediction_accuracy(measured, predicted, AccuracyCentering::none);
    EXPECT_NEAR(per_target, reference.at("pooled_per_target").get<double>(), 1e-12) << name;
    EXPECT_NEAR(per_target, reference.at("pooled_per_target_scipy").get<double>(), 1e-12) << name;
    EXPECT_NEAR(none, reference.at("pooled_none").get<double>(), 1e-12) << name;
    EXPECT_NEAR(none, reference.at("pooled_none_scipy").get<double>(), 1e-12) << name;
    const Eigen::VectorXd columns = per_target_accuracy(measured, predicted);
    ASSERT_EQ(columns.size(), static_cast<Eigen::Index>(reference.at("per_target").size()));
    for (Eigen::Index t = 0; t < columns.size(); ++t) {
      expect_same_or_both_nan(fixture_number(reference.at("per_target").at(t)), columns(t), 1e-12,
                              std::string(name) + " target " + std::to_string(t));
    }
    std::cout << "[ figures  ] " << name << ": pooled r (per-target centring) " << std::setprecision(15) << per_target
              << " vs numpy " << reference.at("pooled_per_target").get<double>() << "; uncentred " << none << " vs numpy "
              << reference.at("pooled_none").get<double>() << "\n";
  }
}

TEST(PredictionAccuracy, ZeroVarianceGivesNaN) {
  const Eigen::MatrixXd varying = normal_matrix(12, 4, 3, 0);
  const Eigen::MatrixXd constant = Eigen::MatrixXd::Constant(12, 4, 0.1);
  EXPECT_TRUE(std::isnan(pooled_prediction_accuracy(constant, varying)));
  EXPECT_TRUE(std::isnan(pooled_prediction_accuracy(varying, constant)));
  EXPECT_TRUE(std::isnan(pooled_prediction_accuracy(varying, constant, AccuracyCentering::none)));
  // Each column constant but the baselines differ: nothing left after per-target centring, while
  // the uncentred r sees the baselines.
  Eigen::MatrixXd baselines(12, 4);
  for (Eigen::Index t = 0; t < 4; ++t) baselines.col(t).setConstant(0.1 * static_cast<double>(t) + 0.7);
  EXPECT_TRUE(std::isnan(pooled_prediction_accuracy(baselines, varying)));
  EXPECT_FALSE(std::isnan(pooled_prediction_accuracy(baselines, varying + baselines, AccuracyCentering::none)));
  const Eigen::VectorXd columns = per_target_accuracy(baselines, varying);
  EXPECT_TRUE(columns.array().isNaN().all());
  // One sample: nothing varies after centring.
  EXPECT_TRUE(std::isnan(pooled_prediction_accuracy(varying.topRows(1), varying.topRows(1))));
  const AccuracyTest test = test_prediction_accuracy(constant, varying, {50, 50, 0.8, 0.95, 1});
  EXPECT_TRUE(std::isnan(test.accuracy));
  EXPECT_TRUE(std::isnan(test.permutation_p));
}

// ---- the fast loops equal a direct recomputation -----------------------------------------------------

TEST(AccuracyTest, PermutationAndSubsampleValuesEqualDirectRecomputation) {
  const Eigen::Index samples = 25, targets = 30;
  const Eigen::MatrixXd measured = normal_matrix(samples, targets, 11, 0) + 5.0 * normal_matrix(1, targets, 11, 1).replicate(samples, 1);
  const Eigen::MatrixXd predicted = 0.4 * measured + normal_matrix(samples, targets, 11, 2);
  for (const AccuracyCentering centering : {AccuracyCentering::per_target, AccuracyCentering::none}) {
    AccuracyTestOptions options;
    options.permutations = 40;
    options.subsamples = 40;
    options.seed = 99;
    options.centering = centering;
    const AccuracyTest test = test_prediction_accuracy(measured, predicted, options);
    EXPECT_EQ(test.accuracy, pooled_prediction_accuracy(measured, predicted, centering));
    EXPECT_EQ(test.subsample_size, 24);  // round(0.8 * 30)
    for (int i = 0; i < options.permutations; ++i) {
      const std::vector<std::int32_t> permutation = rsa::label_permutation(samples, options.seed, i);
      Eigen::MatrixXd shuffled(samples, targets);
      for (Eigen::Index s = 0; s < samples; ++s) shuffled.row(s) = predicted.row(permutation[static_cast<std::size_t>(s)]);
      EXPECT_NEAR(test.null_distribution[static_cast<std::size_t>(i)], pooled_prediction_accuracy(measured, shuffled, centering),
                  1e-12);
    }
    for (int i = 0; i < options.subsamples; ++i) {
      const std::vector<std::int32_t> subset =
          rsa::subsample(targets, test.subsample_size, options.seed ^ accuracy_subsample_salt, i);
      Eigen::MatrixXd measured_subset(samples, test.subsample_size), predicted_subset(samples, test.subsample_size);
      for (std::size_t k = 0; k < subset.size(); ++k) {
        measured_subset.col(static_cast<Eigen::Index>(k)) = measured.col(subset[k]);
        predicted_subset.col(static_cast<Eigen::Index>(k)) = predicted.col(subset[k]);
      }
      EXPECT_NEAR(test.subsample_distribution[static_cast<std::size_t>(i)],
                  pooled_prediction_accuracy(measured_subset, predicted_subset, centering), 1e-12);
    }
    EXPECT_DOUBLE_EQ(test.permutation_p, rsa::permutation_p_value(test.accuracy, test.null_distribution));
    const rsa::ConfidenceInterval interval = rsa::percentile_interval(test.subsample_distribution, 0.95);
    EXPECT_EQ(test.interval.lower, interval.lower);
    EXPECT_EQ(test.interval.upper, interval.upper);
  }
}

TEST(AccuracyTest, BaselinesInflateOnlyTheUncentredAccuracy) {
  // Unrelated responses whose vertices have different baselines that the prediction reproduces.
  const Eigen::Index samples = 40, targets = 100;
  const Eigen::MatrixXd baselines = 3.0 * normal_matrix(1, targets, 5, 0).replicate(samples, 1);
  const Eigen::MatrixXd measured = normal_matrix(samples, targets, 5, 1) + baselines;
  const Eigen::MatrixXd predicted = normal_matrix(samples, targets, 5, 2) + baselines;
  const double centred = pooled_prediction_accuracy(measured, predicted);
  const double uncentred = pooled_prediction_accuracy(measured, predicted, AccuracyCentering::none);
  std::cout << "[ figures  ] unrelated responses with shared vertex baselines: r per-target centred " << centred
            << ", uncentred " << uncentred << "\n";
  EXPECT_LT(std::abs(centred), 0.05);
  EXPECT_GT(uncentred, 0.8);
}

// ---- statistical properties --------------------------------------------------------------------------

TEST(AccuracyTest, PermutationPValuesAreUniformUnderTheNull) {
  const int datasets = 200;
  std::vector<double> p_values;
  for (int dataset = 0; dataset < datasets; ++dataset) {
    const Eigen::MatrixXd measured = normal_matrix(30, 20, 2024, 2 * static_cast<std::uint64_t>(dataset));
    const Eigen::MatrixXd predicted = normal_matrix(30, 20, 2024, 2 * static_cast<std::uint64_t>(dataset) + 1);
    AccuracyTestOptions options;
    options.permutations = 200;
    options.subsamples = 0;
    options.seed = static_cast<std::uint64_t>(dataset);
    p_values.push_back(test_prediction_accuracy(measured, predicted, options).permutation_p);
  }
  const auto fraction_below = [&](double level) {
    return static_cast<double>(std::count_if(p_values.begin(), p_values.end(), [&](double p) { return p < level; })) /
           static_cast<double>(p_values.size());
  };
  const double mean = std::accumulate(p_values.begin(), p_values.end(), 0.0) / static_cast<double>(p_values.size());
  std::cout << "[ figures  ] null (200 datasets of 30 samples x 20 targets, 200 permutations): fraction p < 0.05 = "
            << fraction_below(0.05) << ", p < 0.25 = " << fraction_below(0.25) << ", p < 0.5 = " << fraction_below(0.5)
            << ", mean p = " << mean << "\n";
  // Binomial standard deviation over 200 datasets: 0.015 at 0.05, 0.035 at 0.5.
  EXPECT_NEAR(fraction_below(0.05), 0.05, 0.045);
  EXPECT_NEAR(fraction_below(0.25), 0.25, 0.1);
  EXPECT_NEAR(fraction_below(0.5), 0.5, 0.12);
  EXPECT_NEAR(mean, 0.5, 0.07);
}

TEST(AccuracyTest, PlantedRelationGivesSmallPAndAnIntervalAroundTheAccuracy) {
  // A homogeneous ROI: every vertex the same signal-to-noise ratio.
  const Eigen::Index samples = 40, targets = 200;
  const Eigen::MatrixXd signal = normal_matrix(samples, targets, 77, 0);
  const Eigen::MatrixXd measured = signal + normal_matrix(samples, targets, 77, 1);
  const Eigen::MatrixXd predicted = signal + normal_matrix(samples, targets, 77, 2);
  AccuracyTestOptions options;
  options.seed = 3;
  const AccuracyTest test = test_prediction_accuracy(measured, predicted, options);
  std::cout << "[ figures  ] planted relation (40 x 200, r expected 0.5): r = " << test.accuracy
            << ", permutation p = " << test.permutation_p << ", 95% subsample interval [" << test.interval.lower << ", "
            << test.interval.upper << "]\n";
  EXPECT_NEAR(test.accuracy, 0.5, 0.05);
  EXPECT_LT(test.permutation_p, 0.01);
  EXPECT_DOUBLE_EQ(test.permutation_p, 1.0 / 1001.0);
  EXPECT_LE(test.interval.lower, test.accuracy);
  EXPECT_GE(test.interval.upper, test.accuracy);
  EXPECT_EQ(test.null_distribution.size(), 1000u);
  EXPECT_EQ(test.subsample_distribution.size(), 1000u);
}

TEST(AccuracyTest, SameForAnyThreadCountAndReproducibleFromTheSeed) {
  // A ROI-sized case and a many-samples case, large enough that both loops run on threads.
  for (const auto& [samples, targets] : {std::pair<Eigen::Index, Eigen::Index>{40, 200}, {250, 60}}) {
    const Eigen::MatrixXd measured = normal_matrix(samples, targets, 8, 0);
    const Eigen::MatrixXd predicted = 0.3 * measured + normal_matrix(samples, targets, 8, 1);
    AccuracyTestOptions options;
    options.seed = 12345;
    const int threads_before = omp_get_max_threads();
    omp_set_num_threads(1);
    const AccuracyTest one = test_prediction_accuracy(measured, predicted, options);
    omp_set_num_threads(2);
    const AccuracyTest two = test_prediction_accuracy(measured, predicted, options);
    omp_set_num_threads(4);
    const AccuracyTest four = test_prediction_accuracy(measured, predicted, options);
    omp_set_num_threads(threads_before);
    EXPECT_EQ(one.null_distribution, two.null_distribution);
    EXPECT_EQ(one.subsample_distribution, two.subsample_distribution);
    EXPECT_EQ(one.null_distribution, four.null_distribution);
    EXPECT_EQ(one.subsample_distribution, four.subsample_distribution);
    EXPECT_EQ(one.permutation_p, two.permutation_p);
    EXPECT_EQ(one.interval.lower, two.interval.lower);
    EXPECT_EQ(one.interval.upper, two.interval.upper);
    const AccuracyTest again = test_prediction_accuracy(measured, predicted, options);
    EXPECT_EQ(one.null_distribution, again.null_distribution);
    EXPECT_EQ(one.subsample_distribution, again.subsample_distribution);
    options.seed = 12346;
    const AccuracyTest other = test_prediction_accuracy(measured, predicted, options);
    EXPECT_NE(one.null_distribution, other.null_distribution);
    EXPECT_NE(one.subsample_distribution, other.subsample_distribution);
    EXPECT_EQ(one.accuracy, other.accuracy);
  }
}

TEST(AccuracyTest, RoiSizedTestTakesMilliseconds) {
  // Printed, not asserted (shared machines): a ROI of 200 targets x 40 samples, 1000 permutations
  // and 1000 subsamples.
  const Eigen::MatrixXd measured = normal_matrix(40, 200, 9, 0);
  const Eigen::MatrixXd predicted = 0.3 * measured + normal_matrix(40, 200, 9, 1);
  AccuracyTestOptions options;
  test_prediction_accuracy(measured, predicted, options);  // warm up the thread pool
  const auto start = std::chrono::steady_clock::now();
  const int repetitions = 20;
  for (int i = 0; i < repetitions; ++i) test_prediction_accuracy(measured, predicted, options);
  const double milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / repetitions;
  std::cout << "[ figures  ] test_prediction_accuracy, 40 samples x 200 targets, 1000 permutations + 1000 subsamples: "
            << milliseconds << " ms per call (" << omp_get_max_threads() << " threads)\n";
  RecordProperty("accuracy_test_ms", std::to_string(milliseconds));
}

// ---- comparing two accuracies ------------------------------------------------------------------------

TEST(CompareAccuracies, DetectsAPlantedDifference) {
  const Eigen::Index samples = 40, targets = 200;
  const Eigen::MatrixXd signal = normal_matrix(samples, targets, 31, 0);
  const Eigen::MatrixXd measured = signal + normal_matrix(samples, targets, 31, 1);
  const Eigen::MatrixXd better = signal + 0.7 * normal_matrix(samples, targets, 31, 2);
  const Eigen::MatrixXd worse = signal + 1.5 * normal_matrix(samples, targets, 31, 3);
  AccuracyTestOptions options;
  options.seed = 4;
  options.permutations = 0;
  const AccuracyTest first = test_prediction_accuracy(measured, better, options);
  const AccuracyTest second = test_prediction_accuracy(measured, worse, options);
  const AccuracyComparison comparison = compare_prediction_accuracies(first, second);
  std::cout << "[ figures  ] planted difference: r " << first.accuracy << " vs " << second.accuracy << ", difference "
            << comparison.difference << ", 95% interval [" << comparison.interval.lower << ", "
            << comparison.interval.upper << "], one-sided p " << comparison.one_sided_p << "\n";
  EXPECT_DOUBLE_EQ(comparison.difference, first.accuracy - second.accuracy);
  EXPECT_LT(comparison.one_sided_p, 0.01);
  EXPECT_GT(comparison.interval.lower, 0);
  ASSERT_EQ(comparison.subsample_differences.size(), 1000u);
  for (std::size_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(comparison.subsample_differences[i], first.subsample_distribution[i] - second.subsample_distribution[i]);
  }
  // The other way round: p close to 1.
  EXPECT_GT(compare_prediction_accuracies(second, first).one_sided_p, 0.99);
  // The same accuracy twice: every difference is 0, which counts as "not larger".
  EXPECT_EQ(compare_prediction_accuracies(first, first).one_sided_p, 1.0);
}

TEST(CompareAccuracies, PValueUnderExchangeablePredictions) {
  // Two predictions of the same quality (same signal, independent noise of equal variance): the
  // one-sided p is symmetric about 0.5. The vertex subsamples (80% without replacement) capture
  // only part of the sampling variance of the difference (a finite-population factor
  // (1 - 0.8) / 0.8 on the variance), so p is more spread towards 0 and 1 than uniform; the test
  // prints how much.
  const int datasets = 200;
  const Eigen::Index samples = 40, targets = 100;
  std::vector<double> p_values;
  for (int dataset = 0; dataset < datasets; ++dataset) {
    const auto index = 4 * static_cast<std::uint64_t>(dataset);
    const Eigen::MatrixXd signal = normal_matrix(samples, targets, 55, index);
    const Eigen::MatrixXd measured = signal + normal_matrix(samples, targets, 55, index + 1);
    const Eigen::MatrixXd first_prediction = signal + normal_matrix(samples, targets, 55, index + 2);
    const Eigen::MatrixXd second_prediction = signal + normal_matrix(samples, targets, 55, index + 3);
    AccuracyTestOptions options;
    options.permutations = 0;
    options.subsamples = 200;
    options.seed = static_cast<std::uint64_t>(dataset);
    const AccuracyComparison comparison =
        compare_prediction_accuracies(test_prediction_accuracy(measured, first_prediction, options),
                                      test_prediction_accuracy(measured, second_prediction, options));
    p_values.push_back(comparison.one_sided_p);
  }
  const auto fraction = [&](auto predicate) {
    return static_cast<double>(std::count_if(p_values.begin(), p_values.end(), predicate)) /
           static_cast<double>(p_values.size());
  };
  const double below_005 = fraction([](double p) { return p < 0.05; });
  const double above_095 = fraction([](double p) { return p > 0.95; });
  const double below_05 = fraction([](double p) { return p < 0.5; });
  const double mean = std::accumulate(p_values.begin(), p_values.end(), 0.0) / static_cast<double>(p_values.size());
  std::cout << "[ figures  ] exchangeable predictions (200 datasets, 200 subsamples): fraction p < 0.05 = " << below_005
            << ", p > 0.95 = " << above_095 << ", p < 0.5 = " << below_05 << ", mean p = " << mean << "\n";
  EXPECT_NEAR(mean, 0.5, 0.08);
  EXPECT_NEAR(below_05, 0.5, 0.12);
  EXPECT_NEAR(below_005, above_095, 0.1);
}

TEST(CompareAccuracies, RejectsUnpairedTests) {
  const Eigen::MatrixXd measured = normal_matrix(20, 30, 1, 0);
  const Eigen::MatrixXd predicted = normal_matrix(20, 30, 1, 1);
  AccuracyTestOptions options;
  options.permutations = 0;
  options.subsamples = 20;
  const AccuracyTest reference = test_prediction_accuracy(measured, predicted, options);
  options.subsamples = 21;
  EXPECT_THROW(compare_prediction_accuracies(reference, test_prediction_accuracy(measured, predicted, options)),
               std::invalid_argument);
  options.subsamples = 20;
  options.seed = 1;
  EXPECT_THROW(compare_prediction_accuracies(reference, test_prediction_accuracy(measured, predicted, options)),
               std::invalid_argument);
  options.seed = 0;
  EXPECT_THROW(compare_prediction_accuracies(reference, test_prediction_accuracy(measured.leftCols(29),
                                                                                 predicted.leftCols(29), options)),
               std::invalid_argument);
  EXPECT_THROW(compare_prediction_accuracies(reference, reference, 0.0), std::invalid_argument);
  EXPECT_THROW(compare_prediction_accuracies(reference, reference, 1.5), std::invalid_argument);
}

// ---- bad input ---------------------------------------------------------------------------------------

TEST(PredictionAccuracy, RejectsBadInputWithTheSizes) {
  const Eigen::MatrixXd measured = normal_matrix(10, 4, 1, 0);
  const Eigen::MatrixXd predicted = normal_matrix(10, 5, 1, 1);
  try {
    pooled_prediction_accuracy(measured, predicted);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("10 x 4"), std::string::npos) << message;
    EXPECT_NE(message.find("10 x 5"), std::string::npos) << message;
  }
  EXPECT_THROW(per_target_accuracy(measured, predicted), std::invalid_argument);
  EXPECT_THROW(test_prediction_accuracy(measured, predicted, {}), std::invalid_argument);
  EXPECT_THROW(pooled_prediction_accuracy(Eigen::MatrixXd(0, 4), Eigen::MatrixXd(0, 4)), std::invalid_argument);
  EXPECT_THROW(per_target_accuracy(Eigen::MatrixXd(10, 0), Eigen::MatrixXd(10, 0)), std::invalid_argument);

  const Eigen::MatrixXd same = normal_matrix(10, 4, 1, 2);
  const auto expect_option_rejected = [&](AccuracyTestOptions options, const std::string& fragment) {
    try {
      test_prediction_accuracy(measured, same, options);
      ADD_FAILURE() << "expected std::invalid_argument mentioning " << fragment;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  AccuracyTestOptions options;
  options.permutations = -1;
  expect_option_rejected(options, "permutations");
  options = {};
  options.subsamples = -5;
  expect_option_rejected(options, "subsamples");
  for (const double fraction : {0.0, -0.1, 1.01, std::nan("")}) {
    options = {};
    options.subsample_fraction = fraction;
    expect_option_rejected(options, "subsample fraction");
  }
  options = {};
  options.interval_level = 0;
  expect_option_rejected(options, "interval level");
  options = {};
  options.subsample_fraction = 1.0;
  options.permutations = 0;
  options.subsamples = 3;
  const AccuracyTest full = test_prediction_accuracy(measured, same, options);
  EXPECT_EQ(full.subsample_size, 4);
  EXPECT_TRUE(full.null_distribution.empty());
  EXPECT_TRUE(std::isnan(full.permutation_p));
  for (const double value : full.subsample_distribution) EXPECT_NEAR(value, full.accuracy, 1e-14);
}

}  // namespace
}  // namespace visalign::encoding
