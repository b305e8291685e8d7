// `visalign encoding ...`: the voxel-encoding analysis on a simulated subject (the planted answer:
// RE-trained models predict AI better than AN in every ROI and layer, and the best layer follows
// the planted low-to-high hierarchy from V1 to LO), identical results for any thread count; the
// eigenspectrum of real macaque V1 responses (cvPCA) and the noise-corrected predictivity of a
// pixel model for real mouse V1 responses, end to end; and bad input.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "fmri/npy.hpp"
#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string cell(const fmri::TsvTable& table, const std::vector<std::string>& row, const std::string& column) {
  return row[static_cast<std::size_t>(table.column_index(column))];
}

class EncodingCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const Outcome made = run_visalign(scratch, "fmri simulate --out subj --order 4 --images 40 --snr 1 -q");
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  ScratchDirectory scratch;
};

const std::string kFit =
    "encoding fit subj/manifest.json --layers subj/features/layers.json --disk-surface white --radius 8 ";
const std::string kAllRois = "--rois V1,V2,V3,V4,LO --per-hemisphere 40 --permutations 200 --subsamples 200 ";

TEST_F(EncodingCli, FitRecoversThePlantedAnswer) {
  const Outcome fit = run_visalign(scratch, kFit + kAllRois + "--out enc");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  std::cout << fit.out;
  EXPECT_NE(fit.out.find("r(AI)"), std::string::npos) << fit.out;
  const auto table = fmri::read_tsv(scratch / "enc/sub-sim01.encoding.tsv");
  // (roi, layer) -> accuracy per test, for the responses averaged over presentations.
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> accuracy, p;
  for (const auto& row : table.rows) {
    if (cell(table, row, "responses") != "mean") continue;
    const auto key = std::make_pair(cell(table, row, "roi"), cell(table, row, "layer"));
    accuracy[key][cell(table, row, "test")] = std::stod(cell(table, row, "accuracy"));
    p[key][cell(table, row, "test")] = std::stod(cell(table, row, "p"));
  }
  ASSERT_EQ(accuracy.size(), 5u * 2);
  for (const auto& [key, values] : accuracy) {
    SCOPED_TRACE(key.first + " " + key.second);
    EXPECT_GT(values.at("AI"), values.at("AN"));
    EXPECT_GT(values.at("AI-AN"), 0);
    EXPECT_LT(p[key].at("AI"), 0.05);
  }
  // Figure S1: the high-level layer wins more vertices from V1 to LO; V1 is mostly low-level, LO mostly high-level.
  const auto best = fmri::read_tsv(scratch / "enc/sub-sim01.best_layer.tsv");
  std::map<std::string, double> high_share;
  for (const auto& row : best.rows) {
    if (cell(best, row, "responses") == "mean" && cell(best, row, "test") == "AI" && cell(best, row, "layer") == "high_level") {
      high_share[cell(best, row, "roi")] = std::stod(cell(best, row, "proportion"));
    }
  }
  std::cout << "share of vertices best predicted by the high-level layer (AI):";
  for (const char* roi : {"V1", "V2", "V3", "V4", "LO"}) std::cout << " " << roi << " " << high_share.at(roi);
  std::cout << "\n";
  EXPECT_LT(high_share.at("V1"), 0.5);
  EXPECT_GT(high_share.at("LO"), 0.5);
  EXPECT_LT(high_share.at("V1"), high_share.at("V3"));
  EXPECT_LT(high_share.at("V3"), high_share.at("LO"));
  const auto tests = fmri::read_tsv(scratch / "enc/encoding_best_layer_tests.tsv");
  EXPECT_FALSE(tests.rows.empty());
  const auto models = fmri::read_tsv(scratch / "enc/sub-sim01.encoding_models.tsv");
  EXPECT_EQ(models.rows.size(), 5u * 2 * 3 * 80);  // ROIs x layers x (mean, presentation 1, 2) x vertices
  for (const char* file : {"sub-sim01.encoding.tsv.json", "sub-sim01.best_layer.tsv.json", "encoding_best_layer_tests.tsv.json"}) {
    EXPECT_TRUE(std::filesystem::exists(scratch / "enc" / file)) << file;
  }
}

