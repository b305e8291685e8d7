// RDMs and RDM comparisons against scipy (pdist, rankdata, spearmanr, pearsonr) and explicit
// formula implementations (tau-a, rho-a) in tests/fixtures/rsa_fixtures.json
// (tests/fixtures/make_rsa_fixtures.py), plus invariances: relabelling conditions permutes the RDM,
// Spearman ignores monotone transforms, tau-a and rho-a on tied data equal their definitions.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
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

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t index) {
  RandomStream stream(7, index);
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index c = 0; c < cols; ++c) {
    for (Eigen::Index r = 0; r < rows; ++r) matrix(r, c) = stream.normal();
  }
  return matrix;
}

/// Integers 0..levels-1: heavily tied data.
Eigen::VectorXd random_levels(Eigen::Index n, int levels, std::uint64_t index) {
  RandomStream stream(11, index);
  Eigen::VectorXd values(n);
  for (Eigen::Index i = 0; i < n; ++i) values(i) = static_cast<double>(stream.below(static_cast<std::uint64_t>(levels)));
  return values;
}

double sign(double x) { return static_cast<double>((x > 0) - (x < 0)); }

/// The definition, pair by pair.
double brute_force_tau_a(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  double sum = 0;
  const Eigen::Index n = a.size();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) sum += sign(a(i) - a(j)) * sign(b(i) - b(j));
  }
  return sum / (static_cast<double>(n) * static_cast<double>(n - 1) / 2.0);
}

// ---- RDMs ---------------------------------------------------------------------------------------

TEST(ComputeRdm, EqualsScipyPdistForEveryDistance) {
  for (const json& example : fixtures()["rdms"]) {
    SCOPED_TRACE(example["name"].get<std::string>());
    const Eigen::MatrixXd patterns = fixture_matrix(example["patterns"]);
    for (const RdmDistance distance : {RdmDistance::correlation, RdmDistance::euclidean, RdmDistance::cosine}) {
      SCOPED_TRACE(to_string(distance));
      const Eigen::MatrixXd rdm = compute_rdm(patterns, distance);
      ASSERT_EQ(rdm.rows(), patterns.rows());
      ASSERT_EQ(rdm.cols(), patterns.rows());
      const Eigen::VectorXd expected = fixture_vector(example[to_string(distance)]);
      const Eigen::VectorXd condensed = upper_triangle(rdm);
      ASSERT_EQ(condensed.size(), expected.size());
      for (Eigen::Index k = 0; k < expected.size(); ++k) EXPECT_NEAR(condensed(k), expected(k), 1e-12) << "entry " << k;
      for (Eigen::Index i = 0; i < rdm.rows(); ++i) {
        EXPECT_EQ(rdm(i, i), 0.0);
        for (Eigen::Index j = 0; j < rdm.cols(); ++j) EXPECT_EQ(rdm(i, j), rdm(j, i));
      }
    }
  }
}

TEST(ComputeRdm, RelabellingConditionsPermutesRowsAndColumns) {
  const Eigen::MatrixXd patterns = random_matrix(9, 14, 1);
  for (const RdmDistance distance : {RdmDistance::correlation, RdmDistance::euclidean, RdmDistance::cosine}) {
    const Eigen::MatrixXd rdm = compute_rdm(patterns, distance);
    const std::vector<std::int32_t> permutation = label_permutation(9, 3, 0);
    Eigen::MatrixXd permuted_patterns(9, 14);
    for (Eigen::Index i = 0; i < 9; ++i) permuted_patterns.row(i) = patterns.row(permutation[static_cast<std::size_t>(i)]);
    const Eigen::MatrixXd permuted = compute_rdm(permuted_patterns, distance);
    for (Eigen::Index i = 0; i < 9; ++i) {
      for (Eigen::Index j = 0; j < 9; ++j) {
        EXPECT_NEAR(permuted(i, j), rdm(permutation[static_cast<std::size_t>(i)], permutation[static_cast<std::size_t>(j)]),
                    1e-14);
      }
    }
  }
}

