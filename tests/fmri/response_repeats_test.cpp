// Neural responses with repeats from NPY arrays in every axis layout: each element lands at its
// (repeat, stimulus, neuron); 2-D arrays split their rows stimulus-major or repeat-major; shapes
// that do not fit are FormatErrors naming the file; the real macaque V1 and Allen mouse V1 files read
// with the layouts their READMEs give (the Allen repeat rows do not line up with its images: see
// the last test).

#include <gtest/gtest.h>

#include <cmath>

#include "fmri/response_repeats.hpp"
#include "surface/format_error.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

/// value of (repeat r, stimulus s, neuron n), distinct for every triple.
double value_of(std::int64_t r, std::int64_t s, std::int64_t n) { return 100.0 * r + 10.0 * s + n + 0.5; }

NpyArray array_in_layout(const std::vector<std::string>& axes, std::int64_t repeats, std::int64_t stimuli, std::int64_t neurons) {
  NpyArray array;
  array.dtype = "<f8";
  auto extent = [&](const std::string& axis) { return axis == "repeats" ? repeats : (axis == "stimuli" ? stimuli : neurons); };
  array.shape = {extent(axes[0]), extent(axes[1]), extent(axes[2])};
  for (std::int64_t i = 0; i < array.shape[0]; ++i) {
    for (std::int64_t j = 0; j < array.shape[1]; ++j) {
      for (std::int64_t k = 0; k < array.shape[2]; ++k) {
        std::int64_t at[3] = {i, j, k}, r = 0, s = 0, n = 0;
        for (int a = 0; a < 3; ++a) {
          (axes[static_cast<std::size_t>(a)] == "repeats" ? r : (axes[static_cast<std::size_t>(a)] == "stimuli" ? s : n)) = at[a];
        }
        array.values.push_back(value_of(r, s, n));
      }
    }
  }
  return array;
}

void expect_repeats(const std::vector<Eigen::MatrixXd>& repeats, std::int64_t count, std::int64_t stimuli, std::int64_t neurons) {
  ASSERT_EQ(static_cast<std::int64_t>(repeats.size()), count);
  for (std::int64_t r = 0; r < count; ++r) {
    ASSERT_EQ(repeats[static_cast<std::size_t>(r)].rows(), stimuli);
    ASSERT_EQ(repeats[static_cast<std::size_t>(r)].cols(), neurons);
    for (std::int64_t s = 0; s < stimuli; ++s) {
      for (std::int64_t n = 0; n < neurons; ++n) EXPECT_EQ(repeats[static_cast<std::size_t>(r)](s, n), value_of(r, s, n));
    }
  }
}

TEST(ResponseRepeats, EveryThreeAxisLayout) {
  const std::vector<std::vector<std::string>> layouts = {
      {"repeats", "stimuli", "neurons"}, {"repeats", "neurons", "stimuli"}, {"stimuli", "repeats", "neurons"},
      {"stimuli", "neurons", "repeats"}, {"neurons", "repeats", "stimuli"}, {"neurons", "stimuli", "repeats"}};
  for (const auto& axes : layouts) {
    const std::string text = axes[0] + "," + axes[1] + "," + axes[2];
    SCOPED_TRACE(text);
    expect_repeats(response_repeats(array_in_layout(axes, 3, 5, 4), parse_response_layout(text), 0, "test.npy"), 3, 5, 4);
  }
}

TEST(ResponseRepeats, TwoDimensionalRowsStimulusOrRepeatMajor) {
  for (const std::string text : {"stimuli,repeats,neurons", "repeats,stimuli,neurons"}) {
    SCOPED_TRACE(text);
    const ResponseLayout layout = parse_response_layout(text);
    NpyArray array = array_in_layout(layout.axes, 4, 6, 3);
    array.shape = {array.shape[0] * array.shape[1], array.shape[2]};
    expect_repeats(response_repeats(array, layout, 4, "test.npy"), 4, 6, 3);
  }
}

