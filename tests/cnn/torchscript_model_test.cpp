// Tests of cnn/torchscript_model on the real SqueezeNet 1.1 (shared data cnn/squeezenet1_1.pt):
// layer walk versus forward(), activations versus python3-torch on the same input (fixture
// cnn_fixtures.json + cnn_input_uint8.npy from tests/fixtures/make_cnn_fixtures.py), accuracy on the 40
// images of stimuli/imagenet40, and the errors.

#include "cnn/torchscript_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <string>

#include "cnn/image_batch.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"
#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

using visalign::testing::read_fixture_json;
using visalign::testing::ScratchDirectory;
using visalign::testing::shared_data;

constexpr int threads = 2;

using visalign::cnn::testing::error_message;

std::filesystem::path squeezenet_file() { return shared_data("cnn/squeezenet1_1.pt"); }

/// A minimal NPY reader for the uint8 fixture (version 1 header, C order).
std::vector<std::uint8_t> read_npy_uint8(const std::filesystem::path& file, std::vector<std::int64_t>& shape) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw std::runtime_error("missing fixture " + file.string());
  char magic[8];
  stream.read(magic, 8);
  if (std::string(magic, 6) != "\x93NUMPY" || magic[6] != 1) throw std::runtime_error("not an NPY v1 file");
  std::uint16_t header_length = 0;
  stream.read(reinterpret_cast<char*>(&header_length), 2);
  std::string header(header_length, ' ');
  stream.read(header.data(), header_length);
  if (header.find("'|u1'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos) {
    throw std::runtime_error("expected a C-order uint8 NPY, header " + header);
  }
  const auto open = header.find('(', header.find("'shape'"));
  const auto close = header.find(')', open);
  std::string dimensions = header.substr(open + 1, close - open - 1);
  shape.clear();
  std::size_t position = 0;
  while (position < dimensions.size()) {
    const auto comma = dimensions.find(',', position);
    const std::string item = dimensions.substr(position, comma == std::string::npos ? std::string::npos : comma - position);
    if (item.find_first_not_of(' ') != std::string::npos) shape.push_back(std::stoll(item));
    if (comma == std::string::npos) break;
    position = comma + 1;
  }
  const auto count = std::accumulate(shape.begin(), shape.end(), std::int64_t{1}, std::multiplies<>());
  std::vector<std::uint8_t> values(static_cast<std::size_t>(count));
  stream.read(reinterpret_cast<char*>(values.data()), count);
  if (!stream) throw std::runtime_error("truncated NPY " + file.string());
  return values;
}

/// The fixture input: ToTensor + Normalize of the stored PIL bytes, with the same float operations.
ImageBatch fixture_input() {
  std::vector<std::int64_t> shape;
  const auto bytes = read_npy_uint8(std::string(VISALIGN_FIXTURES_DIR) + "/cnn_input_uint8.npy", shape);
  const Preprocessing preprocessing;
  ImageBatch batch;
  batch.count = shape.at(0);
  batch.height = shape.at(1);
  batch.width = shape.at(2);
  batch.values.resize(bytes.size());
  const std::size_t plane = static_cast<std::size_t>(batch.height * batch.width);
  for (std::int64_t n = 0; n < batch.count; ++n) {
    for (int c = 0; c < 3; ++c) {
      for (std::size_t pixel = 0; pixel < plane; ++pixel) {
        const float value = static_cast<float>(bytes[(n * plane + pixel) * 3 + c]) / 255.0f;
        batch.values[(n * 3 + c) * plane + pixel] = (value - preprocessing.mean[c]) / preprocessing.std[c];
      }
    }
  }
  return batch;
}