TEST(ComputeRdm, CorrelationIgnoresOffsetAndScaleOfAPattern) {
  Eigen::MatrixXd patterns = random_matrix(5, 8, 2);
  const Eigen::MatrixXd rdm = compute_rdm(patterns);
  patterns.row(3) = patterns.row(3).array() * 7.5 + 100.0;
  const Eigen::MatrixXd transformed = compute_rdm(patterns);
  EXPECT_LT((transformed - rdm).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(compute_rdm(patterns.topRows(2)).sum(), 2 * rdm(0, 1), 1e-12);
}

TEST(ComputeRdm, ConstantOrZeroRowsGiveNanInTheirRowAndColumn) {
  Eigen::MatrixXd patterns = random_matrix(4, 6, 3);
  patterns.row(2).setConstant(0.1);  // 0.1 does not average back to 0.1 exactly: the row must still be caught
  const Eigen::MatrixXd correlation = compute_rdm(patterns, RdmDistance::correlation);
  for (Eigen::Index i = 0; i < 4; ++i) {
    if (i == 2) continue;
    EXPECT_TRUE(std::isnan(correlation(2, i)));
    EXPECT_TRUE(std::isnan(correlation(i, 2)));
  }
  EXPECT_EQ(correlation(2, 2), 0.0);
  EXPECT_FALSE(std::isnan(correlation(0, 1)));
  EXPECT_FALSE(std::isnan(compute_rdm(patterns, RdmDistance::cosine)(2, 0)));  // constant but not zero
  patterns.row(2).setZero();
  EXPECT_TRUE(std::isnan(compute_rdm(patterns, RdmDistance::cosine)(2, 0)));
  EXPECT_NEAR(compute_rdm(patterns, RdmDistance::euclidean)(2, 0), patterns.row(0).norm(), 1e-14);
}

TEST(ComputeRdm, RejectsTooFewConditionsOrFeatures) {
  EXPECT_THROW(compute_rdm(Eigen::MatrixXd::Ones(1, 5)), std::invalid_argument);
  EXPECT_THROW(compute_rdm(Eigen::MatrixXd(3, 0)), std::invalid_argument);
  EXPECT_THROW(upper_triangle(Eigen::MatrixXd::Zero(3, 4)), std::invalid_argument);
}

TEST(ComputeRdm, NamesRoundTrip) {
  for (const RdmDistance distance : {RdmDistance::correlation, RdmDistance::euclidean, RdmDistance::cosine}) {
    EXPECT_EQ(parse_rdm_distance(to_string(distance)), distance);
  }
  EXPECT_THROW(parse_rdm_distance("mahalanobis"), std::invalid_argument);
  for (const RdmComparison comparison :
       {RdmComparison::spearman, RdmComparison::pearson, RdmComparison::kendall_tau_a, RdmComparison::rho_a}) {
    EXPECT_EQ(parse_rdm_comparison(to_string(comparison)), comparison);
  }
  EXPECT_EQ(to_string(RdmComparison::kendall_tau_a), "kendall-tau-a");
  EXPECT_THROW(parse_rdm_comparison("kendall"), std::invalid_argument);
}

TEST(UpperTriangle, IsScipysCondensedOrder) {
  const Eigen::Index n = 6;
  Eigen::MatrixXd matrix(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) matrix(i, j) = static_cast<double>(10 * i + j);
  }
  const Eigen::VectorXd condensed = upper_triangle(matrix);
  ASSERT_EQ(condensed.size(), n * (n - 1) / 2);
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      EXPECT_EQ(condensed_index(i, j, n), k);
      EXPECT_EQ(condensed(k++), static_cast<double>(10 * i + j));
    }
  }
}

// ---- comparisons ----------------------------------------------------------------------------------

TEST(RdmComparison, EqualsScipyAndTheFormulas) {
  for (const json& pair : fixtures()["pairs"]) {
    SCOPED_TRACE(pair["name"].get<std::string>());
    const Eigen::VectorXd a = fixture_vector(pair["a"]), b = fixture_vector(pair["b"]);
    const Eigen::VectorXd ranks_a = average_ranks(a), ranks_b = average_ranks(b);
    EXPECT_EQ(ranks_a, fixture_vector(pair["ranks_a"]));  // half-integers: exact
    EXPECT_EQ(ranks_b, fixture_vector(pair["ranks_b"]));
    EXPECT_NEAR(pearson_correlation(a, b), pair["pearson"].get<double>(), 1e-10);
    EXPECT_NEAR(spearman_correlation(a, b), pair["spearman"].get<double>(), 1e-10);
    EXPECT_NEAR(kendall_tau_a(a, b), pair["kendall_tau_a"].get<double>(), 1e-10);
    EXPECT_NEAR(rho_a(a, b), pair["rho_a"].get<double>(), 1e-10);
    EXPECT_EQ(compare_rdms(a, b), spearman_correlation(a, b));
    EXPECT_EQ(compare_rdms(a, b, RdmComparison::pearson), pearson_correlation(a, b));
    EXPECT_EQ(compare_rdms(a, b, RdmComparison::kendall_tau_a), kendall_tau_a(a, b));
    EXPECT_EQ(compare_rdms(a, b, RdmComparison::rho_a), rho_a(a, b));
  }
}

