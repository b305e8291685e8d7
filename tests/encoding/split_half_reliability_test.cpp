// Split-half reliability, Spearman-Brown correction, noise-corrected predictivity and the median of
// finite values. References: numpy.nanmean + scipy.stats.pearsonr for stored orders of the repeats
// (tests/fixtures/predictivity_fixtures.json, made by tests/fixtures/make_predictivity_fixtures.py);
// the analytic reliability signal / (signal + noise / repeats) of simulated neurons; undefined
// neurons reported with their reasons while the others are still computed.

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/split_half_reliability.hpp"
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

void expect_same_or_both_nan(double expected, double actual, double tolerance, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": expected NaN, found " << actual;
  } else {
    EXPECT_NEAR(actual, expected, tolerance) << what;
  }
}

/// repeats x (stimuli x neurons): a signal per stimulus and neuron plus noise of the given standard
/// deviation per neuron.
std::vector<Eigen::MatrixXd> simulated_repeats(int repeats, Eigen::Index stimuli, const std::vector<double>& noise_sd,
                                               std::uint64_t seed) {
  const auto neurons = static_cast<Eigen::Index>(noise_sd.size());
  Eigen::MatrixXd signal(stimuli, neurons);
  rsa::RandomStream signal_stream(seed, 0);
  for (Eigen::Index j = 0; j < neurons; ++j) {
    for (Eigen::Index i = 0; i < stimuli; ++i) signal(i, j) = signal_stream.normal();
  }
  std::vector<Eigen::MatrixXd> result;
  for (int repeat = 0; repeat < repeats; ++repeat) {
    rsa::RandomStream noise_stream(seed, 1 + static_cast<std::uint64_t>(repeat));
    Eigen::MatrixXd responses(stimuli, neurons);
    for (Eigen::Index j = 0; j < neurons; ++j) {
      for (Eigen::Index i = 0; i < stimuli; ++i) responses(i, j) = signal(i, j) + noise_sd[static_cast<std::size_t>(j)] * noise_stream.normal();
    }
    result.push_back(responses);
  }
  return result;
}

// ---- against numpy -----------------------------------------------------------------------------------

TEST(SplitHalfReliability, MatchesNumpyForStoredOrders) {
  for (const char* name : {"even_repeats", "odd_repeats"}) {
    const json& reference = fixtures().at("split_half").at(name);
    std::vector<Eigen::MatrixXd> repeats;
    for (const json& repeat : reference.at("repeats")) repeats.push_back(fixture_matrix(repeat));
    const auto orders = reference.at("orders").get<std::vector<std::vector<std::int32_t>>>();
    const SplitHalfReliability reliability = split_half_reliability_from_orders(repeats, orders);
    const Eigen::VectorXd expected_r = fixture_vector(reference.at("half_correlation"));
    const Eigen::VectorXd expected_sb = fixture_vector(reference.at("spearman_brown"));
    ASSERT_EQ(reliability.half_correlation.size(), expected_r.size());
    for (Eigen::Index neuron = 0; neuron < expected_r.size(); ++neuron) {
      const std::string what = std::string(name) + " neuron " + std::to_string(neuron);
      expect_same_or_both_nan(expected_r(neuron), reliability.half_correlation(neuron), 1e-12, what);
      expect_same_or_both_nan(expected_sb(neuron), reliability.spearman_brown(neuron), 1e-12, what);
      EXPECT_EQ(reliability.undefined_reason[static_cast<std::size_t>(neuron)], "") << what;
      EXPECT_EQ(reliability.valid_splits(neuron), static_cast<int>(orders.size())) << what;
    }
    std::cout << "[ figures  ] " << name << ": Spearman-Brown " << std::setprecision(15)
              << reliability.spearman_brown.transpose() << "\n               numpy          " << expected_sb.transpose()
              << "\n";
    const auto [half_a, half_b] = split_half_means_from_order(repeats, orders.front());
    const Eigen::MatrixXd expected_a = fixture_matrix(reference.at("first_split_half_a"));
    const Eigen::MatrixXd expected_b = fixture_matrix(reference.at("first_split_half_b"));
    for (Eigen::Index i = 0; i < expected_a.rows(); ++i) {
      for (Eigen::Index j = 0; j < expected_a.cols(); ++j) {
        expect_same_or_both_nan(expected_a(i, j), half_a(i, j), 1e-12, "half A");
        expect_same_or_both_nan(expected_b(i, j), half_b(i, j), 1e-12, "half B");
      }
    }
  }
}

