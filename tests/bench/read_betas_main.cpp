// Times fmri::read_betas on each file given: prints "<file> <rows> <columns> <median seconds>" over
// REPEATS reads (default 5) in this process. Used by tests/bench/read_betas.sh.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fmri/betas.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_read_betas FILE... (REPEATS from the environment, default 5)\n");
    return 2;
  }
  const char* repeats_text = std::getenv("REPEATS");
  const int repeats = repeats_text != nullptr ? std::max(1, std::atoi(repeats_text)) : 5;
  for (int i = 1; i < argc; ++i) {
    std::vector<double> seconds;
    Eigen::Index rows = 0, columns = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const Eigen::MatrixXf betas = visalign::fmri::read_betas(argv[i]);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      rows = betas.rows();
      columns = betas.cols();
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("%s %lld %lld %.4f\n", argv[i], static_cast<long long>(rows), static_cast<long long>(columns),
                seconds[seconds.size() / 2]);
  }
  return 0;
}
