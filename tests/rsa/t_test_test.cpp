// Two-sample t-tests against scipy.stats.ttest_ind (tests/fixtures/make_t_test_fixture.py).

#include <gtest/gtest.h>

#include <cmath>

#include "rsa/t_test.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::rsa {
namespace {

TEST(TwoSampleTTest, EqualsScipyToTenDecimals) {
  const auto fixture = visalign::testing::read_fixture_json("t_test_fixture.json");
  const auto rows = static_cast<Eigen::Index>(fixture["data"].size());
  const auto columns = static_cast<Eigen::Index>(fixture["data"][0].size());
  Eigen::MatrixXf data(rows, columns);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < columns; ++c) data(r, c) = fixture["data"][r][c].get<float>();
  }
  const auto group_a = fixture["group_a"].get<std::vector<Eigen::Index>>();
  const auto group_b = fixture["group_b"].get<std::vector<Eigen::Index>>();
  const TTestResult result = two_sample_t_test(data, group_a, group_b);
  EXPECT_EQ(result.degrees_of_freedom, 12);
  for (Eigen::Index r = 0; r < rows; ++r) {
    SCOPED_TRACE(r);
    if (fixture["t"][r].is_null()) {
      EXPECT_TRUE(std::isnan(result.t(r)));
      EXPECT_TRUE(std::isnan(result.p(r)));
      continue;
    }
    const double t = fixture["t"][r].get<double>(), p = fixture["p"][r].get<double>();
    EXPECT_NEAR(result.t(r), t, 1e-10 * std::max(1.0, std::abs(t)));
    EXPECT_NEAR(result.p(r), p, 1e-10 * std::max(1e-300, 1.0)) << "p " << p;
    EXPECT_NEAR(result.p(r) / p, 1.0, 1e-8);  // relative agreement for tiny p too
  }
}

TEST(TwoSampleTTest, SymmetryAndArguments) {
  Eigen::MatrixXf data(2, 6);
  data << 1, 2, 3, 7, 8, 9,  //
      4, 4, 5, 4, 5, 5;
  const TTestResult forward = two_sample_t_test(data, {0, 1, 2}, {3, 4, 5});
  const TTestResult backward = two_sample_t_test(data, {3, 4, 5}, {0, 1, 2});
  EXPECT_NEAR(forward.t(0), -backward.t(0), 1e-12);
  EXPECT_NEAR(forward.p(0), backward.p(0), 1e-15);
  EXPECT_LT(forward.t(0), 0);
  EXPECT_THROW(two_sample_t_test(data, {}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(two_sample_t_test(data, {0}, {1}), std::invalid_argument);
  EXPECT_THROW(two_sample_t_test(data, {0, 1}, {9}), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::rsa
