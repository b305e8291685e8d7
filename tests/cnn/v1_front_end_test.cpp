// Tests of the V1 front end of cnn::Network (FrontEnd kind "v1", VOneNet style): its output at a pixel equals
// the V1 simulator's responses (cnn::V1Model::rates with no baseline and unit rate, a separate matrix-product
// path) for the same neurons with their receptive fields centred on that pixel, the image window the
// convolution sees cut out and padded with mid-grey; its kernels are never trained; a checkpoint carries them;
// and a small network behind it learns a toy task.

#include "cnn/network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cnn/labelled_images.hpp"
#include "cnn/network_training.hpp"
#include "cnn/v1_model.hpp"
#include "tests/cnn/cnn_test_support.hpp"
#include "tests/scratch_directory.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::ScratchDirectory;

constexpr int threads = 2;
constexpr int image_size = 28;

/// A small CNN behind a V1 front end of `simple` + `complex` cells, 28 px = 0.8 degrees (METHODS' 35 px per degree).
NetworkSpec v1_network_spec(int simple, int complex) {
  NetworkSpec spec;
  spec.small_widths = {4, 8, 0};
  spec.front_end.kind = "v1";
  spec.front_end.v1.simple_cells = simple;
  spec.front_end.v1.complex_cells = complex;
  spec.front_end.v1.image_size = image_size;
  spec.front_end.v1.field_of_view = image_size / 35.0;
  spec.front_end.v1.seed = 11;
  return spec;
}

/// Grey images with structure at many frequencies: pixel i (C order) = 0.5 + 0.45 sin(0.37 i) cos(0.013 i).
ImageBatch formula_images(std::int64_t count) {
  ImageBatch batch;
  batch.count = count;
  batch.channels = 1;
  batch.height = image_size;
  batch.width = image_size;
  batch.values.resize(static_cast<std::size_t>(count * image_size * image_size));
  for (std::size_t i = 0; i < batch.values.size(); ++i) {
    const double x = static_cast<double>(i);
    batch.values[i] = static_cast<float>(0.5 + 0.45 * std::sin(0.37 * x) * std::cos(0.013 * x));
  }
  return batch;
}

