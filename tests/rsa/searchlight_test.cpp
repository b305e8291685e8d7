// The searchlight engine against a straightforward per-vertex computation (compute_rdm,
// compare_rdms, explicit relabelled RDMs), with ties; thread and range invariance; undefined disks;
// argument checks.

#include <gtest/gtest.h>

#include <cmath>

#include "rsa/random_stream.hpp"
#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"
#include "rsa/searchlight.hpp"
#include "rsa/statistics.hpp"

namespace visalign::rsa {
namespace {

using Betas = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Problem {
  Betas betas;
  std::vector<std::int64_t> offsets;
  std::vector<std::int32_t> members;
  std::vector<ConditionSet> sets;
  std::vector<SearchlightMeasure> measures;
};

/// `vertices` vertices on a ring, disks of the 2*half+1 nearest; `n` conditions in 4 sets (A1, B1,
/// A2, B2: two "presentations"); integer-valued betas when `tied` (so RDM entries tie).
Problem make_problem(int vertices, int half, int n, bool tied, std::uint64_t seed) {
  Problem problem;
  problem.betas.resize(vertices, 4 * n);
  RandomStream random(seed, 0);
  for (int v = 0; v < vertices; ++v) {
    for (int c = 0; c < 4 * n; ++c) {
      const double value = random.normal() + (c % (2 * n) >= n ? 0.5 * problem.betas(v, c - n) : 0.0);  // B resembles A
      problem.betas(v, c) = static_cast<float>(tied ? std::round(value * 1.5) : value);
    }
  }
  problem.offsets.push_back(0);
  for (int v = 0; v < vertices; ++v) {
    for (int d = -half; d <= half; ++d) problem.members.push_back((v + d + vertices) % vertices);
    problem.offsets.push_back(static_cast<std::int64_t>(problem.members.size()));
  }
  for (int s = 0; s < 4; ++s) {
    ConditionSet set;
    for (int i = 0; i < n; ++i) set.push_back(s * n + i);
    problem.sets.push_back(set);
  }
  problem.measures = {{"A-B", {{0, 1}, {2, 3}}}, {"A-A", {{0, 2}}}};
  return problem;
}

/// The straightforward way: RDMs with compute_rdm, relabelled matrices for the null.
std::pair<double, double> reference(const Problem& problem, int vertex, const SearchlightMeasure& measure, int permutations,
                                    std::uint64_t seed) {
  const auto begin = problem.offsets[static_cast<std::size_t>(vertex)], end = problem.offsets[static_cast<std::size_t>(vertex) + 1];
  std::vector<Eigen::MatrixXd> rdms;
  for (const auto& set : problem.sets) {
    Eigen::MatrixXd patterns(static_cast<Eigen::Index>(set.size()), end - begin);
    for (auto j = begin; j < end; ++j) {
      for (std::size_t i = 0; i < set.size(); ++i) {
        patterns(static_cast<Eigen::Index>(i), j - begin) = problem.betas(problem.members[static_cast<std::size_t>(j)], set[i]);
      }
    }
    rdms.push_back(compute_rdm(patterns));
  }
  auto statistic = [&](const std::vector<std::int32_t>& labels) {
    double sum = 0;
    for (const auto& c : measure.comparisons) {
      const Eigen::MatrixXd& first = rdms[static_cast<std::size_t>(c.first)];
      Eigen::MatrixXd relabelled(first.rows(), first.cols());
      for (Eigen::Index i = 0; i < first.rows(); ++i) {
        for (Eigen::Index j = 0; j < first.cols(); ++j) relabelled(i, j) = first(labels[static_cast<std::size_t>(i)], labels[static_cast<std::size_t>(j)]);
      }
      sum += compare_rdms(upper_triangle(relabelled), upper_triangle(rdms[static_cast<std::size_t>(c.second)]));
    }
    return sum / static_cast<double>(measure.comparisons.size());
  };
  const auto n = static_cast<std::int32_t>(problem.sets.front().size());
  std::vector<std::int32_t> identity(static_cast<std::size_t>(n));
  for (std::int32_t i = 0; i < n; ++i) identity[static_cast<std::size_t>(i)] = i;
  const double observed = statistic(identity);
  int exceed = 0;
  for (int k = 0; k < permutations; ++k) {
    exceed += statistic(label_permutation(n, seed, static_cast<std::uint64_t>(k))) >= observed - 1e-12 ? 1 : 0;
  }
  return {observed, (1.0 + exceed) / (1.0 + permutations)};
}

class SearchlightAgainstReference : public ::testing::TestWithParam<bool> {};

TEST_P(SearchlightAgainstReference, SimilaritiesAndPValuesMatch) {
  const bool tied = GetParam();
  const Problem problem = make_problem(70, 3, 9, tied, tied ? 11 : 12);
  SearchlightOptions options;
  options.permutations = 150;
  options.seed = 99;
  options.threads = 2;
  const SearchlightResult result = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets,
                                                   problem.measures, options);
  ASSERT_EQ(result.similarity.rows(), 70);
  for (int v = 0; v < 70; v += 3) {
    for (std::size_t m = 0; m < problem.measures.size(); ++m) {
      const auto [r, p] = reference(problem, v, problem.measures[m], options.permutations, options.seed);
      EXPECT_NEAR(result.similarity(v, static_cast<Eigen::Index>(m)), r, 1e-12) << "vertex " << v;
      EXPECT_DOUBLE_EQ(result.p_value(v, static_cast<Eigen::Index>(m)), p) << "vertex " << v;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ContinuousAndTied, SearchlightAgainstReference, ::testing::Values(false, true));

TEST(Searchlight, IdenticalForAnyThreadCountAndVertexSplit) {
  const Problem problem = make_problem(150, 4, 12, false, 5);
  SearchlightOptions options;
  options.permutations = 100;
  options.seed = 3;
  options.threads = 1;
  const SearchlightResult one = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets, problem.measures, options);
  options.threads = 2;
  const SearchlightResult two = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets, problem.measures, options);
  EXPECT_TRUE(one.similarity.cwiseEqual(two.similarity).all());
  EXPECT_TRUE(one.p_value.cwiseEqual(two.p_value).all());
  // Two "processes": ranges [0, 77) and [77, 150).
  const SearchlightResult low = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets, problem.measures, options, 0, 77);
  const SearchlightResult high = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets, problem.measures, options, 77, 150);
  EXPECT_TRUE(low.similarity.cwiseEqual(one.similarity.topRows(77)).all());
  EXPECT_TRUE(high.p_value.cwiseEqual(one.p_value.bottomRows(73)).all());
}