TEST(CnnTorchScriptModel, SqueezeNetLayerNamesAndShapes) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const TorchScriptModel model = TorchScriptModel::load(squeezenet_file(), "cpu", threads);
  EXPECT_EQ(model.device(), "cpu");
  const std::vector<LayerInfo> layers = model.layers(3, 224, 224);
  EXPECT_EQ(model.walk_note(), "");
  ASSERT_EQ(layers.size(), 18u);
  for (int i = 0; i < 13; ++i) EXPECT_EQ(layers[i].name, "features." + std::to_string(i));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(layers[13 + i].name, "classifier." + std::to_string(i));
  EXPECT_EQ(layers[17].name, "output");
  EXPECT_EQ(layers[0].shape, (std::vector<std::int64_t>{64, 111, 111}));
  EXPECT_EQ(layers[2].shape, (std::vector<std::int64_t>{64, 55, 55}));
  EXPECT_EQ(layers[12].shape, (std::vector<std::int64_t>{512, 13, 13}));
  EXPECT_EQ(layers[14].shape, (std::vector<std::int64_t>{1000, 13, 13}));
  EXPECT_EQ(layers[16].shape, (std::vector<std::int64_t>{1000, 1, 1}));
  EXPECT_EQ(layers[17].shape, (std::vector<std::int64_t>{1000}));
  for (const LayerInfo& layer : layers) {
    std::cout << layer.name << " [";
    for (std::size_t d = 0; d < layer.shape.size(); ++d) std::cout << (d ? " x " : "") << layer.shape[d];
    std::cout << "]\n";
  }
}

TEST(CnnTorchScriptModel, RunningTheChildrenInOrderEqualsForward) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const TorchScriptModel model = TorchScriptModel::load(squeezenet_file(), "cpu", threads);
  const ImageBatch input = fixture_input();
  // "output" alone runs forward(); with a layer of the walk it comes from the walk.
  const auto forward = model.activations(input, {"output"});
  // The same batch size: LibTorch's convolutions may sum in another order for another batch size.
  const auto walked = model.activations(input, {"classifier.3", "output", "features.0"});
  ASSERT_EQ(forward[0].rows(), input.count);
  ASSERT_EQ(forward[0].cols(), 1000);
  EXPECT_EQ(walked[1].rows(), input.count);
  EXPECT_TRUE(walked[1] == forward[0]) << "max difference " << (walked[1] - forward[0]).cwiseAbs().maxCoeff();
  EXPECT_TRUE(walked[0] == forward[0]);  // classifier.3 is 1000 x 1 x 1: flattened, the output
  EXPECT_EQ(walked[2].cols(), 64 * 111 * 111);
  const auto one_by_one = model.activations(input, {"output"}, 1);
  const double batch_difference = (one_by_one[0] - forward[0]).cwiseAbs().maxCoeff() / forward[0].cwiseAbs().maxCoeff();
  std::cout << "output in batches of 1 versus 2: max relative difference " << batch_difference << "\n";
  EXPECT_LE(batch_difference, 1e-5);
}