TEST(V1FrontEnd, ResponseAtAPixelIsTheSimulatorsResponseWithItsFieldThere) {
  const NetworkSpec spec = v1_network_spec(6, 6);
  const Network network = Network::create(spec, 1, "cpu", threads);
  const ImageBatch images = formula_images(2);
  const ImageBatch output = network.front_end_output(images);
  const std::int64_t channels = 12;
  ASSERT_EQ(output.count, 2);
  ASSERT_EQ(output.channels, channels);
  ASSERT_EQ(output.height, image_size);
  ASSERT_EQ(output.width, image_size);

  // The kernels are 29 px (the cap: the widest envelope's +-3 sigma is wider than the image), so the convolution
  // at pixel (i, j) sees the 29 x 29 window centred there, zero-padded grey - 0.5, i.e. mid-grey outside the image.
  const std::vector<V1Neuron> neurons = draw_v1_neurons(spec.front_end.v1);
  const double degrees_per_pixel = spec.front_end.v1.field_of_view / image_size;
  double widest = 0;
  for (const V1Neuron& neuron : neurons) widest = std::max(widest, neuron.sigma_deg);
  ASSERT_GE(3 * widest / degrees_per_pixel, 14.0) << "the population's widest envelope no longer needs the largest kernel";
  constexpr int window = 29, half = 14;
  V1ModelSpec window_spec = spec.front_end.v1;
  window_spec.image_size = window;
  window_spec.field_of_view = window * degrees_per_pixel;
  window_spec.baseline_rate = 0;
  window_spec.peak_rate = 1;
  // The same neurons (every one centred: no jitter) on a 29 px image: the centre pixel is the pixel of interest.
  const V1Model simulator = V1Model::from_neurons(window_spec, neurons, "cpu", threads);

  const std::vector<std::pair<int, int>> pixels = {{14, 14}, {13, 13}, {0, 0}, {27, 27}, {3, 20}, {25, 6}};
  ImageBatch windows;
  windows.channels = 1;
  windows.height = window;
  windows.width = window;
  for (std::int64_t image = 0; image < images.count; ++image) {
    for (const auto& [row, column] : pixels) {
      windows.count += 1;
      for (int r = 0; r < window; ++r) {
        for (int c = 0; c < window; ++c) {
          const int source_row = row + r - half, source_column = column + c - half;
          const bool inside = source_row >= 0 && source_row < image_size && source_column >= 0 && source_column < image_size;
          windows.values.push_back(inside ? images.values[static_cast<std::size_t>((image * image_size + source_row) * image_size + source_column)]
                                          : 0.5f);
        }
      }
    }
  }
  const Eigen::MatrixXf rates = simulator.rates(windows);
  double largest_difference = 0, largest_response = 0;
  for (std::int64_t image = 0; image < images.count; ++image) {
    for (std::size_t p = 0; p < pixels.size(); ++p) {
      const auto [row, column] = pixels[p];
      const auto window_index = static_cast<Eigen::Index>(image * static_cast<std::int64_t>(pixels.size()) + static_cast<std::int64_t>(p));
      for (std::int64_t channel = 0; channel < channels; ++channel) {
        const float front_end =
            output.values[static_cast<std::size_t>(((image * channels + channel) * image_size + row) * image_size + column)];
        const float expected = rates(window_index, static_cast<Eigen::Index>(channel));
        EXPECT_NEAR(front_end, expected, 1e-5 + 1e-4 * std::fabs(expected))
            << "image " << image << ", pixel (" << row << ", " << column << "), channel " << channel << " (" << neurons[channel].type << ")";
        largest_difference = std::max(largest_difference, static_cast<double>(std::fabs(front_end - expected)));
        largest_response = std::max(largest_response, static_cast<double>(std::fabs(expected)));
      }
    }
  }
  EXPECT_GT(largest_response, 0.01);  // the comparison is not between zeros (differences are ~1e-8)
  std::cout << "V1 front end vs the simulator at " << pixels.size() << " pixels x " << images.count << " images x " << channels
            << " channels: largest difference " << largest_difference << " (largest response " << largest_response << ")\n";
}

/// A toy task: vertical (class 0) or horizontal (class 1) gratings of 3..6 cycles per image, random phase and contrast.
LabelledImages oriented_gratings(std::int64_t count, std::uint64_t seed) {
  LabelledImages set;
  set.class_names = {"vertical", "horizontal"};
  set.images.count = count;
  set.images.channels = 1;
  set.images.height = image_size;
  set.images.width = image_size;
  std::mt19937_64 engine(seed);
  auto uniform = [&engine]() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; };
  constexpr double pi = 3.14159265358979323846;
  for (std::int64_t n = 0; n < count; ++n) {
    const std::int64_t label = n % 2;
    const double cycles = 3 + 3 * uniform(), phase = 2 * pi * uniform(), contrast = 0.2 + 0.3 * uniform();
    for (int r = 0; r < image_size; ++r) {
      for (int c = 0; c < image_size; ++c) {
        const double position = label == 0 ? c : r;
        set.images.values.push_back(static_cast<float>(0.5 + contrast * std::cos(2 * pi * cycles * position / image_size + phase)));
      }
    }
    set.labels.push_back(label);
  }
  return set;
}

TEST(V1FrontEnd, KernelsAreFrozenAndASmallNetworkLearnsBehindThem) {
  NetworkSpec spec = v1_network_spec(6, 6);
  spec.classes = 2;
  Network network = Network::create(spec, 2, "cpu", threads);
  // The kernels are buffers: the trainable parameters are exactly the network proper's.
  std::int64_t body_parameters = 0;
  for (const NetworkTensorInfo& tensor : network.tensors()) {
    if (!tensor.trainable) continue;
    std::int64_t count = 1;
    for (const std::int64_t extent : tensor.shape) count *= extent;
    body_parameters += count;
  }
  EXPECT_EQ(network.parameter_count(), body_parameters);
  EXPECT_EQ(network.tensors().front().shape, (std::vector<std::int64_t>{4, 12, 5, 5}));  // conv1 takes the 12 channels
  EXPECT_NE(network.description().find("V1 front end (6 simple + 6 complex cells"), std::string::npos) << network.description();

  const ImageBatch probe = formula_images(3);
  const ImageBatch before = network.front_end_output(probe);
  const std::vector<float> conv1_before = network.tensor_values("conv1.weight");
  const LabelledImages training = oriented_gratings(128, 1), test = oriented_gratings(64, 2);
  TrainingOptions options;
  options.epochs = 3;
  options.batch_size = 16;
  options.learning_rate = 1e-2;
  const std::vector<EpochReport> reports = train_network(network, training, test, options);
  for (const EpochReport& report : reports) {
    std::cout << "V1 front end + small CNN, oriented gratings: epoch " << report.epoch << " loss " << report.loss << ", test accuracy "
              << report.test_accuracy << "\n";
  }
  EXPECT_GE(reports.back().test_accuracy, 0.9);
  EXPECT_NE(network.tensor_values("conv1.weight"), conv1_before);  // the network proper did learn
  EXPECT_EQ(network.front_end_output(probe).values, before.values);  // the front end did not
}

