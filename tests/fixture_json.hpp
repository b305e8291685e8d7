#pragma once
// Fixtures made by the scripts in tests/fixtures/ from independent implementations (nibabel,
// wb_command); checksums are FNV-1a 64 over the raw little-endian bytes, as 16 hex digits.

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace visalign::testing {

inline nlohmann::json read_fixture_json(const std::string& name) {
  const std::string path = std::string(VISALIGN_FIXTURES_DIR) + "/" + name;
  std::ifstream stream(path);
  if (!stream) throw std::runtime_error("missing fixture " + path);
  return nlohmann::json::parse(stream);
}

inline std::string hex64(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

/// A fixture number; JSON null stands for NaN (JSON has no NaN).
inline double fixture_number(const nlohmann::json& value) { return value.is_null() ? std::nan("") : value.get<double>(); }

/// A JSON list of numbers (nulls as NaN).
inline std::vector<double> fixture_values(const nlohmann::json& values) {
  std::vector<double> result;
  for (const nlohmann::json& value : values) result.push_back(fixture_number(value));
  return result;
}

inline Eigen::VectorXd fixture_vector(const nlohmann::json& values) {
  const std::vector<double> result = fixture_values(values);
  return Eigen::Map<const Eigen::VectorXd>(result.data(), static_cast<Eigen::Index>(result.size()));
}

/// A JSON list of rows (nulls as NaN).
inline Eigen::MatrixXd fixture_matrix(const nlohmann::json& rows) {
  Eigen::MatrixXd result(static_cast<Eigen::Index>(rows.size()), rows.empty() ? 0 : static_cast<Eigen::Index>(rows.at(0).size()));
  for (Eigen::Index i = 0; i < result.rows(); ++i) {
    for (Eigen::Index j = 0; j < result.cols(); ++j) result(i, j) = fixture_number(rows.at(static_cast<std::size_t>(i)).at(static_cast<std::size_t>(j)));
  }
  return result;
}

}  // namespace visalign::testing
