#pragma once
// Real data from ../shared/data (or $VISALIGN_DATA). A test that needs a missing file is
// skipped with a message naming it; under CI (CI=true) a missing file is a failure.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace visalign::testing {

inline std::filesystem::path shared_data_directory() {
  if (const char* configured = std::getenv("VISALIGN_DATA"); configured != nullptr && *configured != '\0') {
    return configured;
  }
  return VISALIGN_DEFAULT_DATA_DIR;
}

inline std::filesystem::path shared_data(const std::string& relative) { return shared_data_directory() / relative; }

inline bool running_under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace visalign::testing

/// Skips the test (fails it under CI) when `path` does not exist.
#define VISALIGN_REQUIRE_FILE(path)                                                                  \
  do {                                                                                               \
    if (!std::filesystem::exists(path)) {                                                            \
      if (::visalign::testing::running_under_ci()) {                                                 \
        FAIL() << "missing test data under CI: " << (path);                                          \
      } else {                                                                                       \
        GTEST_SKIP() << "missing test data " << (path)                                              \
                     << " (set VISALIGN_DATA to the shared data folder to run this test)";           \
      }                                                                                              \
    }                                                                                                \
  } while (false)
