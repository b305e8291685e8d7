#pragma once
// Repeated random train/test splits of the samples (e.g. 20 splits of 75/25 for the V1
// predictivity): split i is drawn from RandomStream(seed, i), so it is the same for any number of
// threads or processes.

#include <cstdint>
#include <vector>

namespace visalign::encoding {

struct TrainTestSplit {
  std::vector<std::int32_t> train, test;  // ascending sample indices; together 0..samples-1, disjoint
};

/// Split i: the permutation rsa::label_permutation(samples, seed, i) of 0..samples-1; its first
/// round(train_fraction * samples) entries (std::lround, halves away from zero) are train, the rest
/// test, each sorted. std::invalid_argument for samples < 2, splits < 0, a train fraction that is
/// not finite, or one that would leave either side empty.
std::vector<TrainTestSplit> train_test_splits(std::int32_t samples, int splits, double train_fraction, std::uint64_t seed);

}  // namespace visalign::encoding
