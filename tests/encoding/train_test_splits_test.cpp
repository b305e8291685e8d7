// Repeated random train/test splits: sizes, disjointness, ascending order, the seeded permutation
// they come from, reproducibility and balance (each sample in the test set about 1 - fraction of
// the time), and the rejected arguments.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/train_test_splits.hpp"
#include "rsa/statistics.hpp"

namespace visalign::encoding {
namespace {

TEST(TrainTestSplits, TwentySplitsOfSeventyFiveTwentyFive) {
  const std::vector<TrainTestSplit> splits = train_test_splits(40, 20, 0.75, 7);
  ASSERT_EQ(splits.size(), 20u);
  for (std::size_t i = 0; i < splits.size(); ++i) {
    const TrainTestSplit& split = splits[i];
    ASSERT_EQ(split.train.size(), 30u);
    ASSERT_EQ(split.test.size(), 10u);
    EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));
    EXPECT_TRUE(std::is_sorted(split.test.begin(), split.test.end()));
    std::vector<std::int32_t> all = split.train;
    all.insert(all.end(), split.test.begin(), split.test.end());
    std::sort(all.begin(), all.end());
    std::vector<std::int32_t> expected(40);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(all, expected) << "split " << i << " is not a partition of 0..39";
    // The first 30 of label_permutation(40, seed, i), sorted.
    std::vector<std::int32_t> permutation = rsa::label_permutation(40, 7, i);
    std::vector<std::int32_t> train(permutation.begin(), permutation.begin() + 30);
    std::sort(train.begin(), train.end());
    EXPECT_EQ(split.train, train);
  }
  EXPECT_NE(splits[0].test, splits[1].test);
  const std::vector<TrainTestSplit> again = train_test_splits(40, 20, 0.75, 7);
  for (std::size_t i = 0; i < splits.size(); ++i) EXPECT_EQ(splits[i].test, again[i].test);
  EXPECT_NE(train_test_splits(40, 1, 0.75, 8)[0].test, splits[0].test);
  std::cout << "[ figures  ] split 0 of 20 (75/25 of 40, seed 7): test =";
  for (const std::int32_t sample : splits[0].test) std::cout << " " << sample;
  std::cout << "\n";
}

TEST(TrainTestSplits, EverySampleIsTestedAboutEquallyOften) {
  const int repetitions = 2000;
  const std::vector<TrainTestSplit> splits = train_test_splits(40, repetitions, 0.75, 3);
  std::vector<int> tested(40, 0);
  for (const TrainTestSplit& split : splits) {
    for (const std::int32_t sample : split.test) ++tested[static_cast<std::size_t>(sample)];
  }
  // Expected 500 per sample, standard deviation about 19.
  for (std::size_t sample = 0; sample < tested.size(); ++sample) EXPECT_NEAR(tested[sample], 500, 100) << sample;
}

TEST(TrainTestSplits, RoundsTheTrainingSize) {
  EXPECT_EQ(train_test_splits(10, 1, 0.75, 0)[0].train.size(), 8u);  // 7.5 rounds away from zero
  EXPECT_EQ(train_test_splits(10, 1, 0.74, 0)[0].train.size(), 7u);
  EXPECT_EQ(train_test_splits(2, 1, 0.5, 0)[0].train.size(), 1u);
  EXPECT_TRUE(train_test_splits(10, 0, 0.5, 0).empty());
}

TEST(TrainTestSplits, RejectsEmptySidesAndBadArguments) {
  const auto expect_rejected = [](std::int32_t samples, int splits, double fraction, const std::string& fragment) {
    try {
      train_test_splits(samples, splits, fraction, 0);
      ADD_FAILURE() << "expected std::invalid_argument for " << samples << " samples, fraction " << fraction;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  expect_rejected(1, 5, 0.5, "at least 2 samples, found 1");
  expect_rejected(0, 5, 0.5, "at least 2 samples, found 0");
  expect_rejected(10, 5, 0.01, "gives 0 training samples");
  expect_rejected(10, 5, 0.97, "gives 10 training samples");
  expect_rejected(10, 5, 0.0, "gives 0 training samples");
  expect_rejected(10, 5, 1.0, "gives 10 training samples");
  expect_rejected(10, 5, -3.0, "training samples");
  expect_rejected(10, 5, std::nan(""), "finite train fraction");
  expect_rejected(10, -1, 0.5, "splits >= 0, found -1");
}

}  // namespace
}  // namespace visalign::encoding
