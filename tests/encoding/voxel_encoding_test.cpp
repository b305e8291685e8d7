// The voxel-encoding workflow on planted data: vertices driven by a few units of a layer; a test
// set whose images keep the training images' features (AI-like) is predicted well and
// significantly, a test set whose responses the features do not explain (AN-like) is not; the
// cross-validated sparsity finds the planted level; bad shapes and NaN responses are errors that
// name the set.

#include <gtest/gtest.h>

#include <cmath>

#include "encoding/voxel_encoding.hpp"
#include "rsa/random_stream.hpp"

namespace visalign::encoding {
namespace {

Eigen::MatrixXd normal_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  rsa::RandomStream stream(seed, 0);
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) matrix(i, j) = stream.normal();
  }
  return matrix;
}

struct PlantedSet {
  VoxelEncodingData data;
  std::vector<std::vector<int>> planted_units;
};

/// 40 training images x 300 units; 60 vertices, each = 3 planted units + a baseline + noise.
PlantedSet planted_set(double noise) {
  const Eigen::Index images = 40, units = 300, vertices = 60;
  const Eigen::MatrixXd training = normal_matrix(images, units, 1);
  const Eigen::MatrixXd ai = training + 0.2 * normal_matrix(images, units, 2);
  const Eigen::MatrixXd an = normal_matrix(images, units, 3);
  Eigen::MatrixXd weights = Eigen::MatrixXd::Zero(units, vertices);
  PlantedSet set;
  rsa::RandomStream stream(4, 0);
  for (Eigen::Index v = 0; v < vertices; ++v) {
    std::vector<int> chosen;
    while (chosen.size() < 3) {
      const int unit = static_cast<int>(stream.below(static_cast<std::uint64_t>(units)));
      if (std::find(chosen.begin(), chosen.end(), unit) == chosen.end()) chosen.push_back(unit);
    }
    for (const int unit : chosen) weights(unit, v) = 1.0 + stream.uniform();
    set.planted_units.push_back(chosen);
  }
  const Eigen::RowVectorXd baseline = 2.0 * normal_matrix(1, vertices, 5);
  set.data.training_features = training.cast<float>();
  set.data.training_responses = (training * weights).rowwise() + baseline;
  set.data.training_responses += noise * normal_matrix(images, vertices, 6);
  set.data.test_features["AI"] = ai.cast<float>();
  set.data.test_responses["AI"] = ((training * weights).rowwise() + baseline) + noise * normal_matrix(images, vertices, 7);
  // AN: the responses are the training images' (features unrelated to them).
  set.data.test_features["AN"] = an.cast<float>();
  set.data.test_responses["AN"] = ((training * weights).rowwise() + baseline) + noise * normal_matrix(images, vertices, 8);
  return set;
}

TEST(VoxelEncoding, PlantedTransferToAiNotAn) {
  const PlantedSet set = planted_set(0.5);
  VoxelEncodingOptions options;
  options.pursuit.method = PursuitMethod::romp;
  options.sparsity_candidates = {1, 2, 3, 4, 6, 8};
  options.accuracy.permutations = 200;
  options.accuracy.subsamples = 200;
  options.accuracy.seed = 11;
  const VoxelEncodingResult result = fit_voxel_encoding(set.data, options);
  const AccuracyTest& ai = result.accuracy.at("AI");
  const AccuracyTest& an = result.accuracy.at("AN");
  std::cout << "planted encoding: r(AI) = " << ai.accuracy << " (p " << ai.permutation_p << "), r(AN) = " << an.accuracy << " (p "
            << an.permutation_p << ")\n";
  EXPECT_GT(ai.accuracy, 0.8);
  EXPECT_LT(ai.permutation_p, 0.01);
  EXPECT_LT(std::abs(an.accuracy), 0.2);
  EXPECT_GT(an.permutation_p, 0.01);
  EXPECT_LE(ai.interval.lower, ai.accuracy);
  EXPECT_GE(ai.interval.upper, ai.accuracy);
  const AccuracyComparison difference = compare_prediction_accuracies(ai, an);
  EXPECT_GT(difference.difference, 0.5);
  EXPECT_LT(difference.one_sided_p, 0.01);
  ASSERT_EQ(result.sparsity.size(), 60u);
  ASSERT_EQ(result.vertex_accuracy.at("AI").size(), 60);
  // The planted units are found: in most vertices all three are in the support.
  int recovered = 0, near_planted_sparsity = 0;
  for (std::size_t v = 0; v < 60; ++v) {
    int found = 0;
    for (const int unit : set.planted_units[v]) {
      found += std::count(result.models[v].support.begin(), result.models[v].support.end(), unit) > 0;
    }
    recovered += found == 3;
    near_planted_sparsity += result.sparsity[v] >= 3 && result.sparsity[v] <= 6;
  }
  std::cout << "planted units recovered in " << recovered << " of 60 vertices; chosen sparsity within 3..6 in " << near_planted_sparsity
            << "\n";
  EXPECT_GE(recovered, 45);
  EXPECT_GE(near_planted_sparsity, 40);
}

TEST(VoxelEncoding, FixedSparsityAndOmp) {
  const PlantedSet set = planted_set(0.0);
  VoxelEncodingOptions options;
  options.pursuit.method = PursuitMethod::omp;
  options.pursuit.sparsity = 4;  // 3 units + the constant column
  options.accuracy.permutations = 50;
  options.accuracy.subsamples = 50;
  const VoxelEncodingResult result = fit_voxel_encoding(set.data, options);
  // Greedy OMP misses a planted unit now and then (scikit-learn's orthogonal_mp picks the same
  // columns on this data); most vertices are fitted exactly.
  int exact = 0;
  for (std::size_t v = 0; v < 60; ++v) {
    EXPECT_EQ(result.sparsity[v], 4);
    EXPECT_LE(result.models[v].support.size(), 4u);
    exact += result.models[v].residual_norm < 1e-6 * set.data.training_responses.col(static_cast<Eigen::Index>(v)).norm();
  }
  std::cout << "OMP with sparsity 4 (3 planted units + constant), noise-free: " << exact << " of 60 vertices fitted exactly\n";
  EXPECT_GE(exact, 50);
  EXPECT_GT(result.accuracy.at("AI").accuracy, 0.9);
}

TEST(VoxelEncoding, BadInputNamesTheSet) {
  VoxelEncodingOptions options;
  options.pursuit.sparsity = 3;
  auto expect_message = [&](const VoxelEncodingData& data, const std::string& expected) {
    try {
      fit_voxel_encoding(data, options);
      FAIL() << "expected an error mentioning " << expected;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  };
  PlantedSet set = planted_set(0.1);
  VoxelEncodingData data = set.data;
  data.test_responses["AN"].conservativeResize(39, Eigen::NoChange);
  expect_message(data, "test set AN responses");
  data = set.data;
  data.training_responses(3, 2) = NAN;
  expect_message(data, "training responses");
  data = set.data;
  data.test_responses["AI"](0, 0) = std::numeric_limits<double>::infinity();
  expect_message(data, "test set AI responses");
  data = set.data;
  data.test_features["AI"].conservativeResize(Eigen::NoChange, 299);
  expect_message(data, "test set AI features");
  data = set.data;
  data.training_responses.conservativeResize(30, Eigen::NoChange);
  expect_message(data, "training responses");
}

}  // namespace
}  // namespace visalign::encoding
