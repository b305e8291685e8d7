#include "cnn/spatial_frequency_score.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "cnn/seed_streams.hpp"

namespace visalign::cnn {

SpatialFrequencyScore spatial_frequency_score(const std::vector<double>& preferred_cycles_per_degree,
                                              const SpatialFrequencyHistogram& reference, const SpatialFrequencyScoreOptions& options) {
  const std::vector<double>& preferred = preferred_cycles_per_degree;
  if (preferred.empty()) throw std::invalid_argument("spatial-frequency score: expected some tuned units, found none");
  for (const double frequency : preferred) {
    if (!(frequency > 0.0) || !std::isfinite(frequency)) {
      throw std::invalid_argument("spatial-frequency score: expected preferred frequencies > 0 (cycles/degree), found " +
                                  std::to_string(frequency));
    }
  }
  if (options.units_per_sample == 0) throw std::invalid_argument("spatial-frequency score: expected units_per_sample >= 1, found 0");
  if (options.samples == 0) throw std::invalid_argument("spatial-frequency score: expected samples >= 1, found 0");

  SpatialFrequencyScore score;
  score.counts = bin_spatial_frequencies(reference, preferred);
  score.whole_score = distribution_similarity(score.counts, reference.counts);  // also checks the reference

  // Each unit's bin once, so that an experiment only counts bins.
  std::vector<std::size_t> bin_of_unit(preferred.size());
  for (std::size_t unit = 0; unit < preferred.size(); ++unit) {
    const std::vector<double> one = bin_spatial_frequencies(reference, {preferred[unit]});
    for (std::size_t bin = 0; bin < one.size(); ++bin) {
      if (one[bin] > 0) bin_of_unit[unit] = bin;
    }
  }
  const double units = static_cast<double>(preferred.size());
  score.sample_scores.resize(options.samples);
  for (std::size_t sample = 0; sample < options.samples; ++sample) {
    std::mt19937_64 engine(detail::mix_seed(detail::mix_seed(options.seed) + sample));
    std::vector<double> counts(reference.counts.size(), 0.0);
    for (std::size_t draw = 0; draw < options.units_per_sample; ++draw) {
      const double uniform = static_cast<double>(engine() >> 11) * 0x1.0p-53;  // [0, 1)
      const auto unit = std::min(static_cast<std::size_t>(uniform * units), preferred.size() - 1);
      counts[bin_of_unit[unit]] += 1.0;
    }
    score.sample_scores[sample] = distribution_similarity(counts, reference.counts);
  }
  // Deviations from the first score: a constant series gets its value as the mean and an SD of exactly 0.
  const double first = score.sample_scores.front();
  double deviations = 0.0;
  for (const double value : score.sample_scores) deviations += value - first;
  score.mean = first + deviations / static_cast<double>(options.samples);
  double squares = 0.0;
  for (const double value : score.sample_scores) squares += (value - score.mean) * (value - score.mean);
  score.standard_deviation = std::sqrt(squares / static_cast<double>(options.samples));
  return score;
}

}  // namespace visalign::cnn
