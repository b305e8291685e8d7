#pragma once
// Reproducible random numbers: stream `index` of a run with `seed` is a pure function of
// (seed, index), so permutation i, bootstrap sample i or simulated vertex i is the same for any
// number of threads or MPI processes, and on any platform (no std:: distributions, whose
// algorithms differ between standard libraries).

#include <cstdint>

namespace visalign::rsa {

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint64_t index);

  /// 64 uniformly random bits (xoshiro256**).
  std::uint64_t next_bits();
  /// Uniform in [0, 1), 53 bits.
  double uniform();
  /// Uniform integer in [0, bound) without modulo bias; bound > 0.
  std::uint64_t below(std::uint64_t bound);
  /// Standard normal (Marsaglia polar method).
  double normal();

 private:
  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

}  // namespace visalign::rsa