TEST(CnnTorchScriptModel, ActivationsEqualPythonTorchOnTheSameInput) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const nlohmann::json fixtures = read_fixture_json("cnn_fixtures.json");
  const TorchScriptModel model = TorchScriptModel::load(squeezenet_file(), "cpu", threads);
  const ImageBatch input = fixture_input();
  const nlohmann::json& expected_input = fixtures.at("layers").at("input");
  {
    const auto indices = expected_input.at("indices").get<std::vector<std::size_t>>();
    const auto values = expected_input.at("values").get<std::vector<double>>();
    for (std::size_t i = 0; i < indices.size(); ++i) {
      ASSERT_EQ(input.values[indices[i]], static_cast<float>(values[i])) << "input value " << indices[i];
    }
  }
  std::vector<std::string> names;
  for (const nlohmann::json& layer : fixtures.at("layers").at("activations")) names.push_back(layer.at("name"));
  const auto activations = model.activations(input, names, 2);
  ASSERT_EQ(activations.size(), names.size());
  for (std::size_t l = 0; l < names.size(); ++l) {
    const nlohmann::json& expected = fixtures.at("layers").at("activations")[l];
    const auto shape = expected.at("shape").get<std::vector<std::int64_t>>();
    const std::int64_t units = std::accumulate(shape.begin() + 1, shape.end(), std::int64_t{1}, std::multiplies<>());
    ASSERT_EQ(activations[l].rows(), shape[0]) << names[l];
    ASSERT_EQ(activations[l].cols(), units) << names[l];
    // Row-major flat index, as numpy's reshape(-1) of the images x units array.
    auto flat = [&](std::size_t index) { return activations[l](index / units, index % units); };
    const auto indices = expected.at("indices").get<std::vector<std::size_t>>();
    const auto values = expected.at("values").get<std::vector<double>>();
    double scale = std::max(std::abs(expected.at("max").get<double>()), std::abs(expected.at("min").get<double>()));
    double max_difference = 0.0;
    for (std::size_t i = 0; i < indices.size(); ++i) {
      max_difference = std::max(max_difference, std::abs(flat(indices[i]) - values[i]));
    }
    double sum = 0.0;
    for (Eigen::Index r = 0; r < activations[l].rows(); ++r) {
      for (Eigen::Index c = 0; c < activations[l].cols(); ++c) sum += activations[l](r, c);
    }
    const double relative = max_difference / scale;
    const double sum_relative =
        std::abs(sum - expected.at("sum").get<double>()) / std::max(std::abs(expected.at("sum").get<double>()), 1e-30);
    std::cout << "layer " << names[l] << ": " << indices.size()
              << " sampled values, max |ours - python3-torch| / max |python3-torch| = " << relative
              << ", sum relative difference " << sum_relative << "\n";
    EXPECT_LE(relative, 1e-5) << names[l];
    EXPECT_LE(sum_relative, 1e-4) << names[l];
    EXPECT_NEAR(activations[l].maxCoeff(), expected.at("max").get<double>(), 1e-5 * scale) << names[l];
  }
}

TEST(CnnTorchScriptModel, SqueezeNetAccuracyOnImagenet40) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const nlohmann::json predictions = read_fixture_json("cnn_fixtures.json").at("predictions");
  std::vector<std::filesystem::path> files;
  for (const nlohmann::json& name : predictions.at("files")) {
    files.push_back(shared_data("stimuli/imagenet40/" + name.get<std::string>()));
    VISALIGN_REQUIRE_FILE(files.back());
  }
  const ImageBatch images = load_images(files, Preprocessing{});
  const TorchScriptModel model = TorchScriptModel::load(squeezenet_file(), "cpu", threads);
  std::size_t progress_calls = 0;
  const auto logits = model.activations(images, {"output"}, 16, [&](std::size_t done, std::size_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 40u);
    EXPECT_LE(done, total);
  })[0];
  EXPECT_EQ(progress_calls, 3u);
  const auto labels = predictions.at("labels").get<std::vector<int>>();
  const auto python_top5 = predictions.at("top5").get<std::vector<std::vector<int>>>();
  int top1 = 0, top5 = 0, same_top1 = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    std::vector<int> order(1000);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                      [&](int a, int b) { return logits(i, a) > logits(i, b); });
    top1 += order[0] == labels[i];
    top5 += std::find(order.begin(), order.begin() + 5, labels[i]) != order.begin() + 5;
    same_top1 += order[0] == python_top5[i][0];
  }
  const int python_top1 = predictions.at("top1_correct"), python_top5_correct = predictions.at("top5_correct");
  std::cout << "SqueezeNet 1.1 on imagenet40 (stb decoding + our preprocessing + LibTorch): top-1 " << top1
            << "/40, top-5 " << top5 << "/40; PIL + python3-torch: top-1 " << python_top1 << "/40, top-5 "
            << python_top5_correct << "/40; same top-1 class as python on " << same_top1 << "/40 images\n";
  EXPECT_GE(same_top1, 38);
  EXPECT_LE(std::abs(top1 - python_top1), 2);
  EXPECT_LE(std::abs(top5 - python_top5_correct), 2);
}

