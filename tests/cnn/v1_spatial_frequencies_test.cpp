// The De Valois V1 spatial-frequency distribution, sampling from it, binning and the CDF similarity
// (cnn/v1_spatial_frequencies.hpp): the table against METHODS.md, sampling against its defining
// probabilities (chi-square per bin, log-uniform inside a bin), binning at the edges, and the
// similarity on hand-computed cases and its invariances.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "cnn/v1_spatial_frequencies.hpp"

namespace visalign::cnn {
namespace {

TEST(V1SpatialFrequencies, DeValoisTableIsMethodsTable) {
  const SpatialFrequencyHistogram table = de_valois_v1_distribution();
  EXPECT_EQ(table.edges, (std::vector<double>{0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.2}));
  EXPECT_EQ(table.counts, (std::vector<double>{0, 3, 3, 6, 17, 22, 18, 19, 9, 4}));
  EXPECT_EQ(std::accumulate(table.counts.begin(), table.counts.end(), 0.0), 101.0);
}

TEST(V1SpatialFrequencies, SamplesFollowTheBinProbabilitiesAndAreLogUniformInsideBins) {
  const SpatialFrequencyHistogram table = de_valois_v1_distribution();
  const std::size_t draws = 20000;
  const std::vector<double> frequencies = sample_spatial_frequencies(table, draws, 11);
  ASSERT_EQ(frequencies.size(), draws);
  const std::vector<double> counts = bin_spatial_frequencies(table, frequencies);
  const double total = std::accumulate(table.counts.begin(), table.counts.end(), 0.0);
  double chi_square = 0;
  int degrees = -1;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    const double expected = static_cast<double>(draws) * table.counts[b] / total;
    if (expected == 0) {
      EXPECT_EQ(counts[b], 0) << "bin " << b << " has no cells and must never be drawn";
      continue;
    }
    chi_square += (counts[b] - expected) * (counts[b] - expected) / expected;
    ++degrees;
  }
  // 8 degrees of freedom: P(chi-square > 26.1) = 0.001.
  std::cout << draws << " draws: chi-square " << chi_square << " over " << degrees << " degrees of freedom" << std::endl;
  EXPECT_LT(chi_square, 26.1);

  // Inside a bin [a, b) the draws are log-uniform: log f is uniform, mean (log a + log b) / 2, variance (log b - log a)^2 / 12.
  const std::size_t bin = 5;  // 2.0 .. 2.8 c/deg, 22 of 101 cells
  const double low = std::log(table.edges[bin]), high = std::log(table.edges[bin + 1]);
  std::vector<double> logs;
  for (double f : frequencies) {
    if (f >= table.edges[bin] && f < table.edges[bin + 1]) logs.push_back(std::log(f));
  }
  ASSERT_GT(logs.size(), 3000u);
  const double n = static_cast<double>(logs.size());
  const double mean = std::accumulate(logs.begin(), logs.end(), 0.0) / n;
  double variance = 0;
  for (double v : logs) variance += (v - mean) * (v - mean);
  variance /= n - 1;
  const double width = high - low;
  EXPECT_NEAR(mean, (low + high) / 2, 4 * width / std::sqrt(12 * n));
  EXPECT_NEAR(variance, width * width / 12, 0.1 * width * width / 12);
  for (double f : frequencies) {
    EXPECT_GE(f, table.edges.front());
    EXPECT_LE(f, table.edges.back());
  }
}

TEST(V1SpatialFrequencies, SamplingIsDeterministicForASeed) {
  const SpatialFrequencyHistogram table = de_valois_v1_distribution();
  EXPECT_EQ(sample_spatial_frequencies(table, 500, 3), sample_spatial_frequencies(table, 500, 3));
  EXPECT_NE(sample_spatial_frequencies(table, 500, 3), sample_spatial_frequencies(table, 500, 4));
  // A longer draw starts with the shorter one: the count does not change the stream.
  const std::vector<double> shorter = sample_spatial_frequencies(table, 100, 3), longer = sample_spatial_frequencies(table, 500, 3);
  EXPECT_TRUE(std::equal(shorter.begin(), shorter.end(), longer.begin()));
  EXPECT_THROW(sample_spatial_frequencies({{1.0, 2.0}, {0.0}}, 10, 1), std::invalid_argument);
}

TEST(V1SpatialFrequencies, BinningIsLeftClosedAndClampsTheEnds) {
  const SpatialFrequencyHistogram bins{{1.0, 2.0, 4.0}, {0, 0}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // 1 and 2 are left edges (their bins); 4 is the closed right end; 0.5 below and 9 above go to the end bins; NaN is dropped.
  EXPECT_EQ(bin_spatial_frequencies(bins, {1.0, 1.99, 2.0, 3.9, 4.0, 0.5, 9.0, nan}), (std::vector<double>{3, 4}));
  EXPECT_EQ(bin_spatial_frequencies(bins, {}), (std::vector<double>{0, 0}));
}

TEST(V1SpatialFrequencies, SimilarityIsOneMinusTheLargestCdfDifference) {
  EXPECT_DOUBLE_EQ(distribution_similarity({1, 2, 3}, {1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(distribution_similarity({1, 2, 3}, {10, 20, 30}), 1.0);  // shapes, not totals
  EXPECT_DOUBLE_EQ(distribution_similarity({1, 0}, {0, 1}), 0.0);          // disjoint
  // CDFs (0.5, 1) and (1, 1): largest difference 0.5.
  EXPECT_DOUBLE_EQ(distribution_similarity({1, 1}, {1, 0}), 0.5);
  // CDFs (0.25, 0.5, 1) and (0, 0.75, 1): differences 0.25, 0.25, 0.
  EXPECT_DOUBLE_EQ(distribution_similarity({1, 1, 2}, {0, 3, 1}), 0.75);
  // Symmetric.
  EXPECT_DOUBLE_EQ(distribution_similarity({0, 3, 1}, {1, 1, 2}), 0.75);
  const std::vector<double> de_valois = de_valois_v1_distribution().counts;
  // A model with every unit in the top bin: the largest CDF gap is the V1 mass below it, 97 / 101.
  std::vector<double> top(de_valois.size(), 0.0);
  top.back() = 150;
  EXPECT_NEAR(distribution_similarity(top, de_valois), 4.0 / 101.0, 1e-12);
  EXPECT_THROW(distribution_similarity({1, 2}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(distribution_similarity({0, 0}, {1, 2}), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::cnn
