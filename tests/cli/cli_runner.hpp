#pragma once
// Runs the built `visalign` binary in a scratch directory and captures its exit code and output.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fmri/tsv_table.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign {

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

inline Outcome run_visalign(const testing::ScratchDirectory& scratch, const std::string& arguments) {
  const std::string command = "cd '" + scratch.path().string() + "' && '" VISALIGN_EXECUTABLE "' " + arguments +
                              " > stdout.txt 2> stderr.txt";
  const int status = std::system(command.c_str());
  Outcome outcome{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(scratch / "stdout.txt"), slurp(scratch / "stderr.txt")};
  std::filesystem::remove(scratch / "stdout.txt");
  std::filesystem::remove(scratch / "stderr.txt");
  return outcome;
}

/// The command must fail with exit code 1 and a single line on stderr naming `file` and containing
/// `fragment`, and leave the scratch directory as it was (no output, no temporary file).
inline void expect_clean_failure(const testing::ScratchDirectory& scratch, const std::string& arguments,
                                 const std::string& file, const std::string& fragment, int exit_code = 1) {
  auto before = scratch.entries();
  const Outcome outcome = run_visalign(scratch, arguments);
  EXPECT_EQ(outcome.exit_code, exit_code) << arguments << "\n" << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_NE(outcome.err.find(file), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find(fragment), std::string::npos) << outcome.err;
  auto after = scratch.entries();
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, before) << "outputs were left behind by: " << arguments;
}

/// Rows of a TSV as column name -> cell maps.
inline std::vector<std::map<std::string, std::string>> tsv_records(const std::filesystem::path& file) { return fmri::read_tsv_records(file); }

/// Debian's Fashion-MNIST test images (dataset-fashion-mnist), which the cnn command tests read.
inline const char* const fashion_mnist_test_images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

}  // namespace visalign

/// Skips the test (fails it under CI) when Debian's Fashion-MNIST is not installed.
#define VISALIGN_REQUIRE_FASHION_MNIST()                                                                             \
  do {                                                                                                               \
    if (!std::filesystem::exists(::visalign::fashion_mnist_test_images)) {                                           \
      if (::visalign::testing::running_under_ci()) FAIL() << "missing " << ::visalign::fashion_mnist_test_images;    \
      GTEST_SKIP() << "missing " << ::visalign::fashion_mnist_test_images                                            \
                   << " (install the Debian package dataset-fashion-mnist)";                                         \
    }                                                                                                                \
  } while (false)
