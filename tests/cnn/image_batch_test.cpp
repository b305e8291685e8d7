// Tests of cnn/image_batch: the ImageNet preprocessing against PIL (torchvision's pipeline written out
// with PIL + numpy in tests/fixtures/make_cnn_fixtures.py, fixture cnn_fixtures.json), PNG writing, errors.

#include "cnn/image_batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"
#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

using visalign::testing::read_fixture_json;
using visalign::testing::ScratchDirectory;
using visalign::testing::shared_data;

using visalign::cnn::testing::error_message;

TEST(CnnImageBatch, PreprocessingMatchesTorchvisionPilPipeline) {
  const nlohmann::json fixtures = read_fixture_json("cnn_fixtures.json");
  for (const nlohmann::json& expected : fixtures.at("preprocessing")) {
    const auto file = shared_data("stimuli/imagenet40/" + expected.at("file").get<std::string>());
    VISALIGN_REQUIRE_FILE(file);
    const ImageBatch batch = load_images({file}, Preprocessing{});
    ASSERT_EQ(batch.count, 1);
    ASSERT_EQ(batch.channels, 3);
    ASSERT_EQ(batch.height, 224);
    ASSERT_EQ(batch.width, 224);
    ASSERT_EQ(batch.values.size(), 3u * 224 * 224);
    double sum = 0.0, square_sum = 0.0;
    for (const float value : batch.values) {
      sum += value;
      square_sum += static_cast<double>(value) * value;
    }
    const double count = static_cast<double>(batch.values.size());
    const double mean = sum / count;
    const double standard_deviation = std::sqrt(square_sum / count - mean * mean);
    const auto indices = expected.at("indices").get<std::vector<std::size_t>>();
    const auto values = expected.at("values").get<std::vector<double>>();
    double max_difference = 0.0;
    std::size_t identical = 0;
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const double difference = std::abs(batch.values[indices[i]] - values[i]);
      max_difference = std::max(max_difference, difference);
      if (difference == 0.0) ++identical;
    }
    // One byte step is 1 / 255 / std = 0.0171..0.0174 in normalised units.
    const double max_bytes = max_difference * 0.229 * 255.0;
    std::cout << "preprocessing vs PIL " << expected.at("file").get<std::string>() << ": mean " << mean << " (PIL "
              << expected.at("mean").get<double>() << "), std " << standard_deviation << " (PIL "
              << expected.at("std").get<double>() << "), sampled values identical " << identical << "/" << indices.size()
              << ", max |difference| " << max_difference << " (about " << max_bytes << " byte steps)\n";
    // The difference is JPEG decoding (stb_image versus libjpeg-turbo); the resize is PIL's to the bit.
    EXPECT_NEAR(mean, expected.at("mean").get<double>(), 0.002);
    EXPECT_NEAR(standard_deviation, expected.at("std").get<double>(), 0.002);
    EXPECT_LE(max_difference, 0.06);  // 3 byte steps
  }
}

TEST(CnnImageBatch, WritePngRoundTripsThroughLoadImages) {
  ScratchDirectory scratch;
  const int height = 5, width = 7;
  std::vector<float> rgb(static_cast<std::size_t>(height) * width * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<float>((i * 37) % 256) / 255.0f;
  rgb[0] = -0.5f;  // clamped to 0
  rgb[1] = 1.5f;   // clamped to 1
  const auto file = scratch / "image.png";
  write_png(file, rgb, height, width);
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"image.png"});
  Preprocessing identity;
  identity.resize_shorter = 0;
  identity.crop = 0;
  identity.mean = {0.0f, 0.0f, 0.0f};
  identity.std = {1.0f, 1.0f, 1.0f};
  const ImageBatch batch = load_images({file}, identity);
  ASSERT_EQ(batch.height, height);
  ASSERT_EQ(batch.width, width);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const float written = std::clamp(rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c], 0.0f, 1.0f);
        EXPECT_NEAR(batch.values[(static_cast<std::size_t>(c) * height + y) * width + x], written, 1e-6);
      }
    }
  }
}

TEST(CnnImageBatch, ResizeAndCropGiveTheRequestedSize) {
  ScratchDirectory scratch;
  const int height = 30, width = 50;
  std::vector<float> rgb(static_cast<std::size_t>(height) * width * 3, 0.25f);
  write_png(scratch / "wide.png", rgb, height, width);
  write_png(scratch / "tall.png", std::vector<float>(rgb.size(), 0.75f), width, height);
  Preprocessing preprocessing;
  preprocessing.resize_shorter = 20;
  preprocessing.crop = 16;
  const ImageBatch batch = load_images({scratch / "wide.png", scratch / "tall.png"}, preprocessing);
  EXPECT_EQ(batch.count, 2);
  EXPECT_EQ(batch.height, 16);
  EXPECT_EQ(batch.width, 16);
  // A constant image stays constant through the resize: (64 / 255 - mean) / std.
  const float expected = (64.0f / 255.0f - preprocessing.mean[0]) / preprocessing.std[0];
  EXPECT_FLOAT_EQ(batch.values[0], expected);
  preprocessing.crop = 0;
  const std::string message = error_message([&] { load_images({scratch / "wide.png", scratch / "tall.png"}, preprocessing); });
  EXPECT_NE(message.find("tall.png"), std::string::npos) << message;
}

TEST(CnnImageBatch, UnreadableOrNonImageFilesAreErrorsNamingTheFile) {
  ScratchDirectory scratch;
  const auto missing = scratch / "missing.jpg";
  std::string message = error_message([&] { load_images({missing}, Preprocessing{}); });
  EXPECT_NE(message.find("missing.jpg"), std::string::npos) << message;
  const auto text = scratch / "notes.png";
  std::ofstream(text) << "this is not an image\n";
  message = error_message([&] { load_images({text}, Preprocessing{}); });
  EXPECT_NE(message.find("notes.png"), std::string::npos) << message;
  EXPECT_NE(message.find("decode"), std::string::npos) << message;
  EXPECT_THROW(load_images({text}, Preprocessing{}), std::runtime_error);
  std::cout << "not an image: " << message << "\n";
}

}  // namespace
}  // namespace visalign::cnn
