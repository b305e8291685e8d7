// Layer activations of the built-in networks (Network::layers / Network::activations): the layers come
// in network order with the shapes of the forward pass, the last layer is the logits, a layer read by
// name equals the same computation done by hand from the layer before it, and the front end's output
// is a layer of its own.

#include "cnn/network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

ImageBatch random_images(std::int64_t count, std::int64_t channels, std::int64_t size, std::uint32_t seed) {
  ImageBatch images;
  images.count = count;
  images.channels = channels;
  images.height = size;
  images.width = size;
  images.values.resize(static_cast<std::size_t>(count * channels * size * size));
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  for (float& value : images.values) value = pixel(engine);
  return images;
}

std::vector<std::string> names_of(const std::vector<LayerInfo>& layers) {
  std::vector<std::string> names;
  for (const LayerInfo& layer : layers) names.push_back(layer.name);
  return names;
}

NetworkSpec small_spec(const std::string& front_end) {
  NetworkSpec spec;
  spec.architecture = "small";
  spec.channels = 1;
  spec.height = spec.width = 28;
  spec.classes = 10;
  spec.front_end.kind = front_end;
  spec.front_end.blur_sigma = 1.5;
  return spec;
}

TEST(CnnNetworkActivations, SmallCnnLayersInOrderWithTheirShapes) {
  const Network network = Network::create(small_spec("none"), 3, "cpu", 1);
  const std::vector<LayerInfo> layers = network.layers();
  EXPECT_EQ(names_of(layers), (std::vector<std::string>{"conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc1", "relu3", "fc2"}));
  EXPECT_EQ(layers[0].shape, (std::vector<std::int64_t>{20, 24, 24}));
  EXPECT_EQ(layers[5].shape, (std::vector<std::int64_t>{50, 4, 4}));
  EXPECT_EQ(layers[8].shape, (std::vector<std::int64_t>{10}));
}

TEST(CnnNetworkActivations, LastLayerIsTheLogitsAndLayersFollowFromEachOther) {
  const Network network = Network::create(small_spec("none"), 3, "cpu", 1);
  const ImageBatch images = random_images(7, 1, 28, 5);
  // Batch size 3 does not divide 7: the rows must still land in place.
  const auto values = network.activations(images, {"fc2", "conv1", "relu1", "pool1", "conv1"}, 3);
  ASSERT_EQ(values.size(), 5u);
  const Eigen::MatrixXf logits = network.logits(images);
  EXPECT_LE((values[0] - logits).cwiseAbs().maxCoeff(), 1e-6f);
  EXPECT_EQ(values[1], values[4]);  // the same layer asked for twice
  // relu1 = max(conv1, 0); pool1 = 2 x 2 maximum of relu1 (20 channels of 24 x 24 -> 12 x 12).
  EXPECT_EQ(values[2], values[1].cwiseMax(0.0f));
  for (Eigen::Index image = 0; image < 7; ++image) {
    for (int channel = 0; channel < 20; ++channel) {
      for (int y = 0; y < 12; ++y) {
        for (int x = 0; x < 12; ++x) {
          float largest = -1.0f;
          for (int dy = 0; dy < 2; ++dy) {
            for (int dx = 0; dx < 2; ++dx) largest = std::max(largest, values[2](image, channel * 576 + (2 * y + dy) * 24 + 2 * x + dx));
          }
          ASSERT_EQ(values[3](image, channel * 144 + y * 12 + x), largest);
        }
      }
    }
  }
}

TEST(CnnNetworkActivations, FrontEndOutputIsALayer) {
  const Network network = Network::create(small_spec("blur"), 3, "cpu", 1);
  EXPECT_EQ(network.layers().front().name, "front_end");
  const ImageBatch images = random_images(4, 1, 28, 6);
  const Eigen::MatrixXf front = network.activations(images, {"front_end"}).front();
  const ImageBatch blurred = network.front_end_output(images);
  for (Eigen::Index image = 0; image < 4; ++image) {
    for (Eigen::Index unit = 0; unit < 784; ++unit) ASSERT_EQ(front(image, unit), blurred.values[image * 784 + unit]);
  }
}

TEST(CnnNetworkActivations, AlexNetAndResNetNameTheirLayersLikeTorchvision) {
  NetworkSpec alexnet;
  alexnet.architecture = "alexnet";
  alexnet.channels = 3;
  alexnet.height = alexnet.width = 64;
  alexnet.classes = 5;
  const std::vector<std::string> alexnet_names = names_of(Network::create(alexnet, 1, "cpu", 1).layers());
  ASSERT_EQ(alexnet_names.size(), 13u + 1u + 7u);
  EXPECT_EQ(alexnet_names.front(), "features.0");
  EXPECT_EQ(alexnet_names[13], "avgpool");
  EXPECT_EQ(alexnet_names.back(), "classifier.6");
  NetworkSpec resnet = alexnet;
  resnet.architecture = "resnet18";
  const Network network = Network::create(resnet, 1, "cpu", 1);
  const std::vector<LayerInfo> layers = network.layers();
  EXPECT_EQ(names_of(layers), (std::vector<std::string>{"conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4",
                                                        "avgpool", "fc"}));
  EXPECT_EQ(layers[7].shape, (std::vector<std::int64_t>{512, 2, 2}));
  const ImageBatch images = random_images(2, 3, 64, 7);
  EXPECT_LE((network.activations(images, {"fc"}).front() - network.logits(images)).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST(CnnNetworkActivations, UnknownLayerIsNamedWithTheAvailableOnes) {
  const Network network = Network::create(small_spec("none"), 3, "cpu", 1);
  const std::string message = testing::error_message([&] { network.activations(random_images(1, 1, 28, 1), {"conv9"}); });
  EXPECT_NE(message.find("\"conv9\""), std::string::npos) << message;
  EXPECT_NE(message.find("conv1, relu1, pool1"), std::string::npos) << message;
}

}  // namespace
}  // namespace visalign::cnn
