// Times encoding::fit_sparse_models (OMP and ROMP) on a seeded Gaussian design with planted sparse
// targets plus noise. Used by tests/bench/matching_pursuit.sh.
//
// usage: bench_matching_pursuit OUT_DIR [features] [samples] [targets] [sparsity] [threads] [repeats]
// (defaults 290400 40 200 10 2 3). Prints one line per method:
//   <method> <median seconds> <seconds of each run...>
// and writes OUT_DIR/features.npy (float32, samples x features), OUT_DIR/targets.npy (float64,
// samples x targets) and OUT_DIR/omp_supports.txt (one line per target: its OMP support) so that
// the reference fits the same data and the supports can be compared.

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "encoding/matching_pursuit.hpp"
#include "rsa/random_stream.hpp"
#include "rsa/statistics.hpp"

namespace {

using visalign::encoding::PursuitMethod;
using visalign::encoding::PursuitOptions;
using visalign::encoding::RompHalting;
using visalign::encoding::SparseModel;

/// NPY version 1.0, column-major (fortran_order True): the Eigen matrix's bytes as they are.
template <typename Scalar>
void write_npy(const std::string& path, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& matrix, const char* descr) {
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': True, 'shape': (" + std::to_string(matrix.rows()) + ", " +
                       std::to_string(matrix.cols()) + "), }";
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::ofstream stream(path, std::ios::binary);
  stream.write("\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<std::uint16_t>(header.size());
  const char length_bytes[2] = {static_cast<char>(length & 0xFF), static_cast<char>(length >> 8)};
  stream.write(length_bytes, 2);
  stream.write(header.data(), static_cast<std::streamsize>(header.size()));
  stream.write(reinterpret_cast<const char*>(matrix.data()), static_cast<std::streamsize>(sizeof(Scalar) * static_cast<std::size_t>(matrix.size())));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_matching_pursuit OUT_DIR [features] [samples] [targets] [sparsity] [threads] [repeats]\n");
    return 2;
  }
  const std::string out = argv[1];
  const auto argument = [&](int index, long fallback) { return argc > index ? std::atol(argv[index]) : fallback; };
  const Eigen::Index features = argument(2, 290400), samples = argument(3, 40), target_count = argument(4, 200);
  const int sparsity = static_cast<int>(argument(5, 10)), threads = static_cast<int>(argument(6, 2)), repeats = static_cast<int>(argument(7, 3));
  omp_set_num_threads(threads);

  // Design: column j from RandomStream(1, j). Targets: 10 planted columns, weights +-[1, 2],
  // noise of 0.1 x the signal's standard deviation.
  const auto generation_start = std::chrono::steady_clock::now();
  Eigen::MatrixXf x(samples, features);
#pragma omp parallel for schedule(static)
  for (Eigen::Index j = 0; j < features; ++j) {
    visalign::rsa::RandomStream stream(1, static_cast<std::uint64_t>(j));
    for (Eigen::Index i = 0; i < samples; ++i) x(i, j) = static_cast<float>(stream.normal());
  }
  Eigen::MatrixXd y(samples, target_count);
  for (Eigen::Index t = 0; t < target_count; ++t) {
    const std::vector<std::int32_t> support =
        visalign::rsa::subsample(static_cast<std::int32_t>(features), sparsity, 2, static_cast<std::uint64_t>(t));
    visalign::rsa::RandomStream stream(3, static_cast<std::uint64_t>(t));
    Eigen::VectorXd signal = Eigen::VectorXd::Zero(samples);
    for (const std::int32_t j : support) signal += (1.0 + stream.uniform()) * (stream.uniform() < 0.5 ? -1.0 : 1.0) * x.col(j).cast<double>();
    const double sd = std::sqrt((signal.array() - signal.mean()).square().sum() / static_cast<double>(samples - 1));
    for (Eigen::Index i = 0; i < samples; ++i) y(i, t) = signal(i) + 0.1 * sd * stream.normal();
  }
  const double generation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - generation_start).count();
  std::printf("data %lld x %lld float design, %lld targets, generated in %.2f s\n", static_cast<long long>(samples),
              static_cast<long long>(features), static_cast<long long>(target_count), generation_seconds);

  struct Method {
    std::string name;
    PursuitOptions options;
  };
  std::vector<Method> methods(3);
  methods[0].name = "omp";
  methods[0].options.method = PursuitMethod::omp;
  methods[1].name = "romp";  // the published halting (the default)
  methods[1].options.method = PursuitMethod::romp;
  methods[2].name = "romp_support_size";
  methods[2].options.method = PursuitMethod::romp;
  methods[2].options.romp_halting = RompHalting::support_size;
  std::vector<SparseModel> omp_models;
  for (Method& method : methods) {
    method.options.sparsity = sparsity;
    method.options.constant_column = false;  // as sklearn's orthogonal_mp (no intercept)
    std::vector<double> seconds;
    double mean_size = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      std::vector<SparseModel> models = visalign::encoding::fit_sparse_models(x, y, method.options);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      mean_size = 0;
      for (const SparseModel& model : models) mean_size += static_cast<double>(model.support.size()) / static_cast<double>(models.size());
      if (method.name == "omp") omp_models = std::move(models);
    }
    std::vector<double> sorted = seconds;
    std::sort(sorted.begin(), sorted.end());
    std::printf("%s %.4f", method.name.c_str(), sorted[sorted.size() / 2]);
    for (const double s : seconds) std::printf(" %.4f", s);
    std::printf(" mean_support %.2f\n", mean_size);
  }

  write_npy(out + "/features.npy", x, "<f4");
  write_npy(out + "/targets.npy", y, "<f8");
  std::ofstream supports(out + "/omp_supports.txt");
  for (const SparseModel& model : omp_models) {
    for (std::size_t k = 0; k < model.support.size(); ++k) supports << (k ? " " : "") << model.support[k];
    supports << '\n';
  }
  return 0;
}
