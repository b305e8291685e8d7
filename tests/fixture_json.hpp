#pragma once
// Fixtures made by the scripts in tests/fixtures/ from independent implementations (nibabel,
// wb_command); checksums are FNV-1a 64 over the raw little-endian bytes, as 16 hex digits.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

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

}  // namespace visalign::testing
