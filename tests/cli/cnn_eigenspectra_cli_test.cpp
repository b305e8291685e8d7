// `visalign cnn eigenspectra` with the real ImageNet SqueezeNet 1.1: its spectra (the Gram route in
// double, layers read in groups under a memory budget) equal those of the independent path `cnn
// activations` + `encoding eigenspectrum --activations` (an exact PCA of the written NPY), alpha
// included; and bad input (fewer images than the fit range, an unknown layer) fails before any work.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string squeezenet() { return testing::shared_data("cnn/squeezenet1_1.pt").string(); }
std::string imagenet40_list() { return testing::shared_data("stimuli/imagenet40/stimuli.tsv").string(); }

double cell(const fmri::TsvTable& table, std::size_t row, const std::string& column) {
  return std::stod(table.rows.at(row).at(static_cast<std::size_t>(table.column_index(column))));
}

TEST(CnnEigenspectraCli, EqualsActivationsThenExactPca) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  VISALIGN_REQUIRE_FILE(imagenet40_list());
  ScratchDirectory scratch;
  // A budget below one layer's activations: each layer is read in its own pass, as on a laptop.
  const Outcome run = run_visalign(scratch, "cnn eigenspectra --model " + squeezenet() + " --images " + imagenet40_list() +
                                                " --layers features.12,output --fit-first 2 --fit-last 30 --memory-gib 0.001 "
                                                "--device cpu --threads 2 -q --out spectra");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const fmri::TsvTable summary = fmri::read_tsv(scratch / "spectra/summary.tsv");
  ASSERT_EQ(summary.rows.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(scratch / "spectra/eigenspectra.svg"));

  const Outcome activations = run_visalign(scratch, "cnn activations " + squeezenet() + " --images " + imagenet40_list() +
                                                        " --layers features.12,output --device cpu -q --out acts");
  ASSERT_EQ(activations.exit_code, 0) << activations.err;
  const char* layers[] = {"features.12", "output"};
  const char* stems[] = {"features_12", "output"};
  for (std::size_t l = 0; l < 2; ++l) {
    const Outcome exact = run_visalign(scratch, std::string("encoding eigenspectrum --activations acts/") + stems[l] +
                                                    ".npy --fit-first 2 --fit-last 30 -q --out " + stems[l] + ".tsv");
    ASSERT_EQ(exact.exit_code, 0) << exact.err;
    const fmri::TsvTable reference = fmri::read_tsv(scratch / (std::string(stems[l]) + ".power_law.tsv"));
    const double alpha = cell(summary, l, "alpha"), reference_alpha = cell(reference, 0, "alpha");
    std::cout << layers[l] << ": alpha " << alpha << " (cnn eigenspectra) vs " << reference_alpha << " (activations + exact PCA)\n";
    EXPECT_EQ(summary.rows[l][0], layers[l]);
    EXPECT_NEAR(alpha, reference_alpha, 1e-4 * std::abs(reference_alpha));
    // The spectra themselves, as fractions of the total (independent of the 1/n or 1/(n-1) convention).
    const fmri::TsvTable mine = fmri::read_tsv(scratch / "spectra" / (std::string(stems[l]) + ".spectrum.tsv"));
    const fmri::TsvTable theirs = fmri::read_tsv(scratch / (std::string(stems[l]) + ".tsv"));
    ASSERT_GE(mine.rows.size(), 30u);
    ASSERT_GE(theirs.rows.size(), 30u);
    for (std::size_t i = 0; i < 30; ++i) {
      const double a = cell(mine, i, "fraction_of_positive_total"), b = cell(theirs, i, "fraction_of_positive_total");
      EXPECT_NEAR(a, b, 1e-4 * b + 1e-9) << layers[l] << " eigenvalue " << i + 1;
    }
  }
}

TEST(CnnEigenspectraCli, BadInputFailsBeforeAnyWork) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  VISALIGN_REQUIRE_FILE(imagenet40_list());
  ScratchDirectory scratch;
  // 40 images give 39 eigenvalues: the default fit range 10..1000 needs 1000 images.
  expect_clean_failure(scratch, "cnn eigenspectra --model " + squeezenet() + " --images " + imagenet40_list() + " --device cpu --out spectra",
                       "--images", "fewer than the fit range", 2);
  expect_clean_failure(scratch, "cnn eigenspectra --model " + squeezenet() + " --images " + imagenet40_list() +
                                    " --layers features.99 --fit-last 30 --device cpu --out spectra",
                       "features.99", "features.12", 2);
  EXPECT_FALSE(std::filesystem::exists(scratch / "spectra"));
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
