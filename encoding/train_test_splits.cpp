#include "encoding/train_test_splits.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "rsa/statistics.hpp"

namespace visalign::encoding {

std::vector<TrainTestSplit> train_test_splits(std::int32_t samples, int splits, double train_fraction, std::uint64_t seed) {
  if (samples < 2) {
    throw std::invalid_argument("train_test_splits: expected at least 2 samples, found " + std::to_string(samples));
  }
  if (splits < 0) throw std::invalid_argument("train_test_splits: expected splits >= 0, found " + std::to_string(splits));
  if (!std::isfinite(train_fraction)) {
    throw std::invalid_argument("train_test_splits: expected a finite train fraction, found " + std::to_string(train_fraction));
  }
  const double scaled = train_fraction * static_cast<double>(samples);
  const long train_size = std::lround(std::clamp(scaled, -1.0, static_cast<double>(samples) + 1.0));
  if (train_size < 1 || train_size > samples - 1) {
    throw std::invalid_argument("train_test_splits: train fraction " + std::to_string(train_fraction) + " of " +
                                std::to_string(samples) + " samples gives " + std::to_string(train_size) +
                                " training samples; expected 1.." + std::to_string(samples - 1) +
                                " so that neither side is empty");
  }
  std::vector<TrainTestSplit> result(static_cast<std::size_t>(splits));
  for (int split = 0; split < splits; ++split) {
    const std::vector<std::int32_t> permutation = rsa::label_permutation(samples, seed, static_cast<std::uint64_t>(split));
    TrainTestSplit& current = result[static_cast<std::size_t>(split)];
    current.train.assign(permutation.begin(), permutation.begin() + train_size);
    current.test.assign(permutation.begin() + train_size, permutation.end());
    std::sort(current.train.begin(), current.train.end());
    std::sort(current.test.begin(), current.test.end());
  }
  return result;
}

}  // namespace visalign::encoding
