#pragma once
// Independent random streams from one seed: splitmix64 (Steele, Lea, Flood 2014) decorrelates
// neighbouring values, so (seed, epoch, batch, image) can each get a stream of their own. Internal to cnn.

#include <cstdint>

namespace visalign::cnn::detail {

inline std::uint64_t mix_seed(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace visalign::cnn::detail
