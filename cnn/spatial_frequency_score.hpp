#pragma once
// The V1 spatial-frequency score of a model layer (METHODS.md section 2; seed 001, Methods "V1 spatial
// frequency score"): in-silico electrophysiology experiments that each record `units_per_sample` units drawn
// with replacement from the layer's tuned units, each experiment's preferred-frequency histogram over the
// reference (De Valois) bins scored by 1 - max |CDF difference| (distribution_similarity); the mean and SD
// over the experiments. No LibTorch here.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cnn/v1_spatial_frequencies.hpp"

namespace visalign::cnn {

struct SpatialFrequencyScoreOptions {
  std::size_t units_per_sample = 150;  // units recorded per experiment (with replacement)
  std::size_t samples = 1000;          // experiments
  std::uint64_t seed = 0;
};

struct SpatialFrequencyScore {
  double mean = 0, standard_deviation = 0;  // over the experiments; SD with divisor n (numpy.std's default)
  std::vector<double> sample_scores;        // one per experiment, in order
  std::vector<double> counts;               // every unit once, per reference bin (bin_spatial_frequencies)
  double whole_score = 0;                   // distribution_similarity(counts, reference counts)
};

/// Scores the preferred frequencies (cycles/degree, one per tuned unit) against `reference`. Experiment k
/// draws from its own stream (std::mt19937_64 seeded with mix_seed(mix_seed(seed) + k)); unit index =
/// floor(u * n) for u = the top 53 bits of a draw / 2^53, so the draws are the same on every platform and do
/// not depend on the number of experiments. Frequencies outside the reference bins count in the first or last
/// bin (bin_spatial_frequencies). std::invalid_argument for no frequencies, a frequency that is not finite and
/// positive, units_per_sample or samples of 0, or a reference without positive counts.
SpatialFrequencyScore spatial_frequency_score(const std::vector<double>& preferred_cycles_per_degree,
                                              const SpatialFrequencyHistogram& reference = de_valois_v1_distribution(),
                                              const SpatialFrequencyScoreOptions& options = {});

}  // namespace visalign::cnn
