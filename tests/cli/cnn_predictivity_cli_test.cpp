// `visalign cnn predictivity`: spikes simulated by `cnn v1-simulate` from one population are predicted by
// the V1 simulator's features of that same population (the features are the spikes' expected counts, so
// only Poisson noise and the regression's finite training set stand between them; the expected counts
// themselves, without a regression, give a noise-corrected median of 1), far better than when the stimuli
// are listed in a shuffled order (features of other images: near 0); a SqueezeNet layer's
// tables have the promised columns. Bad input: spikes without repeats, a 2-D spike file, an image count
// that is not the spikes' stimuli, a basis that shares a stimulus, an unknown layer, no model.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fmri/npy.hpp"
#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string squeezenet() { return testing::shared_data("cnn/squeezenet1_1.pt").string(); }
std::filesystem::path imagenet1000() { return testing::shared_data("stimuli/imagenet1000_224"); }

/// The images of imagenet1000_224 sorted by name (1000 JPEGs).
std::vector<std::filesystem::path> imagenet_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(imagenet1000())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// A TSV with a 'file' column listing `files` (absolute paths) in the order given.
void write_image_tsv(const std::filesystem::path& tsv, const std::vector<std::filesystem::path>& files) {
  std::ofstream stream(tsv);
  stream << "file\n";
  for (const auto& file : files) stream << file.string() << "\n";
}

/// summary.tsv rows as layer -> (column -> cell).
std::map<std::string, std::map<std::string, std::string>> summary_of(const std::filesystem::path& file) {
  const fmri::TsvTable table = fmri::read_tsv(file);
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) rows[row[0]][table.columns[c]] = row[c];
  }
  return rows;
}

const std::string small_population = "--simple-cells 24 --complex-cells 24 --image-size 64";
const std::string small_simulator = "--v1-simulator --v1-simple-cells 24 --v1-complex-cells 24 --v1-image-size 64";

/// Image lists: stimuli.tsv, 120 stimuli (the first ImageNet images); shuffled.tsv, the same files in another
/// order; basis.tsv, 60 basis images (the next ones); small.tsv and small_basis.tsv, the first 40 stimuli and 20
/// basis images for the runs that only check tables and errors. (With 40 stimuli, 30 training stimuli per split
/// leave PLS far from the exact linear map: the same population scored 0.62, so the analytic case takes 120.)
class CnnPredictivityCli : public ::testing::Test {
 protected:
  void SetUp() override {
    VISALIGN_REQUIRE_FILE(imagenet1000());
    const std::vector<std::filesystem::path> files = imagenet_files();
    ASSERT_GE(files.size(), 180u);
    stimuli_.assign(files.begin(), files.begin() + 120);
    basis_.assign(files.begin() + 120, files.begin() + 180);
    write_image_tsv(scratch_ / "stimuli.tsv", stimuli_);
    write_image_tsv(scratch_ / "basis.tsv", basis_);
    std::vector<std::filesystem::path> shuffled = stimuli_;
    std::mt19937_64 generator(11);
    std::shuffle(shuffled.begin(), shuffled.end(), generator);
    write_image_tsv(scratch_ / "shuffled.tsv", shuffled);
    write_image_tsv(scratch_ / "small.tsv", std::vector<std::filesystem::path>(stimuli_.begin(), stimuli_.begin() + 40));
    write_image_tsv(scratch_ / "small_basis.tsv", std::vector<std::filesystem::path>(basis_.begin(), basis_.begin() + 20));
  }

  /// Spikes of population seed 3 to the images of `tsv` in <scratch>/<out>.
  void simulate(const std::string& tsv, int repeats, const std::string& out) const {
    const Outcome simulate = run_visalign(scratch_, "cnn v1-simulate --images " + tsv + " " + small_population + " --population-seed 3 --repeats " +
                                                        std::to_string(repeats) + " --montage-cells 0 --device cpu --seed 5 --out " + out);
    ASSERT_EQ(simulate.exit_code, 0) << simulate.err;
  }

  ScratchDirectory scratch_;
  std::vector<std::filesystem::path> stimuli_, basis_;
};