TEST(V1FrontEnd, CheckpointRoundTrip) {
  ScratchDirectory scratch;
  const NetworkSpec spec = v1_network_spec(5, 3);
  const Network network = Network::create(spec, 4, "cpu", threads);
  const std::filesystem::path file = scratch / "v1.pt";
  network.save(file);
  const Network loaded = Network::load(file, "cpu", threads);
  const FrontEnd& front_end = loaded.spec().front_end;
  EXPECT_EQ(front_end.kind, "v1");
  EXPECT_EQ(front_end.v1.simple_cells, 5);
  EXPECT_EQ(front_end.v1.complex_cells, 3);
  EXPECT_EQ(front_end.v1.image_size, image_size);
  EXPECT_EQ(front_end.v1.field_of_view, spec.front_end.v1.field_of_view);
  EXPECT_EQ(front_end.v1.bandwidth_octaves, spec.front_end.v1.bandwidth_octaves);
  EXPECT_EQ(front_end.v1.seed, spec.front_end.v1.seed);
  EXPECT_EQ(front_end_channels(loaded.spec()), 8);
  const ImageBatch images = formula_images(4);
  EXPECT_EQ(loaded.front_end_output(images).values, network.front_end_output(images).values);
  EXPECT_TRUE(loaded.logits(images) == network.logits(images));
  const std::vector<LayerInfo> layers = loaded.layers();
  ASSERT_FALSE(layers.empty());
  EXPECT_EQ(layers.front().name, "front_end");
  EXPECT_EQ(layers.front().shape, (std::vector<std::int64_t>{8, image_size, image_size}));
  EXPECT_EQ(layers.at(1).name, "conv1");
}

TEST(V1FrontEnd, BadSpecsAreRejectedWithClearMessages) {
  NetworkSpec wide = v1_network_spec(2, 2);
  wide.width = 32;
  EXPECT_NE(error_message([&] { validate_network_spec(wide); }).find("V1 front end takes square images"), std::string::npos);
  NetworkSpec mismatched = v1_network_spec(2, 2);
  mismatched.front_end.v1.image_size = 32;
  EXPECT_NE(error_message([&] { validate_network_spec(mismatched); }).find("front_end.v1.image_size pixels (32), found 28 x 28"),
            std::string::npos);
  NetworkSpec empty = v1_network_spec(0, 0);
  EXPECT_NE(error_message([&] { validate_network_spec(empty); }).find("front_end.v1: V1 model: simple_cells and complex_cells"),
            std::string::npos);
  NetworkSpec normalised = v1_network_spec(2, 2);
  normalised.mean = {0.5f};  // one value for a grey image, but the network proper sees 4 channels
  normalised.std = {0.2f};
  EXPECT_NE(error_message([&] { validate_network_spec(normalised); }).find("one value per channel (4) or none"), std::string::npos);
  normalised.mean = {0, 0, 0, 0};
  normalised.std = {1, 1, 1, 1};
  EXPECT_EQ(error_message([&] { validate_network_spec(normalised); }), "(no exception)");
  NetworkSpec unknown;
  unknown.front_end.kind = "v2";
  EXPECT_NE(error_message([&] { validate_network_spec(unknown); }).find("\"none\", \"blur\", \"pca\" or \"v1\""), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
