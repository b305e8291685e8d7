// Tests of cnn/gabor_stimuli: METHODS' set (sizes, order, cycles/degree), the images against an independent
// numpy implementation of the seed's equation (tests/fixtures/make_tuning_fixtures.py -> tuning_fixtures.json),
// the orientation convention by rotation, scaling to 28 px (Nyquist), ranges and invalid specs.

#include "cnn/gabor_stimuli.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::read_fixture_json;

TEST(GaborStimuli, MethodsSetHasTheSeedsGrid) {
  const GaborStimulusSpec spec;
  ASSERT_EQ(spec.orientations.size(), 10u);
  EXPECT_EQ(spec.orientations.front(), 0.0);
  EXPECT_EQ(spec.orientations.back(), 172.5);
  EXPECT_NEAR(spec.orientations[1], 172.5 / 9, 1e-12);
  ASSERT_EQ(spec.phases.size(), 10u);
  for (std::size_t p = 0; p < 10; ++p) EXPECT_EQ(spec.phases[p], 36.0 * static_cast<double>(p));
  EXPECT_EQ(spec.frequencies, (std::vector<double>{2.5, 3.5, 5, 7.1, 10, 14.1, 20, 28.3, 40, 56}));
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(spec);
  ASSERT_EQ(stimuli.size(), 1000u);
  // Set order: frequency slowest, phase fastest.
  const GaborStimulus& s = stimuli[(9 * 10 + 3) * 10 + 7];
  EXPECT_EQ(s.frequency_index, 9u);
  EXPECT_EQ(s.orientation_index, 3u);
  EXPECT_EQ(s.phase_index, 7u);
  EXPECT_EQ(s.orientation_deg, spec.orientations[3]);
  EXPECT_EQ(s.phase_deg, 252.0);
  EXPECT_EQ(s.cycles_per_image, 56.0);
  EXPECT_DOUBLE_EQ(s.cycles_per_degree, 8.75);  // the seed's 56 cycles / 6.4 degrees
  EXPECT_DOUBLE_EQ(stimuli.front().cycles_per_degree, 2.5 / 6.4);
}

TEST(GaborStimuli, ImagesMatchNumpy) {
  const nlohmann::json fixture = read_fixture_json("tuning_fixtures.json");
  double largest = 0.0;
  for (const nlohmann::json& image_case : fixture["images"]) {
    GaborStimulusSpec spec;
    spec.image_size = image_case["image_size"].get<int>();
    spec.sigma = image_case["sigma"].get<double>();
    spec.gamma = image_case["gamma"].get<double>();
    spec.orientations = {image_case["orientation"].get<double>()};
    spec.phases = {image_case["phase"].get<double>()};
    spec.frequencies = {image_case["cycles_per_image"].get<double>()};
    spec.channels = 3;
    const ImageBatch images = gabor_images(spec);
    ASSERT_EQ(images.count, 1);
    ASSERT_EQ(images.channels, 3);
    ASSERT_EQ(images.height, spec.image_size);
    const std::vector<double> expected = visalign::testing::fixture_values(image_case["pixels"]);
    const std::vector<int> rows = image_case["rows"].get<std::vector<int>>();
    ASSERT_EQ(expected.size(), rows.size() * static_cast<std::size_t>(spec.image_size));
    const std::size_t plane = static_cast<std::size_t>(spec.image_size * spec.image_size);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (int j = 0; j < spec.image_size; ++j) {
        const std::size_t pixel = static_cast<std::size_t>(rows[r] * spec.image_size + j);
        const double want = expected[r * static_cast<std::size_t>(spec.image_size) + static_cast<std::size_t>(j)];
        for (int c = 0; c < 3; ++c) {  // grey replicated to R, G, B
          const double error = std::abs(images.values[static_cast<std::size_t>(c) * plane + pixel] - want);
          largest = std::max(largest, error);
          ASSERT_LE(error, 1e-6) << "image size " << spec.image_size << " row " << rows[r] << " column " << j << " channel " << c;
        }
      }
    }
  }
  std::cout << "Gabor images vs numpy (" << fixture["images"].size() << " cases): largest |difference| " << largest << "\n";
}