TEST(SplitHalfReliability, SeededSplitsAreLabelPermutations) {
  const std::vector<Eigen::MatrixXd> repeats = simulated_repeats(9, 30, {0.5, 1.0, 2.0}, 4);
  SplitHalfOptions options;
  options.splits = 6;
  options.seed = 17;
  std::vector<std::vector<std::int32_t>> orders;
  for (int split = 0; split < options.splits; ++split) orders.push_back(rsa::label_permutation(9, 17, split));
  const SplitHalfReliability seeded = split_half_reliability(repeats, options);
  const SplitHalfReliability ordered = split_half_reliability_from_orders(repeats, orders);
  EXPECT_EQ(seeded.half_correlation, ordered.half_correlation);
  EXPECT_EQ(seeded.spearman_brown, ordered.spearman_brown);
  const auto [half_a, half_b] = split_half_means(repeats, 17, 4);
  const auto [order_a, order_b] = split_half_means_from_order(repeats, orders[4]);
  EXPECT_EQ(half_a, order_a);
  EXPECT_EQ(half_b, order_b);
  // Odd number of repeats: 4 + 4, the last of the order left out.
  Eigen::MatrixXd expected_a = Eigen::MatrixXd::Zero(30, 3);
  for (int position = 0; position < 4; ++position) expected_a += repeats[static_cast<std::size_t>(orders[4][position])];
  EXPECT_TRUE(half_a.isApprox(expected_a / 4.0, 1e-14));
}

// ---- analytic reliability ----------------------------------------------------------------------------

TEST(SplitHalfReliability, SpearmanBrownMatchesTheAnalyticReliability) {
  // Signal variance 1, noise variance v, n repeats: reliability of the n-repeat mean = 1 / (1 + v / n).
  const int repeats = 20;
  const Eigen::Index stimuli = 2000;
  const std::vector<double> variances = {0.5, 2.0, 8.0, 32.0};
  const int copies = 10;
  std::vector<double> noise_sd;
  for (int copy = 0; copy < copies; ++copy) {
    for (const double variance : variances) noise_sd.push_back(std::sqrt(variance));
  }
  const std::vector<Eigen::MatrixXd> data = simulated_repeats(repeats, stimuli, noise_sd, 2026);
  SplitHalfOptions options;
  options.seed = 1;
  const SplitHalfReliability reliability = split_half_reliability(data, options);
  std::cout << "[ figures  ] simulated neurons, 20 repeats x 2000 stimuli, signal variance 1:\n";
  for (std::size_t k = 0; k < variances.size(); ++k) {
    const double analytic = 1.0 / (1.0 + variances[k] / repeats);
    // Sampling error of one split's r over the stimuli, (1 - r^2) / sqrt(stimuli - 1), carried
    // through 2r / (1 + r); averaging over splits only shrinks it.
    const double half = 1.0 / (1.0 + variances[k] / (repeats / 2));
    const double standard_error = 2.0 / ((1 + half) * (1 + half)) * (1 - half * half) / std::sqrt(stimuli - 1.0);
    double mean = 0;
    for (int copy = 0; copy < copies; ++copy) {
      const auto neuron = static_cast<Eigen::Index>(copy * variances.size() + k);
      EXPECT_NEAR(reliability.spearman_brown(neuron), analytic, 4 * standard_error) << "noise variance " << variances[k];
      mean += reliability.spearman_brown(neuron) / copies;
    }
    std::cout << "               noise variance " << std::setw(4) << variances[k] << ": analytic " << std::setprecision(4)
              << analytic << ", mean of " << copies << " neurons " << mean << " (standard error of one "
              << standard_error << ")\n";
    EXPECT_NEAR(mean, analytic, 4 * standard_error / std::sqrt(copies)) << "noise variance " << variances[k];
  }
}

// ---- undefined neurons -------------------------------------------------------------------------------