TEST(CnnTorchScriptModel, AModelWhoseForwardIsNotTheChainOfItsChildrenOffersOnlyOutput) {
  const std::filesystem::path file = std::string(VISALIGN_FIXTURES_DIR) + "/cnn_not_chained.pt";
  const TorchScriptModel model = TorchScriptModel::load(file, "cpu", threads);
  const std::vector<LayerInfo> layers = model.layers(3, 8, 8);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].name, "output");
  EXPECT_EQ(layers[0].shape, (std::vector<std::int64_t>{2, 6, 6}));
  EXPECT_NE(model.walk_note().find("only \"output\""), std::string::npos) << model.walk_note();
  std::cout << "walk note: " << model.walk_note() << "\n";
  ImageBatch input;
  input.count = 2;
  input.height = 8;
  input.width = 8;
  input.values.assign(2 * 3 * 8 * 8, 0.5f);
  EXPECT_EQ(model.activations(input, {"output"})[0].cols(), 2 * 6 * 6);
  EXPECT_THROW(model.activations(input, {"conv"}), std::invalid_argument);
}

TEST(CnnTorchScriptModel, UnknownLayerIsAnErrorListingTheLayers) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const TorchScriptModel model = TorchScriptModel::load(squeezenet_file(), "cpu", threads);
  ImageBatch input;
  input.count = 1;
  input.height = 32;
  input.width = 32;
  input.values.assign(3 * 32 * 32, 0.0f);
  const std::string message = error_message([&] { model.activations(input, {"features.99"}); });
  EXPECT_NE(message.find("features.99"), std::string::npos) << message;
  EXPECT_NE(message.find("features.12"), std::string::npos) << message;
  EXPECT_NE(message.find("classifier.1"), std::string::npos) << message;
  EXPECT_NE(message.find("output"), std::string::npos) << message;
  EXPECT_THROW(model.activations(input, {"features.99"}), std::invalid_argument);
  input.values.pop_back();
  EXPECT_THROW(model.activations(input, {"output"}), std::invalid_argument);
  std::cout << message << "\n";
}

TEST(CnnTorchScriptModel, FilesThatAreNotTorchScriptAreErrorsNamingTheFile) {
  ScratchDirectory scratch;
  const auto text = scratch / "model.pt";
  std::ofstream(text) << "not a model\n";
  std::string message = error_message([&] { TorchScriptModel::load(text, "cpu"); });
  EXPECT_NE(message.find("model.pt"), std::string::npos) << message;
  EXPECT_NE(message.find("TorchScript"), std::string::npos) << message;
  EXPECT_THROW(TorchScriptModel::load(text, "cpu"), std::runtime_error);
  std::cout << message << "\n";
  message = error_message([&] { TorchScriptModel::load(scratch / "missing.pt", "cpu"); });
  EXPECT_NE(message.find("missing.pt"), std::string::npos) << message;
  EXPECT_THROW(TorchScriptModel::load(text, "gpu"), std::invalid_argument);
}

TEST(CnnTorchScriptModel, CudaWithoutAGpuIsAClearError) {
  VISALIGN_REQUIRE_FILE(squeezenet_file());
  const TorchScriptModel automatic = TorchScriptModel::load(squeezenet_file(), "auto", threads);
  if (automatic.device() == "cuda") {
    EXPECT_EQ(TorchScriptModel::load(squeezenet_file(), "cuda", threads).device(), "cuda");
    GTEST_SKIP() << "a GPU is available: the no-GPU error cannot be tested here";
  }
  const std::string message = error_message([&] { TorchScriptModel::load(squeezenet_file(), "cuda", threads); });
  EXPECT_NE(message.find("CUDA is not available"), std::string::npos) << message;
  std::cout << message << "\n";
}

}  // namespace
}  // namespace visalign::cnn