TEST_F(CnnPredictivityCli, SameSimulatorPredictsItsSpikesAndShuffledImagesDoNot) {
  simulate("stimuli.tsv", 6, "sim");
  const std::string common = "cnn predictivity --spikes sim/spikes.npy --basis-images basis.tsv --device cpu --threads 2 " + small_simulator +
                             " --v1-population-seed 3";
  const Outcome same = run_visalign(scratch_, common + " --images stimuli.tsv --out same");
  ASSERT_EQ(same.exit_code, 0) << same.err;
  std::cout << same.out;
  const Outcome shuffled = run_visalign(scratch_, common + " --images shuffled.tsv --out shuffled");
  ASSERT_EQ(shuffled.exit_code, 0) << shuffled.err;
  std::cout << shuffled.out;

  const fmri::TsvTable table = fmri::read_tsv(scratch_ / "same/summary.tsv");
  const std::vector<std::string> first_columns(table.columns.begin(), table.columns.begin() + 5);
  EXPECT_EQ(first_columns, (std::vector<std::string>{"layer", "units", "components", "median_noise_corrected_r", "median_r"}));
  auto same_row = summary_of(scratch_ / "same/summary.tsv").at("v1_simulator");
  auto shuffled_row = summary_of(scratch_ / "shuffled/summary.tsv").at("v1_simulator");
  EXPECT_EQ(same_row["units"], "48");
  EXPECT_EQ(same_row["components"], "48");  // 48 features span at most 48 axes of the 60 basis images
  const double same_median = std::stod(same_row["median_noise_corrected_r"]);
  const double shuffled_median = std::stod(shuffled_row["median_noise_corrected_r"]);
  std::cout << "median noise-corrected r: same population " << same_median << ", shuffled images " << shuffled_median << "\n";
  // The features are the spikes' own expected counts: only Poisson noise and the regression's finite training set
  // (90 stimuli per split, 25 PLS components for 48 features) stand between them.
  EXPECT_GT(same_median, 0.75);
  EXPECT_LT(same_median, 1.1);
  EXPECT_LT(shuffled_median, 0.35);
  EXPECT_GT(same_median, shuffled_median + 0.5);
  EXPECT_NE(same.out.find("most V1-like layer: v1_simulator"), std::string::npos) << same.out;
  EXPECT_TRUE(std::filesystem::exists(scratch_ / "same/v1_simulator.neurons.tsv"));
  // The noise correction alone, without the regression: the expected counts themselves as the prediction, r over
  // all stimuli against the mean spikes, divided by sqrt of the table's Spearman-Brown reliability; its median
  // must be 1 up to sampling error (the correction's analytic target).
  const fmri::TsvTable neurons = fmri::read_tsv(scratch_ / "same/v1_simulator.neurons.tsv");
  ASSERT_EQ(neurons.rows.size(), 48u);
  const Eigen::MatrixXd rates = fmri::npy_matrix(fmri::read_npy(scratch_ / "sim/rates.npy"), "rates.npy");
  const fmri::NpyArray spikes = fmri::read_npy(scratch_ / "sim/spikes.npy");  // stimuli x neurons x repeats
  ASSERT_EQ(spikes.shape, (std::vector<std::int64_t>{120, 48, 6}));
  const int reliability_column = neurons.column_index("reliability_spearman_brown");
  std::vector<double> oracle;
  for (Eigen::Index n = 0; n < 48; ++n) {
    Eigen::VectorXd mean(120);
    for (Eigen::Index s = 0; s < 120; ++s) {
      double sum = 0;
      for (int r = 0; r < 6; ++r) sum += spikes.values[static_cast<std::size_t>((s * 48 + n) * 6 + r)];
      mean(s) = sum / 6;
    }
    const Eigen::VectorXd a = rates.col(n).array() - rates.col(n).mean(), b = mean.array() - mean.mean();
    oracle.push_back(a.dot(b) / std::sqrt(a.squaredNorm() * b.squaredNorm()) /
                     std::sqrt(std::stod(neurons.rows[static_cast<std::size_t>(n)][static_cast<std::size_t>(reliability_column)])));
  }
  std::nth_element(oracle.begin(), oracle.begin() + 24, oracle.end());
  const double upper = oracle[24];
  const double lower = *std::max_element(oracle.begin(), oracle.begin() + 24);
  std::cout << "noise-corrected r of the expected counts themselves (median): " << (lower + upper) / 2 << "\n";
  EXPECT_NEAR((lower + upper) / 2, 1.0, 0.08);
  EXPECT_TRUE(std::filesystem::exists(scratch_ / "same/predictivity.svg"));
  EXPECT_TRUE(std::filesystem::exists(scratch_ / "same/summary.tsv.json"));
}

