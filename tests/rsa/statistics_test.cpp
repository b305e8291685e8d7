// Resampling plans, permutation p-values, percentile intervals, Mann-Kendall, paired t-tests and
// Benjamini-Hochberg against tests/fixtures/rsa_fixtures.json (tests/fixtures/make_rsa_fixtures.py:
// scipy.stats.ttest_rel, numpy.percentile, and numpy/scipy versions of the Mann-Kendall formulas
// and statsmodels' fdr_bh), plus properties: permutations are permutations and reproducible,
// bootstrap RDM entries leave out self pairs, permutation p-values are uniform under the null.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "rsa/random_stream.hpp"
#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"
#include "rsa/statistics.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::rsa {
namespace {

using nlohmann::json;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_values;
using visalign::testing::fixture_vector;

const json& fixtures() {
  static const json fixture = visalign::testing::read_fixture_json("rsa_fixtures.json");
  return fixture;
}

// ---- resampling plans -------------------------------------------------------------------------------

TEST(LabelPermutation, IsAPermutationAndReproducible) {
  for (std::uint64_t index = 0; index < 50; ++index) {
    const std::vector<std::int32_t> permutation = label_permutation(40, 1234, index);
    std::vector<std::int32_t> sorted = permutation;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::int32_t> identity(40);
    std::iota(identity.begin(), identity.end(), 0);
    EXPECT_EQ(sorted, identity);
    EXPECT_EQ(label_permutation(40, 1234, index), permutation);
  }
  EXPECT_NE(label_permutation(40, 1234, 0), label_permutation(40, 1234, 1));
  EXPECT_NE(label_permutation(40, 1234, 0), label_permutation(40, 1235, 0));
  EXPECT_TRUE(label_permutation(0, 1, 0).empty());
  EXPECT_EQ(label_permutation(1, 1, 0), std::vector<std::int32_t>{0});
  EXPECT_THROW(label_permutation(-1, 1, 0), std::invalid_argument);
}

TEST(LabelPermutation, EveryPositionIsUniform) {
  // 4 items, 24000 permutations: each value lands in each place 6000 times on average.
  std::vector<std::vector<int>> counts(4, std::vector<int>(4, 0));
  for (std::uint64_t index = 0; index < 24000; ++index) {
    const auto permutation = label_permutation(4, 5, index);
    for (std::size_t place = 0; place < 4; ++place) ++counts[place][static_cast<std::size_t>(permutation[place])];
  }
  for (const auto& row : counts) {
    for (const int count : row) EXPECT_NEAR(count, 6000, 400);  // about 5 standard deviations
  }
}

TEST(BootstrapSample, DrawsWithReplacementReproducibly) {
  const std::vector<std::int32_t> sample = bootstrap_sample(40, 77, 3);
  ASSERT_EQ(sample.size(), 40u);
  for (const std::int32_t value : sample) {
    EXPECT_GE(value, 0);
    EXPECT_LT(value, 40);
  }
  EXPECT_LT(std::set<std::int32_t>(sample.begin(), sample.end()).size(), 40u);  // some repeats (p of none ~ 1e-16)
  EXPECT_EQ(bootstrap_sample(40, 77, 3), sample);
  EXPECT_NE(bootstrap_sample(40, 77, 4), sample);
}

TEST(Subsample, DrawsDistinctSortedIndicesReproducibly) {
  for (std::uint64_t index = 0; index < 20; ++index) {
    const std::vector<std::int32_t> chosen = subsample(200, 160, 9, index);
    ASSERT_EQ(chosen.size(), 160u);
    EXPECT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
    EXPECT_EQ(std::set<std::int32_t>(chosen.begin(), chosen.end()).size(), 160u);
    EXPECT_GE(chosen.front(), 0);
    EXPECT_LT(chosen.back(), 200);
    EXPECT_EQ(subsample(200, 160, 9, index), chosen);
  }
  EXPECT_NE(subsample(200, 160, 9, 0), subsample(200, 160, 9, 1));
  std::vector<std::int32_t> all(5);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(subsample(5, 5, 1, 0), all);
  EXPECT_TRUE(subsample(5, 0, 1, 0).empty());
  EXPECT_THROW(subsample(5, 6, 1, 0), std::invalid_argument);
  EXPECT_THROW(subsample(5, -1, 1, 0), std::invalid_argument);
}

// ---- permutation p-values ------------------------------------------------------------------------------

TEST(PermutationPValue, CountsTiesAsAtLeastAndIgnoresNan) {
  EXPECT_DOUBLE_EQ(permutation_p_value(0.5, {0.1, 0.5, 0.7, 0.2}), 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(permutation_p_value(0.9, {0.1, 0.5, 0.7, 0.2}), 1.0 / 5.0);
  EXPECT_DOUBLE_EQ(permutation_p_value(0.5, {0.5, 0.5, std::nan(""), 0.2}), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(permutation_p_value(0.5, {}), 1.0);
  EXPECT_TRUE(std::isnan(permutation_p_value(std::nan(""), {0.1, 0.2})));
}

TEST(PermutationPValue, IsUniformUnderTheNull) {
  // 2000 random RDMs (8 conditions, from random patterns) against a fixed one, 199 label
  // permutations each. Spearman of a relabelled RDM = Pearson of its relabelled ranks.
  constexpr Eigen::Index conditions = 8, features = 20;
  constexpr int vectors = 2000, permutations = 199;
  const auto random_patterns = [&](std::uint64_t index) {
    RandomStream stream(2026, index);
    Eigen::MatrixXd patterns(conditions, features);
    for (Eigen::Index r = 0; r < conditions; ++r) {
      for (Eigen::Index c = 0; c < features; ++c) patterns(r, c) = stream.normal();
    }
    return patterns;
  };
  const Eigen::VectorXd fixed_ranks = average_ranks(upper_triangle(compute_rdm(random_patterns(1000000))));
  int at_most_005 = 0, at_most_05 = 0;
  Eigen::MatrixXd rank_matrix(conditions, conditions);
  Eigen::VectorXd permuted(conditions * (conditions - 1) / 2);
  for (int v = 0; v < vectors; ++v) {
    const Eigen::VectorXd ranks = average_ranks(upper_triangle(compute_rdm(random_patterns(static_cast<std::uint64_t>(v)))));
    for (Eigen::Index i = 0; i < conditions; ++i) {
      for (Eigen::Index j = i + 1; j < conditions; ++j) {
        rank_matrix(i, j) = rank_matrix(j, i) = ranks(condensed_index(i, j, conditions));
      }
    }
    const double observed = pearson_correlation(fixed_ranks, ranks);
    std::vector<double> null(permutations);
    for (int k = 0; k < permutations; ++k) {
      const auto labels = label_permutation(conditions, 31, static_cast<std::uint64_t>(v) * permutations + static_cast<std::uint64_t>(k));
      for (Eigen::Index i = 0; i < conditions; ++i) {
        for (Eigen::Index j = i + 1; j < conditions; ++j) {
          permuted(condensed_index(i, j, conditions)) =
              rank_matrix(labels[static_cast<std::size_t>(i)], labels[static_cast<std::size_t>(j)]);
        }
      }
      null[static_cast<std::size_t>(k)] = pearson_correlation(fixed_ranks, permuted);
    }
    const double p = permutation_p_value(observed, null);
    at_most_005 += p <= 0.05 ? 1 : 0;
    at_most_05 += p <= 0.5 ? 1 : 0;
  }
  const double fraction_005 = at_most_005 / static_cast<double>(vectors);
  const double fraction_05 = at_most_05 / static_cast<double>(vectors);
  EXPECT_GE(fraction_005, 0.03);
  EXPECT_LE(fraction_005, 0.07);
  EXPECT_GE(fraction_05, 0.46);
  EXPECT_LE(fraction_05, 0.54);
}

// ---- bootstrap RDM entries -------------------------------------------------------------------------------

TEST(BootstrapRdmEntries, LeavesOutSelfPairsInRowOrder) {
  Eigen::MatrixXd rdm(4, 4);
  for (Eigen::Index i = 0; i < 4; ++i) {
    for (Eigen::Index j = 0; j < 4; ++j) rdm(i, j) = i == j ? 0.0 : static_cast<double>(10 * std::min(i, j) + std::max(i, j));
  }
  const std::vector<std::int32_t> sample = {2, 0, 2, 3, 0};
  // Pairs (a < b): (0,1)=2-0, (0,2) self, (0,3)=2-3, (0,4)=2-0, (1,2)=0-2, (1,3)=0-3, (1,4) self,
  // (2,3)=2-3, (2,4)=2-0, (3,4)=3-0: 10 pairs, 2 self pairs, 8 entries.
  const Eigen::VectorXd entries = bootstrap_rdm_entries(rdm, sample);
  Eigen::VectorXd expected(8);
  expected << 2, 23, 2, 2, 3, 23, 2, 3;
  EXPECT_EQ(entries, expected);

  // The identity sample gives the whole upper triangle.
  EXPECT_EQ(bootstrap_rdm_entries(rdm, {0, 1, 2, 3}), upper_triangle(rdm));

  // Count for a bootstrap sample: all pairs minus, per condition drawn c times, c (c - 1) / 2.
  Eigen::MatrixXd big = Eigen::MatrixXd::Ones(40, 40);
  const std::vector<std::int32_t> drawn = bootstrap_sample(40, 8, 0);
  std::vector<Eigen::Index> copies(40, 0);
  for (const std::int32_t condition : drawn) ++copies[static_cast<std::size_t>(condition)];
  Eigen::Index self_pairs = 0;
  for (const Eigen::Index c : copies) self_pairs += c * (c - 1) / 2;
  ASSERT_GT(self_pairs, 0);
  EXPECT_EQ(bootstrap_rdm_entries(big, drawn).size(), 40 * 39 / 2 - self_pairs);

  EXPECT_THROW(bootstrap_rdm_entries(rdm, {0, 4}), std::invalid_argument);
  EXPECT_THROW(bootstrap_rdm_entries(Eigen::MatrixXd::Zero(3, 4), {0, 1}), std::invalid_argument);
}

// ---- percentile intervals --------------------------------------------------------------------------------

TEST(PercentileInterval, EqualsNumpyPercentile) {
  for (const json& example : fixtures()["percentile_intervals"]) {
    SCOPED_TRACE(example["name"].get<std::string>());
    const ConfidenceInterval interval = percentile_interval(fixture_values(example["samples"]), example["level"].get<double>());
    EXPECT_NEAR(interval.lower, example["lower"].get<double>(), 1e-10);
    EXPECT_NEAR(interval.upper, example["upper"].get<double>(), 1e-10);
  }
  const ConfidenceInterval with_nan = percentile_interval({3.0, std::nan(""), 1.0, 2.0, 5.0, 4.0}, 0.5);
  EXPECT_DOUBLE_EQ(with_nan.lower, 2.0);
  EXPECT_DOUBLE_EQ(with_nan.upper, 4.0);
  const ConfidenceInterval empty = percentile_interval({std::nan("")}, 0.95);
  EXPECT_TRUE(std::isnan(empty.lower) && std::isnan(empty.upper));
  EXPECT_THROW(percentile_interval({1.0}, 1.5), std::invalid_argument);
}

// ---- Mann-Kendall -------------------------------------------------------------------------------------------

TEST(MannKendall, EqualsTheTextbookFormulas) {
  for (const json& example : fixtures()["mann_kendall"]) {
    SCOPED_TRACE(example["name"].get<std::string>());
    const MannKendallResult result = mann_kendall(fixture_values(example["series"]));
    EXPECT_EQ(result.s, example["s"].get<double>());
    EXPECT_NEAR(result.variance, example["variance"].get<double>(), 1e-10 * std::max(1.0, result.variance));
    EXPECT_NEAR(result.z, example["z"].get<double>(), 1e-10);
    EXPECT_NEAR(result.p, example["p"].get<double>(), 1e-10);
    EXPECT_NEAR(result.p / example["p"].get<double>(), 1.0, 1e-8);
  }
  EXPECT_THROW(mann_kendall({1.0, 2.0}), std::invalid_argument);
  const MannKendallResult missing = mann_kendall({1.0, std::nan(""), 3.0});
  EXPECT_TRUE(std::isnan(missing.p));
}

// ---- paired t-tests -------------------------------------------------------------------------------------------

TEST(PairedTTest, EqualsScipyTtestRel) {
  for (const json& example : fixtures()["paired_t_tests"]) {
    SCOPED_TRACE(example["name"].get<std::string>());
    const PairedTTestResult result = paired_t_test(fixture_values(example["a"]), fixture_values(example["b"]));
    EXPECT_NEAR(result.t, example["t"].get<double>(), 1e-10 * std::max(1.0, std::abs(result.t)));
    EXPECT_NEAR(result.p, example["p"].get<double>(), 1e-10);
    EXPECT_EQ(result.degrees_of_freedom, example["degrees_of_freedom"].get<double>());
    EXPECT_NEAR(result.mean_difference, example["mean_difference"].get<double>(), 1e-12);
  }
  const PairedTTestResult swapped = paired_t_test({1.0, 2.0, 4.0}, {0.5, 2.5, 1.0});
  const PairedTTestResult forward = paired_t_test({0.5, 2.5, 1.0}, {1.0, 2.0, 4.0});
  EXPECT_NEAR(swapped.t, -forward.t, 1e-14);
  EXPECT_NEAR(swapped.p, forward.p, 1e-15);
  EXPECT_TRUE(std::isinf(paired_t_test({2.0, 3.0}, {1.0, 2.0}).t));  // constant difference
  EXPECT_EQ(paired_t_test({2.0, 3.0}, {1.0, 2.0}).p, 0.0);
  EXPECT_TRUE(std::isnan(paired_t_test({2.0, 3.0}, {2.0, 3.0}).p));
  EXPECT_THROW(paired_t_test({1.0, 2.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(paired_t_test({1.0}, {1.0}), std::invalid_argument);
}

// ---- Benjamini-Hochberg ----------------------------------------------------------------------------------------

TEST(BenjaminiHochberg, EqualsStatsmodelsFdrBh) {
  for (const json& example : fixtures()["benjamini_hochberg"]) {
    SCOPED_TRACE(example["name"].get<std::string>());
    const Eigen::VectorXd p = fixture_vector(example["p"]);
    const Eigen::VectorXd expected = fixture_vector(example["q"]);
    const Eigen::VectorXd q = benjamini_hochberg(p);
    ASSERT_EQ(q.size(), expected.size());
    for (Eigen::Index i = 0; i < q.size(); ++i) {
      if (std::isnan(expected(i))) {
        EXPECT_TRUE(std::isnan(q(i))) << i;
      } else {
        EXPECT_NEAR(q(i), expected(i), 1e-10) << i;
        EXPECT_GE(q(i), p(i));
        EXPECT_LE(q(i), 1.0);
      }
    }
    if (example.contains("q_scipy")) {
      const Eigen::VectorXd scipy_q = fixture_vector(example["q_scipy"]);
      EXPECT_LT((q - scipy_q).cwiseAbs().maxCoeff(), 1e-10);
    }
  }
  EXPECT_EQ(benjamini_hochberg(Eigen::VectorXd(0)).size(), 0);
  EXPECT_THROW(benjamini_hochberg(Eigen::VectorXd::Constant(2, 1.5)), std::invalid_argument);
}

TEST(BenjaminiHochberg, IsMonotoneInP) {
  RandomStream stream(4, 0);
  Eigen::VectorXd p(300);
  for (Eigen::Index i = 0; i < p.size(); ++i) p(i) = std::pow(stream.uniform(), 4);
  const Eigen::VectorXd q = benjamini_hochberg(p);
  for (Eigen::Index i = 0; i < p.size(); ++i) {
    for (Eigen::Index j = 0; j < p.size(); ++j) {
      if (p(i) <= p(j)) EXPECT_LE(q(i), q(j));
    }
  }
}

}  // namespace
}  // namespace visalign::rsa
