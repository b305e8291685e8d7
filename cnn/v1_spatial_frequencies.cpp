#include "cnn/v1_spatial_frequencies.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace visalign::cnn {

namespace {

double positive_total(const std::vector<double>& counts, const char* what) {
  double total = 0.0;
  for (double count : counts) {
    if (!(count >= 0.0) || !std::isfinite(count)) {
      throw std::invalid_argument(std::string(what) + ": expected finite counts >= 0, found " + std::to_string(count));
    }
    total += count;
  }
  if (!(total > 0.0)) throw std::invalid_argument(std::string(what) + ": expected some positive count, found none");
  return total;
}

// A double in [0, 1) from the top 53 bits of a 64-bit draw (the same on every platform).
double unit_interval(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

}  // namespace

SpatialFrequencyHistogram de_valois_v1_distribution() {
  return {{0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.2}, {0, 3, 3, 6, 17, 22, 18, 19, 9, 4}};
}

std::vector<double> sample_spatial_frequencies(const SpatialFrequencyHistogram& distribution, std::size_t count,
                                               std::uint64_t seed) {
  if (distribution.edges.size() != distribution.counts.size() + 1) {
    throw std::invalid_argument("spatial-frequency distribution: expected one more edge than bins, found " +
                                std::to_string(distribution.edges.size()) + " edges for " +
                                std::to_string(distribution.counts.size()) + " bins");
  }
  const double total = positive_total(distribution.counts, "spatial-frequency distribution");
  std::vector<double> cumulative(distribution.counts.size());
  std::partial_sum(distribution.counts.begin(), distribution.counts.end(), cumulative.begin());
  std::mt19937_64 engine(seed);
  std::vector<double> frequencies(count);
  for (double& frequency : frequencies) {
    const double pick = unit_interval(engine) * total;
    auto bin = static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin());
    bin = std::min(bin, cumulative.size() - 1);  // upper_bound never lands on an empty bin: its cumulative equals the one before
    const double low = std::log(distribution.edges[bin]), high = std::log(distribution.edges[bin + 1]);
    frequency = std::exp(low + unit_interval(engine) * (high - low));
  }
  return frequencies;
}

std::vector<double> bin_spatial_frequencies(const SpatialFrequencyHistogram& bins, const std::vector<double>& frequencies) {
  if (bins.edges.size() < 2) throw std::invalid_argument("spatial-frequency bins: expected at least 2 edges");
  const std::size_t bin_count = bins.edges.size() - 1;
  std::vector<double> counts(bin_count, 0.0);
  for (double frequency : frequencies) {
    if (std::isnan(frequency)) continue;
    auto bin = static_cast<std::ptrdiff_t>(std::upper_bound(bins.edges.begin(), bins.edges.end(), frequency) - bins.edges.begin()) - 1;
    bin = std::clamp<std::ptrdiff_t>(bin, 0, static_cast<std::ptrdiff_t>(bin_count) - 1);
    counts[static_cast<std::size_t>(bin)] += 1.0;
  }
  return counts;
}

double distribution_similarity(const std::vector<double>& counts_a, const std::vector<double>& counts_b) {
  if (counts_a.size() != counts_b.size()) {
    throw std::invalid_argument("distribution similarity: expected counts over the same bins, found " +
                                std::to_string(counts_a.size()) + " and " + std::to_string(counts_b.size()) + " bins");
  }
  const double total_a = positive_total(counts_a, "distribution similarity (first counts)");
  const double total_b = positive_total(counts_b, "distribution similarity (second counts)");
  double cdf_a = 0.0, cdf_b = 0.0, largest = 0.0;
  for (std::size_t bin = 0; bin < counts_a.size(); ++bin) {
    cdf_a += counts_a[bin] / total_a;
    cdf_b += counts_b[bin] / total_b;
    largest = std::max(largest, std::abs(cdf_a - cdf_b));
  }
  return 1.0 - largest;
}

}  // namespace visalign::cnn