TEST(RdmComparison, TauAAndRhoAOnTiedDataEqualTheirDefinitions) {
  for (std::uint64_t index = 0; index < 20; ++index) {
    SCOPED_TRACE(index);
    const Eigen::Index n = 5 + static_cast<Eigen::Index>(index) * 7;
    const Eigen::VectorXd a = random_levels(n, 1 + static_cast<int>(index % 5), 2 * index);
    const Eigen::VectorXd b = random_levels(n, 2 + static_cast<int>(index % 3), 2 * index + 1);
    EXPECT_NEAR(kendall_tau_a(a, b), brute_force_tau_a(a, b), 1e-14);
    const Eigen::VectorXd ranks_a = average_ranks(a), ranks_b = average_ranks(b);
    const double nd = static_cast<double>(n);
    EXPECT_NEAR(rho_a(a, b), 1.0 - 6.0 * (ranks_a - ranks_b).squaredNorm() / (nd * nd * nd - nd), 1e-14);
  }
  // All tied: no concordant or discordant pair.
  EXPECT_EQ(kendall_tau_a(Eigen::VectorXd::Ones(6), random_levels(6, 3, 99)), 0.0);
  // Without ties, rho-a is Spearman's rho and tau-a is Kendall's tau.
  const Eigen::VectorXd x = random_matrix(30, 1, 4).col(0), y = random_matrix(30, 1, 5).col(0);
  EXPECT_NEAR(rho_a(x, y), spearman_correlation(x, y), 1e-12);
  EXPECT_NEAR(kendall_tau_a(x, x), 1.0, 1e-15);
  EXPECT_NEAR(kendall_tau_a(x, -x), -1.0, 1e-15);
}

TEST(RdmComparison, AverageRanksGiveExactTiesTheirMeanRank) {
  Eigen::VectorXd values(7);
  values << 3.0, 1.0, 3.0, 0.1 + 0.2, 0.3, 3.0, std::nan("");
  // 0.1 + 0.2 != 0.3: not a tie.
  const Eigen::VectorXd ranks = average_ranks(values);
  EXPECT_EQ(ranks(1), 3.0);
  EXPECT_EQ(ranks(4), 1.0);
  EXPECT_EQ(ranks(3), 2.0);
  EXPECT_EQ(ranks(0), 5.0);
  EXPECT_EQ(ranks(2), 5.0);
  EXPECT_EQ(ranks(5), 5.0);
  EXPECT_TRUE(std::isnan(ranks(6)));
}

TEST(RdmComparison, SpearmanIsInvariantToMonotoneTransforms) {
  const Eigen::VectorXd a = random_matrix(45, 1, 6).col(0);
  Eigen::VectorXd b = random_matrix(45, 1, 7).col(0) + a;
  b(3) = b(10);  // a tie, which every transform keeps
  const double rho = spearman_correlation(a, b);
  const Eigen::VectorXd exp_b = b.array().exp();
  const Eigen::VectorXd cube_a = a.array().cube() * 3.0 - 2.0;
  EXPECT_NEAR(spearman_correlation(cube_a, exp_b), rho, 1e-14);
  EXPECT_NEAR(kendall_tau_a(cube_a, exp_b), kendall_tau_a(a, b), 1e-15);
  EXPECT_NEAR(rho_a(cube_a, exp_b), rho_a(a, b), 1e-14);
  EXPECT_NEAR(spearman_correlation(a, -b), -rho, 1e-14);
}

TEST(RdmComparison, NanForNanInputOrConstantVectorsAndErrorsForUnequalLengths) {
  Eigen::VectorXd a = random_matrix(10, 1, 8).col(0), b = random_matrix(10, 1, 9).col(0);
  const Eigen::VectorXd constant = Eigen::VectorXd::Constant(10, 0.25);
  EXPECT_TRUE(std::isnan(compare_rdms(a, constant)));
  EXPECT_TRUE(std::isnan(compare_rdms(constant, b, RdmComparison::pearson)));
  b(4) = std::nan("");
  for (const RdmComparison comparison :
       {RdmComparison::spearman, RdmComparison::pearson, RdmComparison::kendall_tau_a, RdmComparison::rho_a}) {
    EXPECT_TRUE(std::isnan(compare_rdms(a, b, comparison)));
    EXPECT_THROW(compare_rdms(a, Eigen::VectorXd::Zero(9), comparison), std::invalid_argument);
  }
}

}  // namespace
}  // namespace visalign::rsa