TEST(SplitHalfReliability, UndefinedNeuronsAreReportedAndTheOthersComputed) {
  std::vector<Eigen::MatrixXd> data = simulated_repeats(8, 40, {1.0, 1.0, 1.0, 1.0, 1.0}, 6);
  const double missing = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t repeat = 0; repeat < data.size(); ++repeat) {
    if (repeat != 3) data[repeat].col(0).setConstant(missing);  // neuron 0: one repeat only
    data[repeat].col(1).setConstant(missing);                   // neuron 1: never recorded
    data[repeat].col(2).setConstant(2.5);                       // neuron 2: constant
    data[repeat](7, 4) = missing;                               // neuron 4: some trials missing
  }
  data[0](3, 2) = missing;  // missing trials do not make a constant neuron vary
  SplitHalfOptions options;
  options.seed = 5;
  const SplitHalfReliability reliability = split_half_reliability(data, options);
  for (std::size_t neuron = 0; neuron < 5; ++neuron) {
    std::cout << "[ figures  ] neuron " << neuron << ": Spearman-Brown " << reliability.spearman_brown(static_cast<Eigen::Index>(neuron))
              << ", reason \"" << reliability.undefined_reason[neuron] << "\"\n";
  }
  EXPECT_EQ(reliability.undefined_reason[0], "fewer than 2 repeats (1 with valid trials)");
  EXPECT_EQ(reliability.undefined_reason[1], "no valid trials");
  EXPECT_EQ(reliability.undefined_reason[2], "constant responses");
  EXPECT_EQ(reliability.undefined_reason[3], "");
  EXPECT_EQ(reliability.undefined_reason[4], "");
  for (const Eigen::Index neuron : {0, 1, 2}) {
    EXPECT_TRUE(std::isnan(reliability.half_correlation(neuron)));
    EXPECT_TRUE(std::isnan(reliability.spearman_brown(neuron)));
    EXPECT_EQ(reliability.valid_splits(neuron), 0);
  }
  // The defined neurons are what they would be on their own.
  std::vector<Eigen::MatrixXd> alone;
  for (const Eigen::MatrixXd& repeat : data) alone.push_back(repeat.rightCols(2));
  const SplitHalfReliability reference = split_half_reliability(alone, options);
  EXPECT_EQ(reliability.spearman_brown.tail(2), reference.spearman_brown);
  EXPECT_GT(reliability.spearman_brown(3), 0.5);

  // One repeat in all: every neuron undefined, no exception.
  const SplitHalfReliability single = split_half_reliability({data[3]}, options);
  for (const std::string& reason : single.undefined_reason) EXPECT_FALSE(reason.empty());
  EXPECT_EQ(single.undefined_reason[3], "fewer than 2 repeats (1 with valid trials)");
  EXPECT_TRUE(single.spearman_brown.array().isNaN().all());

  // Two stimuli with trials in both halves are needed for a correlation.
  const SplitHalfReliability one_stimulus = split_half_reliability({data[0].topRows(1), data[1].topRows(1)}, options);
  EXPECT_EQ(one_stimulus.undefined_reason[3], "undefined in every split (fewer than 2 stimuli with trials in both halves)");
}

TEST(SplitHalfReliability, SameForAnyThreadCount) {
  // Large enough (60 neurons x 200 stimuli x 100 repeats) that both loops run on threads.
  const std::vector<Eigen::MatrixXd> data = simulated_repeats(100, 200, std::vector<double>(60, 1.5), 8);
  SplitHalfOptions options;
  options.seed = 2;
  const int threads_before = omp_get_max_threads();
  omp_set_num_threads(1);
  const SplitHalfReliability one = split_half_reliability(data, options);
  const auto means_one = split_half_means(data, 2, 3);
  omp_set_num_threads(2);
  const SplitHalfReliability two = split_half_reliability(data, options);
  const auto means_two = split_half_means(data, 2, 3);
  omp_set_num_threads(threads_before);
  EXPECT_EQ(one.half_correlation, two.half_correlation);
  EXPECT_EQ(one.spearman_brown, two.spearman_brown);
  EXPECT_EQ(means_one.first, means_two.first);
  EXPECT_EQ(means_one.second, means_two.second);
}

// ---- noise ceiling and summaries ---------------------------------------------------------------------

TEST(NoiseCorrectedPredictivity, MatchesNumpy) {
  const json& reference = fixtures().at("noise_corrected");
  const Eigen::VectorXd corrected =
      noise_corrected_predictivity(fixture_vector(reference.at("accuracy")), fixture_vector(reference.at("reliability")));
  const Eigen::VectorXd expected = fixture_vector(reference.at("corrected"));
  ASSERT_EQ(corrected.size(), expected.size());
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    expect_same_or_both_nan(expected(i), corrected(i), 1e-14, "neuron " + std::to_string(i));
  }
  EXPECT_THROW(noise_corrected_predictivity(Eigen::VectorXd::Zero(3), Eigen::VectorXd::Zero(4)), std::invalid_argument);
}

