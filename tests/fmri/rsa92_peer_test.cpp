// The real peer check of RDM comparison: human versus monkey IT RDMs of Kriegeskorte et al. 2008
// (../shared/data/rsa92, read with fmri::read_npy), compared by rsa::compare_rdms, against scipy's
// spearmanr/pearsonr and an explicit tau-a (tests/fixtures/make_rsa_fixtures.py). It lives in the
// fmri suite because the rsa suite reads no files.

#include <gtest/gtest.h>

#include "fmri/npy.hpp"
#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"
#include "tests/fixture_json.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

TEST(Rsa92Peer, HumanVersusMonkeyItEqualsScipy) {
  const auto human_path = visalign::testing::shared_data("rsa92/rdm_human_IT_kriegeskorte2008_fig1.npy");
  const auto monkey_path = visalign::testing::shared_data("rsa92/rdm_monkey_IT_kriegeskorte2008_fig1.npy");
  VISALIGN_REQUIRE_FILE(human_path);
  VISALIGN_REQUIRE_FILE(monkey_path);
  const Eigen::MatrixXd human = npy_matrix(read_npy(human_path), human_path.string());
  const Eigen::MatrixXd monkey = npy_matrix(read_npy(monkey_path), monkey_path.string());
  ASSERT_EQ(human.rows(), 92);
  ASSERT_EQ(human.cols(), 92);
  ASSERT_EQ(monkey.rows(), 92);
  ASSERT_EQ(monkey.cols(), 92);

  const Eigen::VectorXd h = rsa::upper_triangle(human), m = rsa::upper_triangle(monkey);
  const auto fixture = visalign::testing::read_fixture_json("rsa_fixtures.json")["rsa92_human_vs_monkey_it"];
  ASSERT_EQ(h.size(), fixture["entries"].get<Eigen::Index>());
  EXPECT_NEAR(rsa::compare_rdms(h, m), fixture["spearman"].get<double>(), 1e-10);
  EXPECT_NEAR(rsa::compare_rdms(h, m, rsa::RdmComparison::pearson), fixture["pearson"].get<double>(), 1e-10);
  EXPECT_NEAR(rsa::compare_rdms(h, m, rsa::RdmComparison::kendall_tau_a), fixture["kendall_tau_a"].get<double>(), 1e-10);
  EXPECT_NEAR(rsa::compare_rdms(h, m, rsa::RdmComparison::rho_a), fixture["rho_a"].get<double>(), 1e-10);
  // Symmetric comparisons.
  EXPECT_NEAR(rsa::compare_rdms(m, h), rsa::compare_rdms(h, m), 1e-14);
}

}  // namespace
}  // namespace visalign::fmri
