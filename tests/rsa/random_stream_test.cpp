// Random streams: a pure function of (seed, index), uniform and normal in distribution.

#include <gtest/gtest.h>

#include <cmath>

#include "rsa/random_stream.hpp"

namespace visalign::rsa {
namespace {

TEST(RandomStream, SameSeedAndIndexSameNumbersOtherwiseDifferent) {
  RandomStream a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_bits();
    EXPECT_EQ(x, b.next_bits());
    EXPECT_NE(x, c.next_bits());
    EXPECT_NE(x, d.next_bits());
  }
}

TEST(RandomStream, MomentsOfUniformAndNormal) {
  RandomStream stream(1, 0);
  constexpr int kDraws = 200000;
  double sum = 0, sum_squares = 0, normal_sum = 0, normal_squares = 0, normal_fourth = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double u = stream.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_squares += u * u;
    const double z = stream.normal();
    normal_sum += z;
    normal_squares += z * z;
    normal_fourth += z * z * z * z;
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
  EXPECT_NEAR(sum_squares / kDraws, 1.0 / 3.0, 0.005);
  EXPECT_NEAR(normal_sum / kDraws, 0.0, 0.01);
  EXPECT_NEAR(normal_squares / kDraws, 1.0, 0.01);
  EXPECT_NEAR(normal_fourth / kDraws, 3.0, 0.06);
}

TEST(RandomStream, BelowIsUnbiased) {
  RandomStream stream(5, 5);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[stream.below(7)];
  for (const int count : counts) EXPECT_NEAR(count, 10000, 400);
}

}  // namespace
}  // namespace visalign::rsa