TEST(GaborStimuli, OrientationTurnsThePatchCounterClockwise) {
  // With y up, orientation 90 deg is orientation 0 turned 90 deg counter-clockwise: the pixel grid maps onto
  // itself, so new(i, j) = old(j, n - 1 - i) exactly up to rounding of cos(90 deg).
  GaborStimulusSpec spec;
  spec.image_size = 31;
  spec.sigma = 5;
  spec.channels = 1;
  spec.phases = {40.0};
  spec.frequencies = {4.0};
  spec.orientations = {0.0, 90.0};
  const ImageBatch images = gabor_images(spec);
  const int n = spec.image_size;
  double largest = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const float turned = images.values[static_cast<std::size_t>(n * n + i * n + j)];
      const float original = images.values[static_cast<std::size_t>(j * n + (n - 1 - i))];
      largest = std::max(largest, static_cast<double>(std::abs(turned - original)));
    }
  }
  EXPECT_LE(largest, 1e-6);
  // Orientation 0, phase 0: vertical stripes, brightest column through the centre.
  spec.orientations = {0.0};
  spec.phases = {0.0};
  const ImageBatch vertical = gabor_images(spec);
  EXPECT_FLOAT_EQ(vertical.values[static_cast<std::size_t>(15 * n + 15)], 1.0f);
  EXPECT_GT(vertical.values[static_cast<std::size_t>(15 * n + 15)], vertical.values[static_cast<std::size_t>(15 * n + 17)]);
}

TEST(GaborStimuli, ScaledTo28PixelsKeepsPixelsPerDegreeAndDropsAliasedFrequencies) {
  const ScaledGaborStimulusSpec scaled = scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 28);
  EXPECT_DOUBLE_EQ(scaled.spec.field_of_view, 0.8);
  EXPECT_DOUBLE_EQ(scaled.spec.sigma, 4.375);
  EXPECT_DOUBLE_EQ(scaled.spec.image_size / scaled.spec.field_of_view, 224 / 6.4);
  EXPECT_EQ(scaled.spec.frequencies, (std::vector<double>{2.5, 3.5, 5, 7.1, 10}));
  EXPECT_EQ(scaled.dropped_frequencies, (std::vector<double>{14.1, 20, 28.3, 40, 56}));
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(scaled.spec);
  EXPECT_EQ(stimuli.size(), 500u);
  EXPECT_DOUBLE_EQ(stimuli.back().cycles_per_degree, 12.5);
  // The same size keeps the set.
  const ScaledGaborStimulusSpec same = scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 224);
  EXPECT_TRUE(same.dropped_frequencies.empty());
  EXPECT_EQ(same.spec.sigma, 35.0);
  EXPECT_EQ(same.spec.field_of_view, 6.4);
}

TEST(GaborStimuli, RangesAreSlicesOfTheSetAndValuesStayInTheUnitInterval) {
  ScaledGaborStimulusSpec scaled = scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 20);
  scaled.spec.channels = 1;
  const ImageBatch all = gabor_images(scaled.spec);
  ASSERT_EQ(all.count, 500);  // 20 px: 2.5 ... 10 cycles/image (Nyquist 10) x 10 x 10
  const ImageBatch slice = gabor_images(scaled.spec, 137, 21);
  ASSERT_EQ(slice.count, 21);
  EXPECT_TRUE(std::equal(slice.values.begin(), slice.values.end(), all.values.begin() + 137 * 400));
  const auto [low, high] = std::minmax_element(all.values.begin(), all.values.end());
  EXPECT_GE(*low, 0.0f);
  EXPECT_LE(*high, 1.0f);
  EXPECT_EQ(gabor_images(scaled.spec, 500, 0).count, 0);
  EXPECT_NE(error_message([&] { gabor_images(scaled.spec, 490, 11); }).find("range inside the 500 stimuli"), std::string::npos);
}

TEST(GaborStimuli, InvalidSpecsAreNamed) {
  GaborStimulusSpec spec;
  spec.frequencies = {2.5, 113};
  EXPECT_NE(error_message([&] { gabor_stimuli(spec); }).find("Nyquist frequency 112"), std::string::npos);
  spec = GaborStimulusSpec{};
  spec.channels = 2;
  EXPECT_NE(error_message([&] { gabor_stimuli(spec); }).find("1 or 3 channels, found 2"), std::string::npos);
  spec = GaborStimulusSpec{};
  spec.sigma = 0;
  EXPECT_NE(error_message([&] { gabor_stimuli(spec); }).find("sigma"), std::string::npos);
  spec = GaborStimulusSpec{};
  spec.phases.clear();
  EXPECT_NE(error_message([&] { gabor_stimuli(spec); }).find("phases"), std::string::npos);
  spec = GaborStimulusSpec{};
  spec.amplitude = 0.6;
  EXPECT_NE(error_message([&] { gabor_stimuli(spec); }).find("inside [0, 1]"), std::string::npos);
  EXPECT_NE(error_message([&] { scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 4); }).find("no frequency"), std::string::npos);
  EXPECT_EQ(evenly_spaced(0, 1, 1), std::vector<double>{0.0});
  EXPECT_EQ(evenly_spaced(0, 3, 4), (std::vector<double>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace visalign::cnn