TEST_F(EncodingCli, SameResultsForAnyThreadCount) {
  const std::string quick = kFit + "--rois V1,LO --per-hemisphere 15 --permutations 50 --subsamples 50 -q ";
  ASSERT_EQ(run_visalign(scratch, quick + "--out one --threads 1").exit_code, 0);
  const Outcome two = run_visalign(scratch, quick + "--out two --threads 2");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  for (const char* file : {"sub-sim01.encoding.tsv", "sub-sim01.encoding_models.tsv", "sub-sim01.best_layer.tsv"}) {
    EXPECT_EQ(testing::read_bytes(scratch / "one" / file), testing::read_bytes(scratch / "two" / file)) << file;
  }
}

TEST_F(EncodingCli, SparsityAboveTheImagesIsAClearError) {
  const Outcome fit = run_visalign(scratch, kFit + "--rois V1 --sparsity 50 --out enc");
  EXPECT_EQ(fit.exit_code, 2);  // a wrong option value
  EXPECT_NE(fit.err.find("--sparsity: expected at most 40 (the RE images of subj/manifest.json), found 50"), std::string::npos) << fit.err;
  EXPECT_FALSE(std::filesystem::exists(scratch / "enc/sub-sim01.encoding.tsv"));
}

TEST_F(EncodingCli, LayerRowsThatDoNotMatchTheImages) {
  fmri::write_npy(Eigen::MatrixXd::Ones(119, 5), scratch / "subj/features/high_level.npy");
  expect_clean_failure(scratch, kFit + kAllRois + "--out enc", "high_level.npy", "rows: expected 120 images");
}

