#pragma once
// What the regression tests (ridge, PLS, PCA, cvPCA) share: the fixture of
// tests/fixtures/make_regression_fixtures.py (scikit-learn 1.2.1), its feature matrices regenerated
// bit for bit, a scale-relative difference, seeded Gaussian matrices and the bad-input check.

#include <gtest/gtest.h>

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "rsa/random_stream.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::encoding::regression_fixture {

using Eigen::Index;
using nlohmann::json;

inline const json& fixtures() {
  static const json fixture = visalign::testing::read_fixture_json("regression_fixtures.json");
  return fixture;
}

// The feature matrices of the fixture, regenerated bit for bit (see make_regression_fixtures.py).
inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline Eigen::MatrixXd fixture_features(const json& dataset, bool test_set) {
  const Index rows = dataset[test_set ? "test_rows" : "rows"].get<Index>(), columns = dataset["columns"].get<Index>();
  const std::uint64_t stream = dataset["stream"].get<std::uint64_t>() + (test_set ? 1 : 0);
  const double decay = dataset["decay"].get<double>();
  Eigen::MatrixXd features(rows, columns);
  for (Index row = 0; row < rows; ++row) {
    for (Index column = 0; column < columns; ++column) {
      const std::uint64_t bits = splitmix64((stream << 32) + static_cast<std::uint64_t>(row * columns + column));
      const auto field = [&](int shift) { return static_cast<std::int64_t>((bits >> shift) & 0x1FFFFFull); };
      const double value = static_cast<double>(field(0) + field(21) + field(42) - 3 * (std::int64_t{1} << 20)) / 1048576.0;
      const double shift = static_cast<double>(column % 7) / 4.0;
      const double scale = 1.0 / (1.0 + static_cast<double>(column) / decay);
      features(row, column) = (value + shift) * scale;
    }
  }
  if (dataset.contains("constant_feature")) features.col(dataset["constant_feature"].get<Index>()).setConstant(dataset["constant_value"].get<double>());
  return features;
}

/// max |ours - reference| / max |reference|: relative to the array's scale (entries near zero do not
/// blow it up).
inline double relative_difference(const Eigen::MatrixXd& ours, const Eigen::MatrixXd& reference) {
  EXPECT_EQ(ours.rows(), reference.rows());
  EXPECT_EQ(ours.cols(), reference.cols());
  if (ours.rows() != reference.rows() || ours.cols() != reference.cols()) return std::numeric_limits<double>::infinity();
  return (ours - reference).cwiseAbs().maxCoeff() / reference.cwiseAbs().maxCoeff();
}

inline Eigen::MatrixXd random_matrix(Index rows, Index columns, std::uint64_t seed) {
  Eigen::MatrixXd matrix(rows, columns);
  for (Index c = 0; c < columns; ++c) {
    rsa::RandomStream stream(seed, static_cast<std::uint64_t>(c));
    for (Index r = 0; r < rows; ++r) matrix(r, c) = stream.normal();
  }
  return matrix;
}

/// The call must throw std::invalid_argument whose message contains `fragment`.
template <typename Call>
void expect_invalid(Call call, const std::string& fragment) {
  try {
    call();
    ADD_FAILURE() << "expected std::invalid_argument mentioning '" << fragment << "'";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

}  // namespace visalign::encoding::regression_fixture
