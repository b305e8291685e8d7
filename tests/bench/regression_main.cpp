// Times the dense regression and PCA routines of visalign::encoding on the sizes of the V1-predictivity
// pipeline, for tests/bench/regression.sh (which times scikit-learn on the same matrices with
// tests/bench/regression_reference.py). Usage:
//   bench_regression DIRECTORY [REPEATS]
// writes the input matrices to DIRECTORY as raw little-endian float64, row-major (x.f64: 4688 x 1000
// features, y.f64: 4688 x 166 targets, pca.f64: 1000 x 20000), then prints one line per task:
//   <task> <median seconds over REPEATS (default 3)> <check value>
// Data generation and writing are not timed. Threads: OMP_NUM_THREADS (the script sets 2).

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/pls_regression.hpp"
#include "encoding/principal_components.hpp"
#include "encoding/ridge_regression.hpp"
#include "rsa/random_stream.hpp"

namespace {

using Eigen::Index;
using Eigen::MatrixXd;

MatrixXd normal_matrix(Index rows, Index columns, std::uint64_t seed) {
  MatrixXd matrix(rows, columns);
#pragma omp parallel for schedule(static)
  for (Index c = 0; c < columns; ++c) {
    visalign::rsa::RandomStream stream(seed, static_cast<std::uint64_t>(c));
    for (Index r = 0; r < rows; ++r) matrix(r, c) = stream.normal();
  }
  return matrix;
}

void write_row_major(const std::string& path, const MatrixXd& matrix) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = matrix;
  std::ofstream stream(path, std::ios::binary);
  stream.write(reinterpret_cast<const char*>(row_major.data()), static_cast<std::streamsize>(row_major.size() * sizeof(double)));
  if (!stream) throw std::runtime_error("cannot write " + path);
}

double median_seconds(int repeats, const std::function<void()>& task) {
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    task();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace visalign::encoding;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_regression DIRECTORY [REPEATS]\n");
    return 2;
  }
  const std::string directory = argv[1];
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;

  // Features like PCA scores of CNN activations: decaying variances (index^-1/2); targets (neurons)
  // depend on the first 50 features plus noise.
  const Index samples = 4688, feature_count = 1000, target_count = 166;
  MatrixXd features = normal_matrix(samples, feature_count, 1);
  for (Index j = 0; j < feature_count; ++j) features.col(j) *= 1.0 / std::sqrt(static_cast<double>(j + 1));
  const MatrixXd targets = features.leftCols(50) * normal_matrix(50, target_count, 2) + 0.5 * normal_matrix(samples, target_count, 3);
  // PCA input: 1000 images x 20000 units, a decaying spectrum of rank 300 plus noise.
  const Index images = 1000, units = 20000, rank = 300;
  MatrixXd left = normal_matrix(images, rank, 4);
  for (Index j = 0; j < rank; ++j) left.col(j) *= 10.0 / static_cast<double>(j + 1);
  const MatrixXd activations = left * normal_matrix(rank, units, 5) + normal_matrix(images, units, 6) + MatrixXd::Constant(images, units, 0.5);
  write_row_major(directory + "/x.f64", features);
  write_row_major(directory + "/y.f64", targets);
  write_row_major(directory + "/pca.f64", activations);
  std::printf("threads %d\n", omp_get_max_threads());
  std::fflush(stdout);

  PlsModel pls;
  PlsOptions pls_options;
  pls_options.components = 25;
  const double pls_seconds = median_seconds(repeats, [&] { pls = fit_pls(features, targets, pls_options); });
  const MatrixXd pls_predictions = predict_pls(pls, features.topRows(10));
  int iterations = 0;
  for (const int count : pls.iterations) iterations += count;
  std::printf("pls25 %.4f %.12g %d\n", pls_seconds, pls_predictions.sum(), iterations);
  std::fflush(stdout);

  RidgeModel ridge;
  const double ridge_seconds = median_seconds(repeats, [&] { ridge = fit_ridge_cross_validated(features, targets, RidgeOptions{}); });
  std::printf("ridge_cv_loo %.4f %.12g %g\n", ridge_seconds, predict_ridge(ridge, features.topRows(10)).sum(), ridge.penalty(0));
  std::fflush(stdout);

  const auto pca_task = [&](const char* name, int components, PcaSolver solver) {
    PcaOptions options;
    options.components = components;
    options.solver = solver;
    PrincipalComponents pca;
    const double seconds = median_seconds(repeats, [&] { pca = fit_pca(activations, options); });
    std::printf("%s %.4f %.12g\n", name, seconds, pca.explained_variance.head(10).sum());
    std::fflush(stdout);
  };
  pca_task("pca_exact_1000", 1000, PcaSolver::exact);
  pca_task("pca_randomized_1000", 1000, PcaSolver::randomized);
  pca_task("pca_randomized_100", 100, PcaSolver::randomized);
  return 0;
}