TEST(ResponseRepeats, BadLayoutsAndShapesNameTheFile) {
  EXPECT_THROW(parse_response_layout("repeats,stimuli"), std::invalid_argument);
  EXPECT_THROW(parse_response_layout("repeats,stimuli,stimuli"), std::invalid_argument);
  EXPECT_THROW(parse_response_layout("trials,stimuli,neurons"), std::invalid_argument);
  const ResponseLayout layout = parse_response_layout("stimuli,repeats,neurons");
  NpyArray rows;
  rows.shape = {10, 3};
  rows.values.assign(30, 1.0);
  try {
    response_repeats(rows, layout, 4, "responses.npy");
    FAIL() << "10 rows are not a multiple of 4 repeats";
  } catch (const surface::FormatError& error) {
    EXPECT_NE(std::string(error.what()).find("responses.npy"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("multiple of 4"), std::string::npos) << error.what();
  }
  EXPECT_THROW(response_repeats(rows, layout, 0, "responses.npy"), std::invalid_argument);
  EXPECT_THROW(response_repeats(rows, parse_response_layout("neurons,repeats,stimuli"), 2, "responses.npy"), surface::FormatError);
  NpyArray vector;
  vector.shape = {5};
  vector.values.assign(5, 1.0);
  EXPECT_THROW(response_repeats(vector, layout, 1, "responses.npy"), surface::FormatError);
}

TEST(ResponseRepeats, MacaqueV1File) {
  const auto path = visalign::testing::shared_data("neural/macaque_v1_spikes/spike_counts_rep_unit_stim.npy");
  VISALIGN_REQUIRE_FILE(path);
  const auto repeats = response_repeats(read_npy(path), parse_response_layout("repeats,neurons,stimuli"), 0, path.string());
  ASSERT_EQ(repeats.size(), 50u);
  EXPECT_EQ(repeats.front().rows(), 484);
  EXPECT_EQ(repeats.front().cols(), 37);
  for (const auto& repeat : repeats) EXPECT_TRUE(repeat.allFinite());
  EXPECT_GE(repeats.front().minCoeff(), 0.0);  // spike counts
}

// The data README describes Allen_test_output_big.npy as 18 images x 50 repeats. Its rows do not
// line up with the images in either order: neither the stimulus-major nor the repeat-major means
// over repeats reproduce Allen_test_output.npy (the per-image averages), and rows given the same
// image are no more alike than rows given different images. The file reads with either layout;
// this test records the finding so that nobody builds a noise ceiling on it unawares.
TEST(ResponseRepeats, AllenRepeatRowsDoNotMatchTheAveragedFile) {
  const auto big = visalign::testing::shared_data("neural/mouse_v1_allen/Allen_test_output_big.npy");
  const auto mean = visalign::testing::shared_data("neural/mouse_v1_allen/Allen_test_output.npy");
  VISALIGN_REQUIRE_FILE(big);
  VISALIGN_REQUIRE_FILE(mean);
  const Eigen::MatrixXd averaged = npy_matrix(read_npy(mean), mean.string());
  std::cout << "Allen_test_output_big.npy: max |mean over repeats - Allen_test_output.npy| and mean per-neuron r across images:";
  for (const std::string text : {"stimuli,repeats,neurons", "repeats,stimuli,neurons"}) {
    const auto repeats = response_repeats(read_npy(big), parse_response_layout(text), 50, big.string());
    ASSERT_EQ(repeats.size(), 50u);
    ASSERT_EQ(repeats.front().rows(), 18);
    ASSERT_EQ(repeats.front().cols(), 212);
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(18, 212);
    for (const auto& repeat : repeats) sum += repeat;
    const Eigen::MatrixXd means = sum / 50.0;
    double correlation = 0;
    for (Eigen::Index j = 0; j < 212; ++j) {
      const Eigen::VectorXd a = means.col(j).array() - means.col(j).mean(), b = averaged.col(j).array() - averaged.col(j).mean();
      correlation += a.dot(b) / std::sqrt(a.squaredNorm() * b.squaredNorm()) / 212.0;
    }
    const double error = (means - averaged).cwiseAbs().maxCoeff();
    std::cout << " " << text << ": " << error << ", r = " << correlation << ";";
    EXPECT_GT(error, 1.0);
    EXPECT_LT(std::abs(correlation), 0.2);
  }
  std::cout << "\n";
}

}  // namespace
}  // namespace visalign::fmri