TEST(Searchlight, ConstantPatternsAndEmptyDisksAreUndefinedNotFatal) {
  Problem problem = make_problem(40, 2, 6, false, 8);
  for (int c = 0; c < problem.betas.cols(); ++c) {
    for (int v = 10; v <= 14; ++v) problem.betas(v, c) = 2.5f;  // the disk of vertex 12 is constant
  }
  problem.offsets = {0};
  std::vector<std::int32_t> members;
  for (int v = 0; v < 40; ++v) {
    if (v != 30) {  // vertex 30: empty disk
      for (int d = -2; d <= 2; ++d) members.push_back((v + d + 40) % 40);
    }
    problem.offsets.push_back(static_cast<std::int64_t>(members.size()));
  }
  problem.members = members;
  SearchlightOptions options;
  options.permutations = 20;
  const SearchlightResult result = searchlight_rsa(problem.betas, {problem.offsets, problem.members}, problem.sets, problem.measures, options);
  EXPECT_TRUE(std::isnan(result.similarity(12, 0)));
  EXPECT_TRUE(std::isnan(result.p_value(12, 0)));
  EXPECT_TRUE(std::isnan(result.similarity(30, 1)));
  EXPECT_EQ(result.undefined_vertices, (std::vector<std::int32_t>{12, 30}));
  EXPECT_FALSE(std::isnan(result.similarity(0, 0)));
}

TEST(Searchlight, ArgumentsAreCheckedBeforeWork) {
  Problem problem = make_problem(20, 1, 6, false, 1);
  SearchlightOptions options;
  const SearchlightDisks disks{problem.offsets, problem.members};
  auto sets = problem.sets;
  sets[1].pop_back();  // unequal condition sets
  EXPECT_THROW(searchlight_rsa(problem.betas, disks, sets, problem.measures, options), std::invalid_argument);
  std::vector<ConditionSet> two_conditions = {{0, 1}, {2, 3}};
  EXPECT_THROW(searchlight_rsa(problem.betas, disks, two_conditions, {{"x", {{0, 1}}}}, options), std::invalid_argument);
  EXPECT_THROW(searchlight_rsa(problem.betas, disks, problem.sets, {{"x", {{0, 9}}}}, options), std::invalid_argument);
  sets = problem.sets;
  sets[0][0] = 999;  // no such beta column
  EXPECT_THROW(searchlight_rsa(problem.betas, disks, sets, problem.measures, options), std::invalid_argument);
  options.comparison = RdmComparison::kendall_tau_a;
  EXPECT_THROW(searchlight_rsa(problem.betas, disks, problem.sets, problem.measures, options), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::rsa