TEST_F(CnnPredictivityCli, SqueezeNetLayersGiveOneRowEach) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  simulate("small.tsv", 2, "sim");
  const Outcome run = run_visalign(scratch_, "cnn predictivity --model " + squeezenet() +
                                                 " --layers features.2,features.5 --spikes sim/spikes.npy --images small.tsv "
                                                 "--basis-images small_basis.tsv --components 10 --device cpu --threads 2 --out squeeze");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const auto rows = summary_of(scratch_ / "squeeze/summary.tsv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at("features.2").at("units"), std::to_string(64 * 55 * 55));
  EXPECT_EQ(rows.at("features.2").at("components"), "10");
  for (const auto& [layer, row] : rows) EXPECT_TRUE(std::isfinite(std::stod(row.at("median_noise_corrected_r")))) << layer;
  EXPECT_TRUE(std::filesystem::exists(scratch_ / "squeeze/features_5.neurons.tsv"));
  EXPECT_NE(run.out.find("most V1-like layer: features."), std::string::npos) << run.out;
}

TEST_F(CnnPredictivityCli, BadInputIsAClearError) {
  simulate("small.tsv", 2, "sim");
  simulate("small.tsv", 1, "single");
  const std::string simulator = " --basis-images small_basis.tsv --device cpu " + small_simulator + " --out out";
  // Spikes with one repeat: no split-half reliability.
  expect_clean_failure(scratch_, "cnn predictivity --spikes single/spikes.npy --images small.tsv" + simulator, "single/spikes.npy",
                       "at least 2 repeats");
  // A 2-D spike file.
  fmri::write_npy(Eigen::MatrixXd::Ones(40, 48), scratch_ / "flat.npy");
  expect_clean_failure(scratch_, "cnn predictivity --spikes flat.npy --images small.tsv" + simulator, "flat.npy", "40 x 48");
  // One image fewer than the spikes' stimuli.
  write_image_tsv(scratch_ / "short.tsv", std::vector<std::filesystem::path>(stimuli_.begin(), stimuli_.begin() + 39));
  expect_clean_failure(scratch_, "cnn predictivity --spikes sim/spikes.npy --images short.tsv" + simulator, "short.tsv",
                       "expected 40 images", 2);
  // A basis that shares a stimulus.
  std::vector<std::filesystem::path> overlapping(basis_.begin(), basis_.begin() + 20);
  overlapping.push_back(stimuli_[7]);
  write_image_tsv(scratch_ / "overlapping.tsv", overlapping);
  expect_clean_failure(scratch_, "cnn predictivity --spikes sim/spikes.npy --images small.tsv --basis-images overlapping.tsv --device cpu " +
                                     small_simulator + " --out out",
                       "overlapping.tsv", stimuli_[7].filename().string(), 2);
  // Neither a model nor the simulator.
  expect_clean_failure(scratch_, "cnn predictivity --spikes sim/spikes.npy --images small.tsv --basis-images small_basis.tsv --out out",
                       "--v1-simulator", "exactly one", 2);
  if (std::filesystem::exists(squeezenet())) {
    expect_clean_failure(scratch_, "cnn predictivity --model " + squeezenet() + " --layers features.2,no_such_layer --spikes sim/spikes.npy "
                                       "--images small.tsv --basis-images small_basis.tsv --device cpu --out out",
                         "no_such_layer", "features.12", 2);
  }
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
