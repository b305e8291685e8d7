// `visalign cnn frequency` on the small Fashion-MNIST CNN fixture (tests/fixtures/pgd_small_cnn.pt, a TorchScript
// model on [0, 1] grey pixels): hybrid curve, perturbation spectrum, summary, plots and montage from a few test
// images; `cnn train --band-pass` on a few training images; and bad input (a mixing frequency outside
// (0, sqrt 2], a band with LOW >= HIGH, images of a single class) failing cleanly.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string fixture_model() { return std::string(VISALIGN_FIXTURES_DIR) + "/pgd_small_cnn.pt --grey --mean 0 --std 1"; }

TEST(CnnFrequencyCli, HybridCurveAndPerturbationSpectrumOfTheSmallCnn) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  ScratchDirectory scratch;
  const Outcome run = run_visalign(scratch, "cnn frequency --model " + fixture_model() +
                                                " --fashion-mnist test --limit 40 --pairs-per-image 2 --mix-frequencies 0.05,0.1,0.2,0.3,0.5,0.8,1"
                                                " --perturbation-images 12 --steps 10 --montage-pairs 4 --device cpu --threads 1 --seed 2 --out freq");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const auto hybrid = tsv_records(scratch / "freq/hybrid.tsv");
  ASSERT_EQ(hybrid.size(), 7u);
  for (const auto& row : hybrid) {
    EXPECT_EQ(row.at("pairs"), "80");
    EXPECT_NEAR(std::stod(row.at("p_low_minus_p_high")), std::stod(row.at("p_low")) - std::stod(row.at("p_high")), 1e-5);
  }
  EXPECT_LT(std::stod(hybrid.front().at("p_low_minus_p_high")), 0.0);  // mostly the high image
  EXPECT_GT(std::stod(hybrid.back().at("p_low_minus_p_high")), 0.0);   // mostly the low image
  const auto summary = tsv_records(scratch / "freq/summary.tsv");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].at("f_rev_status"), "crossed");
  EXPECT_GT(std::stod(summary[0].at("f_rev")), 0.05);
  EXPECT_LT(std::stod(summary[0].at("f_rev")), 1.0);
  EXPECT_EQ(summary[0].at("norm"), "l2");
  EXPECT_EQ(summary[0].at("perturbation_images"), "12");
  EXPECT_GT(std::stoi(summary[0].at("perturbations_used")), 0);
  const double f_half = std::stod(summary[0].at("f_0.5"));
  EXPECT_GT(f_half, 0.0);
  EXPECT_LT(f_half, std::sqrt(2.0));
  // 28 x 28 images, bins one DFT step wide (2/28): centres 0 .. 20 steps (the corners, sqrt(2), round to 20).
  const auto spectrum = tsv_records(scratch / "freq/perturbation_spectrum.tsv");
  ASSERT_EQ(spectrum.size(), 21u);
  EXPECT_EQ(spectrum[0].at("coefficients"), "0");
  EXPECT_NEAR(std::stod(spectrum.back().at("perturbation_cumulative")), 1.0, 1e-9);
  EXPECT_NEAR(std::stod(spectrum.back().at("image_cumulative")), 1.0, 1e-9);
  int coefficients = 0;
  for (const auto& row : spectrum) coefficients += std::stoi(row.at("coefficients"));
  EXPECT_EQ(coefficients, 28 * 28 - 1);  // all but the mean
  for (const char* file : {"hybrid.tsv.json", "perturbation_spectrum.tsv.json", "summary.tsv.json", "hybrids.png"}) {
    EXPECT_TRUE(std::filesystem::exists(scratch / "freq" / file)) << file;
  }
  for (const char* file : {"hybrid_curve.svg", "perturbation_spectrum.svg"}) {
    EXPECT_NE(slurp(scratch / "freq" / file).find("<svg"), std::string::npos) << file;
  }
  EXPECT_NE(slurp(scratch / "freq/summary.tsv.json").find("\"f_rev\""), std::string::npos);

  // Bad input: a mixing frequency outside (0, sqrt 2], one class only; nothing is written.
  expect_clean_failure(scratch, "cnn frequency --model " + fixture_model() + " --fashion-mnist test --limit 20 --mix-frequencies 0,0.5 --device cpu --out bad",
                       "--mix-frequencies", "(0, sqrt(2)]", 2);
  expect_clean_failure(scratch, "cnn frequency --model " + fixture_model() + " --fashion-mnist test --limit 20 --mix-frequencies 0.5,1.5 --device cpu --out bad",
                       "--mix-frequencies", "found 1.5", 2);
  expect_clean_failure(scratch, "cnn frequency --model " + fixture_model() + " --fashion-mnist test --limit 100 --classes 3 --device cpu --out bad",
                       "at least two classes", "of class 3", 2);
}

TEST(CnnFrequencyCli, TrainOnBandPassedImages) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  ScratchDirectory scratch;
  const Outcome train = run_visalign(scratch, "cnn train --small-widths 8,16,0 --train-limit 1000 --test-limit 200 --epochs 1 --band-pass 0,0.3 "
                                              "--device cpu --threads 1 --seed 3 --out band");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  std::cout << train.out;
  const auto epochs = tsv_records(scratch / "band/training.tsv");
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_GT(std::stod(epochs[0].at("band_pass_test_accuracy")), 0.3);
  EXPECT_GT(std::stod(epochs[0].at("test_accuracy")), 0.1);
  const std::string provenance = slurp(scratch / "band/network.pt.json");
  EXPECT_NE(provenance.find("band_pass"), std::string::npos);
  EXPECT_NE(provenance.find("0,0.3"), std::string::npos);
  expect_clean_failure(scratch, "cnn train --band-pass 0.5,0.5 --train-limit 10 --device cpu --out bad", "--band-pass", "LOW < HIGH", 2);
  expect_clean_failure(scratch, "cnn train --band-pass 0.2 --train-limit 10 --device cpu --out bad", "--band-pass", "LOW,HIGH", 2);
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