TEST(EncodingCliData, MacaqueV1CrossValidatedEigenspectrum) {
  const auto path = testing::shared_data("neural/macaque_v1_spikes/spike_counts_rep_unit_stim.npy");
  VISALIGN_REQUIRE_FILE(path);
  ScratchDirectory scratch;
  const Outcome run = run_visalign(scratch, "encoding eigenspectrum --responses " + path.string() +
                                                " --layout repeats,neurons,stimuli --out macaque.tsv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const auto spectrum = fmri::read_tsv(scratch / "macaque.tsv");
  EXPECT_EQ(spectrum.rows.size(), 37u);  // min(stimuli - 1, units)
  const auto fit = fmri::read_tsv(scratch / "macaque.power_law.tsv");
  const double alpha = std::stod(fit.rows.at(0).at(0));
  EXPECT_TRUE(std::isfinite(alpha));
  EXPECT_GT(alpha, 0.2);
  EXPECT_LT(alpha, 5.0);
  EXPECT_EQ(fmri::read_tsv(scratch / "macaque.reliability.tsv").rows.size(), 37u);
}

// End to end on the Allen mouse V1 files: a pixel model (961 pixels -> PCA 50 -> PLS) trained on the
// 100 training images' averaged responses, tested on the 18 test images, noise-corrected with the
// 50-repeat file. That file's rows do not line up with the test images (tests/fmri/
// response_repeats_test.cpp), so the split-half reliabilities come out near 0 and most neurons get
// no noise-corrected value: the command must say so per neuron rather than report a number.
TEST(EncodingCliData, MouseV1PixelModelEndToEnd) {
  const auto folder = testing::shared_data("neural/mouse_v1_allen");
  VISALIGN_REQUIRE_FILE(folder / "Allen_test_output_big.npy");
  ScratchDirectory scratch;
  const std::string data = folder.string() + "/";
  const Outcome run = run_visalign(
      scratch, "encoding predictivity --features " + data + "Allen_test_input.npy --responses " + data +
                   "Allen_test_output_big.npy --layout stimuli,repeats,neurons --repeats 50 --train-features " + data +
                   "Allen_train_input.npy --train-responses " + data + "Allen_train_output.npy --pca-components 50 --out mouse.tsv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const auto table = fmri::read_tsv(scratch / "mouse.tsv");
  ASSERT_EQ(table.rows.size(), 212u);
  std::vector<double> reliability;
  int undefined = 0;
  for (const auto& row : table.rows) {
    const double value = std::stod(cell(table, row, "reliability_spearman_brown"));
    if (std::isfinite(value)) reliability.push_back(value);
    if (!std::isfinite(std::stod(cell(table, row, "noise_corrected")))) {
      ++undefined;
      EXPECT_NE(cell(table, row, "note"), "ok");
    }
  }
  std::sort(reliability.begin(), reliability.end());
  ASSERT_FALSE(reliability.empty());
  const double median = reliability[reliability.size() / 2];
  std::cout << "Allen 50-repeat file: median Spearman-Brown reliability " << median << ", " << undefined
            << " of 212 neurons without a noise-corrected value\n";
  EXPECT_LT(std::abs(median), 0.2);
  EXPECT_GT(undefined, 50);
  EXPECT_NE(run.out.find(std::to_string(undefined) + " without a noise-corrected value"), std::string::npos) << run.out;
}

TEST(EncodingCliData, NeuronsWithOneRepeatAreReportedNotFatal) {
  ScratchDirectory scratch;
  // 12 stimuli x 3 neurons x 1 repeat: no split-half reliability exists.
  Eigen::MatrixXd features(12, 4), responses(12, 3);
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j < 4; ++j) features(i, j) = std::sin(1.3 * i + j);
    for (int j = 0; j < 3; ++j) responses(i, j) = std::cos(0.7 * i * (j + 1));
  }
  fmri::write_npy(features, scratch / "features.npy");
  fmri::write_npy(responses, scratch / "responses.npy");
  const Outcome run = run_visalign(scratch, "encoding predictivity --features features.npy --responses responses.npy "
                                            "--layout stimuli,repeats,neurons --repeats 1 --pca-components 0 --pls-components 2 "
                                            "--out single.tsv");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto table = fmri::read_tsv(scratch / "single.tsv");
  ASSERT_EQ(table.rows.size(), 3u);
  for (const auto& row : table.rows) EXPECT_NE(cell(table, row, "note"), "ok");
  EXPECT_NE(run.out.find("3 without a noise-corrected value"), std::string::npos) << run.out;
}

TEST(EncodingCliData, ResponsesThatDoNotSplitIntoRepeats) {
  ScratchDirectory scratch;
  fmri::write_npy(Eigen::MatrixXd::Ones(10, 3), scratch / "responses.npy");
  fmri::write_npy(Eigen::MatrixXd::Ones(5, 3), scratch / "features.npy");
  expect_clean_failure(scratch, "encoding predictivity --features features.npy --responses responses.npy --layout stimuli,repeats,neurons "
                                "--repeats 4 --out p.tsv", "responses.npy", "multiple of 4 repeats");
}

// cvPCA splits the repeats into two halves: one repeat per stimulus (rows stimulus-major, --repeats 1), or a 2-D
// array without a repeat count, is one clear line and no output.
TEST(EncodingCliData, CrossValidatedPcaNeedsRepeats) {
  ScratchDirectory scratch;
  Eigen::MatrixXd responses(20, 6);
  for (int i = 0; i < 20; ++i) {
    for (int j = 0; j < 6; ++j) responses(i, j) = std::cos(0.9 * i * (j + 1));
  }
  fmri::write_npy(responses, scratch / "single.npy");
  expect_clean_failure(scratch, "encoding eigenspectrum --responses single.npy --layout stimuli,repeats,neurons --repeats 1 --out s.tsv",
                       "single.npy", "needs at least 2 repeats, found 1");
  expect_clean_failure(scratch, "encoding eigenspectrum --responses single.npy --layout stimuli,repeats,neurons --out s.tsv", "single.npy",
                       "needs the number of repeats", 2);
}

}  // namespace
}  // namespace visalign