TEST(MedianOfFinite, MatchesNumpyMedian) {
  const json& reference = fixtures().at("median_of_finite");
  Eigen::VectorXd values(12);
  values.head(10) = fixture_vector(reference.at("values"));
  values(10) = std::numeric_limits<double>::infinity();
  values(11) = -std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(median_of_finite(values), reference.at("median_with_infinities").get<double>());
  // numpy's even-count median of the first 8 finite values.
  Eigen::VectorXd finite(8);
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < values.size() && k < 8; ++i) {
    if (std::isfinite(values(i))) finite(k++) = values(i);
  }
  EXPECT_DOUBLE_EQ(median_of_finite(finite), reference.at("median_even").get<double>());
  EXPECT_TRUE(std::isnan(median_of_finite(Eigen::VectorXd::Constant(3, std::nan("")))));
  EXPECT_TRUE(std::isnan(median_of_finite(Eigen::VectorXd())));
  EXPECT_DOUBLE_EQ(spearman_brown_correction(0.5), 2.0 / 3.0);
  EXPECT_TRUE(std::isnan(spearman_brown_correction(-1.0)));
}

// ---- bad input ---------------------------------------------------------------------------------------

TEST(SplitHalfReliability, RejectsBadInput) {
  const std::vector<Eigen::MatrixXd> data = simulated_repeats(4, 10, {1.0, 1.0}, 1);
  std::vector<Eigen::MatrixXd> mixed = data;
  mixed[2] = Eigen::MatrixXd::Zero(10, 3);
  try {
    split_half_reliability(mixed, {});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("10 x 2"), std::string::npos) << message;
    EXPECT_NE(message.find("repeat 2 10 x 3"), std::string::npos) << message;
  }
  EXPECT_THROW(split_half_means(mixed, 0, 0), std::invalid_argument);
  EXPECT_THROW(split_half_reliability({}, {}), std::invalid_argument);
  EXPECT_THROW(split_half_reliability({Eigen::MatrixXd(0, 2), Eigen::MatrixXd(0, 2)}, {}), std::invalid_argument);
  EXPECT_THROW(split_half_means({Eigen::MatrixXd(0, 2), Eigen::MatrixXd(0, 2)}, 0, 0), std::invalid_argument);
  SplitHalfOptions options;
  options.splits = 0;
  EXPECT_THROW(split_half_reliability(data, options), std::invalid_argument);
  EXPECT_THROW(split_half_reliability_from_orders(data, {{0, 1, 2}}), std::invalid_argument);
  EXPECT_THROW(split_half_reliability_from_orders(data, {{0, 1, 1, 3}}), std::invalid_argument);
  EXPECT_THROW(split_half_reliability_from_orders(data, {{0, 1, 2, 4}}), std::invalid_argument);
  EXPECT_THROW(split_half_reliability_from_orders(data, {}), std::invalid_argument);
  std::vector<Eigen::MatrixXd> infinite = data;
  infinite[1](4, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(split_half_reliability(infinite, {}), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::encoding

namespace visalign::encoding {
namespace {

TEST(MeanOverRepeats, SkipsMissingTrialsAndFillsColumns) {
  Eigen::MatrixXd first(2, 2), second(2, 2);
  first << 1, NAN, 3, NAN;
  second << 3, NAN, NAN, 4;
  Eigen::MatrixXd mean = mean_over_repeats({first, second});
  EXPECT_EQ(mean(0, 0), 2);
  EXPECT_EQ(mean(1, 0), 3);
  EXPECT_TRUE(std::isnan(mean(0, 1)));
  EXPECT_EQ(mean(1, 1), 4);
  fill_missing_with_column_means(mean);
  EXPECT_EQ(mean(0, 1), 4);
  Eigen::MatrixXd empty_column(2, 1);
  empty_column << NAN, NAN;
  fill_missing_with_column_means(empty_column);
  EXPECT_EQ(empty_column(0, 0), 0);
}

}  // namespace
}  // namespace visalign::encoding
