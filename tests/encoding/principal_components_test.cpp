// PCA against scikit-learn 1.2.1's PCA(svd_solver="full") (tests/fixtures/regression_fixtures.json,
// made by tests/fixtures/make_regression_fixtures.py) on 60 x 300 (the samples x samples Gram form) and
// 200 x 100 (features x features): explained variances and ratios, means, components (sklearn's
// re-signed by the largest |loading|, fit_pca's convention) and projections of a held-out set; the
// randomized solver against the exact one on a low-rank-plus-noise matrix, reproducible from the
// seed; orthonormal components when more are asked for than the data span; thread-count invariance;
// bad input.

#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "encoding/dense_kernels.hpp"
#include "encoding/principal_components.hpp"
#include "rsa/random_stream.hpp"

#include "tests/encoding/regression_fixtures.hpp"

namespace visalign::encoding {
namespace {

using namespace visalign::encoding::regression_fixture;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_vector;

using Eigen::Index;
using nlohmann::json;

// ---- agreement with scikit-learn --------------------------------------------------------------------

TEST(PrincipalComponents, ExactEqualsSklearnPCA) {
  double worst_variance = 0, worst_ratio = 0, worst_components = 0, worst_projections = 0, worst_mean = 0;
  for (const json& dataset : fixtures()["datasets"]) {
    if (!dataset.contains("pca")) continue;
    const json& reference = dataset["pca"];
    const Eigen::MatrixXd samples = fixture_features(dataset, false), test = fixture_features(dataset, true);
    const PrincipalComponents full = fit_pca(samples, PcaOptions{});
    const Eigen::VectorXd variance = fixture_vector(reference["explained_variance"]);
    ASSERT_EQ(full.explained_variance.size(), variance.size());
    // Relative to each variance, with a floor of 1e-12 of the largest: the last variance of a 60 x 300
    // matrix is 0 (centring removes one dimension), sklearn's SVD gives ~1e-30 there and fit_pca 0.
    const double floor = 1e-12 * variance(0);
    double variance_difference = 0, ratio_difference = 0;
    const Eigen::VectorXd ratio = fixture_vector(reference["explained_variance_ratio"]);
    for (Index j = 0; j < variance.size(); ++j) {
      variance_difference = std::max(variance_difference, std::abs(full.explained_variance(j) - variance(j)) / std::max(variance(j), floor));
      ratio_difference = std::max(ratio_difference, std::abs(full.explained_variance_ratio(j) - ratio(j)) / std::max(ratio(j), floor / variance.sum()));
    }
    EXPECT_LT(variance_difference, 1e-8) << dataset["name"];
    EXPECT_LT(ratio_difference, 1e-8) << dataset["name"];
    EXPECT_NEAR(full.total_variance, variance.sum(), 1e-10 * variance.sum());
    const double mean = relative_difference(full.mean, fixture_vector(reference["mean"]));
    EXPECT_LT(mean, 1e-10);  // the fixture holds 12 significant digits

    PcaOptions options;
    options.components = reference["components"].get<int>();
    const PrincipalComponents part = fit_pca(samples, options);
    const double components = relative_difference(part.components, fixture_matrix(reference["component_vectors"]));
    const double projections = relative_difference(project(part, test), fixture_matrix(reference["projections"]));
    EXPECT_LT(components, 1e-8) << dataset["name"];
    EXPECT_LT(projections, 1e-8) << dataset["name"];
    EXPECT_TRUE(part.explained_variance == full.explained_variance.head(options.components)) << dataset["name"];
    worst_variance = std::max(worst_variance, variance_difference);
    worst_ratio = std::max(worst_ratio, ratio_difference);
    worst_components = std::max(worst_components, components);
    worst_projections = std::max(worst_projections, projections);
    worst_mean = std::max(worst_mean, mean);
  }
  std::cout << "PCA exact vs sklearn PCA(svd_solver='full') on 60x300 and 200x100: max relative difference explained "
               "variance "
            << worst_variance << ", ratio " << worst_ratio << ", components (signs by largest |loading|) " << worst_components
            << ", held-out projections " << worst_projections << ", mean " << worst_mean << "\n";
}

// ---- properties ---------------------------------------------------------------------------------------

/// samples x features: rank-`rank` signal with singular values decaying as 1/j plus noise.
Eigen::MatrixXd low_rank_plus_noise(Index samples, Index features, Index rank, double noise, std::uint64_t seed) {
  const Eigen::MatrixXd left = random_matrix(samples, rank, seed), right = random_matrix(features, rank, seed + 1);
  Eigen::VectorXd scale(rank);
  for (Index j = 0; j < rank; ++j) scale(j) = 10.0 / static_cast<double>(j + 1);
  return left * scale.asDiagonal() * right.transpose() + noise * random_matrix(samples, features, seed + 2) +
         Eigen::MatrixXd::Constant(samples, features, 3.0);
}

TEST(PrincipalComponents, RandomizedMatchesExactOnLowRankPlusNoise) {
  // 7 power iterations (the default); with a sketch of 30 columns they run on the Gram matrix of the
  // smaller side (cheaper here), with 10 columns on the data: both paths of the range finder.
  for (const auto& [samples, features] : std::vector<std::pair<Index, Index>>{{300, 1200}, {1200, 300}}) {
    const Eigen::MatrixXd data = low_rank_plus_noise(samples, features, 30, 4.0, 42);
    PcaOptions exact_options;
    exact_options.components = 20;
    const PrincipalComponents exact = fit_pca(data, exact_options);
    for (const auto& [components, oversamples] : std::vector<std::pair<int, int>>{{20, 10}, {5, 5}}) {
      PcaOptions options;
      options.components = components;
      options.oversamples = oversamples;
      options.solver = PcaSolver::randomized;
      options.seed = 7;
      const PrincipalComponents randomized = fit_pca(data, options);
      double worst = 0, worst_angle = 0;
      for (Index j = 0; j < components; ++j) {
        worst = std::max(worst, std::abs(randomized.explained_variance(j) / exact.explained_variance(j) - 1));
        worst_angle = std::max(worst_angle, 1 - std::abs(randomized.components.col(j).dot(exact.components.col(j))));
      }
      EXPECT_LT(worst, 1e-3) << samples << " x " << features << ", " << components << " components";
      EXPECT_NEAR(randomized.total_variance, exact.total_variance, 1e-12 * exact.total_variance);
      EXPECT_LT((randomized.components.transpose() * randomized.components - Eigen::MatrixXd::Identity(components, components)).cwiseAbs().maxCoeff(), 1e-12);
      std::cout << "PCA randomized (" << components << " components, " << oversamples << " oversamples, 7 power iterations) vs exact on "
                << samples << " x " << features << " rank-30 + noise SD 4: max relative difference of explained variances "
                << worst << ", max 1 - |cos| between components " << worst_angle << "\n";
      // Reproducible from the seed; another seed gives (slightly) different numbers.
      const PrincipalComponents again = fit_pca(data, options);
      EXPECT_TRUE(again.components == randomized.components);
      EXPECT_TRUE(again.explained_variance == randomized.explained_variance);
      options.seed = 8;
      const PrincipalComponents other = fit_pca(data, options);
      EXPECT_FALSE(other.explained_variance == randomized.explained_variance);
      EXPECT_LT((other.explained_variance - randomized.explained_variance).cwiseAbs().maxCoeff(), 1e-3 * exact.explained_variance(0));
    }
  }
}

TEST(PrincipalComponents, RandomizedWithAFullSketchIsExact) {
  const Eigen::MatrixXd data = random_matrix(40, 25, 5);
  PcaOptions options;
  options.components = 20;
  options.solver = PcaSolver::randomized;  // 20 + 10 oversamples >= 25: the exact solver
  const PrincipalComponents randomized = fit_pca(data, options);
  options.solver = PcaSolver::exact;
  EXPECT_TRUE(fit_pca(data, options).components == randomized.components);
}

TEST(PrincipalComponents, ComponentsAreOrthonormalBeyondTheRank) {
  // 30 samples, 80 features: the centred data span 29 dimensions; the 30th component is arbitrary but
  // orthonormal to the others, with variance 0. Also a rank-5 matrix asked for 20 components.
  const Eigen::MatrixXd wide = random_matrix(30, 80, 3);
  const PrincipalComponents pca = fit_pca(wide, PcaOptions{});
  ASSERT_EQ(pca.components.cols(), 30);
  EXPECT_LT((pca.components.transpose() * pca.components - Eigen::MatrixXd::Identity(30, 30)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_EQ(pca.explained_variance(29), 0.0);
  EXPECT_GT(pca.explained_variance(28), 0.0);
  EXPECT_NEAR(pca.explained_variance.sum(), pca.total_variance, 1e-10 * pca.total_variance);
  const Eigen::MatrixXd low_rank = random_matrix(60, 5, 4) * random_matrix(5, 90, 5);
  PcaOptions options;
  options.components = 20;
  const PrincipalComponents truncated = fit_pca(low_rank, options);
  EXPECT_LT((truncated.components.transpose() * truncated.components - Eigen::MatrixXd::Identity(20, 20)).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_TRUE(truncated.explained_variance.tail(15).isZero(0));
  // Every component's largest |loading| is positive.
  for (Index j = 0; j < truncated.components.cols(); ++j) {
    Index largest = 0;
    truncated.components.col(j).cwiseAbs().maxCoeff(&largest);
    EXPECT_GT(truncated.components(largest, j), 0.0);
  }
}

TEST(PrincipalComponents, ConstantFeatureHasZeroVariance) {
  Eigen::MatrixXd data = random_matrix(50, 10, 6);
  data.col(3).setConstant(0.1);
  const PrincipalComponents pca = fit_pca(data, PcaOptions{});
  EXPECT_EQ(pca.mean(3), 0.1);
  EXPECT_TRUE(pca.components.row(3).head(9).isZero(1e-12));
  EXPECT_EQ(pca.explained_variance(9), 0.0);
}

TEST(PrincipalComponents, SameResultForAnyNumberOfThreads) {
  const Eigen::MatrixXd tall = random_matrix(2100, 280, 1), wide = random_matrix(280, 2100, 2);
  const int threads_before = omp_get_max_threads();
  std::vector<Eigen::MatrixXd> results;
  PcaOptions randomized;  // the range finder on the Gram matrix
  randomized.components = 10;
  randomized.solver = PcaSolver::randomized;
  PcaOptions thin = randomized;  // on the data
  thin.components = 2;
  thin.oversamples = 2;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    for (const Eigen::MatrixXd* data : {&tall, &wide}) {
      const PrincipalComponents exact = fit_pca(*data, PcaOptions{});
      results.push_back(project(exact, data->topRows(200)));
      results.push_back(fit_pca(*data, randomized).components);
      results.push_back(fit_pca(*data, thin).components);
    }
  }
  omp_set_num_threads(threads_before);
  for (std::size_t i = 6; i < results.size(); ++i) EXPECT_TRUE(results[i] == results[i % 6]) << i;
}

// ---- the shared kernels -------------------------------------------------------------------------------

TEST(PrincipalComponentsKernels, ProductsEqualPlainEigen) {
  // Sizes that are not multiples of the tiles (256, 1024) or chunks (2048).
  const Eigen::MatrixXd tall = random_matrix(2100, 260, 1).array() + 2.0, wide = random_matrix(260, 2100, 2).array() - 1.0;
  for (const Eigen::MatrixXd* data : {&tall, &wide}) {
    const Eigen::VectorXd mean = data->colwise().mean().transpose();
    const Eigen::MatrixXd centred = data->rowwise() - mean.transpose();
    const Eigen::MatrixXd right = random_matrix(data->cols(), 1030, 3), left = random_matrix(data->rows(), 7, 4);
    const double scale = centred.cwiseAbs().maxCoeff();
    EXPECT_LT((detail::times(*data, mean, right) - centred * right).cwiseAbs().maxCoeff(), 1e-11 * scale * std::sqrt(data->cols()));
    EXPECT_LT((detail::transpose_times(*data, mean, left) - centred.transpose() * left).cwiseAbs().maxCoeff(), 1e-11 * scale * std::sqrt(data->rows()));
    EXPECT_LT((detail::times(*data, Eigen::VectorXd(), right) - *data * right).cwiseAbs().maxCoeff(), 1e-11 * data->cwiseAbs().maxCoeff() * std::sqrt(data->cols()));
    const Eigen::MatrixXd over_columns = detail::gram(*data, mean, true), over_rows = detail::gram(*data, mean, false);
    EXPECT_LT((over_columns - centred.transpose() * centred).cwiseAbs().maxCoeff(), 1e-12 * over_columns.cwiseAbs().maxCoeff());
    EXPECT_LT((over_rows - centred * centred.transpose()).cwiseAbs().maxCoeff(), 1e-12 * over_rows.cwiseAbs().maxCoeff());
    EXPECT_TRUE(over_columns == over_columns.transpose());
  }
}

TEST(PrincipalComponentsKernels, SymmetricEigenMatchesEigenSolver) {
  // Random (two sizes: one and several row blocks of the rotation kernel), with repeated eigenvalues,
  // diagonal, zero and 1 x 1 matrices.
  std::vector<Eigen::MatrixXd> matrices;
  for (const Index size : {40, 300}) {
    const Eigen::MatrixXd factor = random_matrix(size + 10, size, static_cast<std::uint64_t>(size));
    matrices.push_back(factor.transpose() * factor);
  }
  const Eigen::MatrixXd rotation = random_matrix(50, 50, 9).householderQr().householderQ();
  Eigen::VectorXd repeated(50);
  for (Index i = 0; i < 50; ++i) repeated(i) = static_cast<double>(i / 10);  // five eigenvalues, each 10 times
  matrices.push_back(rotation * repeated.asDiagonal() * rotation.transpose());
  matrices.push_back(Eigen::VectorXd::LinSpaced(20, -3, 5).asDiagonal());
  matrices.push_back(Eigen::MatrixXd::Zero(6, 6));
  matrices.push_back(Eigen::MatrixXd::Constant(1, 1, -2.5));
  for (const Eigen::MatrixXd& matrix : matrices) {
    const detail::SymmetricEigen ours = detail::symmetric_eigen_descending(matrix);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reference(matrix);
    const Index size = matrix.rows();
    const double scale = std::max(1.0, matrix.cwiseAbs().maxCoeff());
    EXPECT_LT((ours.values - reference.eigenvalues().reverse()).cwiseAbs().maxCoeff(), 1e-12 * scale * size) << size;
    for (Index i = 1; i < size; ++i) EXPECT_GE(ours.values(i - 1), ours.values(i));
    EXPECT_LT((matrix * ours.vectors - ours.vectors * ours.values.asDiagonal()).cwiseAbs().maxCoeff(), 1e-12 * scale * size) << size;
    EXPECT_LT((ours.vectors.transpose() * ours.vectors - Eigen::MatrixXd::Identity(size, size)).cwiseAbs().maxCoeff(), 1e-12 * size) << size;
  }
}

// ---- bad input ----------------------------------------------------------------------------------------

TEST(PrincipalComponents, RejectsBadInput) {
  const Eigen::MatrixXd data = random_matrix(20, 8, 1);
  PcaOptions options;
  options.components = 9;
  expect_invalid([&] { fit_pca(data, options); }, "components in 0..min(samples, features) = 0..8, found 9");
  options.components = -1;
  expect_invalid([&] { fit_pca(data, options); }, "found -1");
  options.components = 2;
  options.oversamples = -1;
  expect_invalid([&] { fit_pca(data, options); }, "oversamples >= 0");
  options.oversamples = 10;
  options.power_iterations = -2;
  expect_invalid([&] { fit_pca(data, options); }, "power_iterations >= 0");
  expect_invalid([&] { fit_pca(data.topRows(1), PcaOptions{}); }, "at least 2 samples");
  expect_invalid([&] { fit_pca(Eigen::MatrixXd(0, 3), PcaOptions{}); }, "non-empty samples");
  Eigen::MatrixXd with_nan = data;
  with_nan(4, 0) = std::nan("");
  expect_invalid([&] { fit_pca(with_nan, PcaOptions{}); }, "NaN at row 4, column 0");
  const PrincipalComponents pca = fit_pca(data, PcaOptions{});
  expect_invalid([&] { project(pca, random_matrix(3, 7, 2)); }, "8 features");
  expect_invalid([&] { project(pca, with_nan); }, "NaN");
}

}  // namespace
}  // namespace visalign::encoding
