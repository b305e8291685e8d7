// Tests of cnn/network (built-in networks): the architectures against an independent PyTorch
// implementation of the seed's small CNN and of torchvision's AlexNet and ResNet-18 with the same
// parameters (set by a formula both sides compute), the blur front end against scipy.ndimage, the PCA
// front end against numpy's SVD, parameters from a TorchScript file, checkpoints, and the errors.
// Fixtures: tests/fixtures/make_network_fixtures.py (network_fixtures.json, network_small_scripted*.pt).

#include "cnn/network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

using visalign::testing::read_fixture_json;
using visalign::testing::ScratchDirectory;

constexpr int threads = 2;

std::filesystem::path fixture(const std::string& name) { return std::filesystem::path(VISALIGN_FIXTURES_DIR) / name; }

using visalign::cnn::testing::error_message;

/// The fixture's input images: element i (C order) = 0.5 + 0.45 sin(0.37 i) cos(0.013 i), in double, then float.
ImageBatch formula_images(std::int64_t count, std::int64_t channels, std::int64_t height, std::int64_t width) {
  ImageBatch batch;
  batch.count = count;
  batch.channels = channels;
  batch.height = height;
  batch.width = width;
  batch.values.resize(static_cast<std::size_t>(count * channels * height * width));
  for (std::size_t i = 0; i < batch.values.size(); ++i) {
    const double x = static_cast<double>(i);
    batch.values[i] = static_cast<float>(0.5 + 0.45 * std::sin(0.37 * x) * std::cos(0.013 * x));
  }
  return batch;
}

ImageBatch batch_from(const nlohmann::json& values, const std::vector<std::int64_t>& shape) {
  ImageBatch batch;
  batch.count = shape.at(0);
  batch.channels = shape.at(1);
  batch.height = shape.at(2);
  batch.width = shape.at(3);
  for (const auto& value : values) batch.values.push_back(value.get<float>());
  return batch;
}

NetworkSpec spec_from(const nlohmann::json& json) {
  NetworkSpec spec;
  spec.architecture = json.at("architecture").get<std::string>();
  spec.channels = json.at("channels").get<std::int64_t>();
  spec.height = json.at("height").get<std::int64_t>();
  spec.width = json.at("width").get<std::int64_t>();
  spec.classes = json.at("classes").get<std::int64_t>();
  if (json.contains("small_widths")) spec.small_widths = json.at("small_widths").get<std::vector<std::int64_t>>();
  return spec;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// max |a - b| / max |b|.
double relative_difference(const Eigen::MatrixXf& a, const Eigen::MatrixXd& b) {
  return (a.cast<double>() - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-30);
}

TEST(CnnNetwork, ArchitecturesEqualAnIndependentPyTorchImplementation) {
  const nlohmann::json fixtures = read_fixture_json("network_fixtures.json");
  for (const nlohmann::json& item : fixtures.at("architectures")) {
    const std::string label = item.at("label").get<std::string>();
    SCOPED_TRACE(label);
    const NetworkSpec spec = spec_from(item.at("spec"));
    Network network = Network::create(spec, 1, "cpu", threads);
    // The layout: parameters then buffers, names and shapes in PyTorch's order (num_batches_tracked aside).
    std::vector<NetworkTensorInfo> tensors;
    for (const NetworkTensorInfo& info : network.tensors()) {
      if (!ends_with(info.name, "num_batches_tracked")) tensors.push_back(info);
    }
    const nlohmann::json& expected = item.at("tensors");
    ASSERT_EQ(tensors.size(), expected.size());
    std::int64_t trainable = 0;
    for (std::size_t t = 0; t < tensors.size(); ++t) {
      ASSERT_EQ(tensors[t].name, expected[t].at("name").get<std::string>()) << "tensor " << t;
      ASSERT_EQ(tensors[t].shape, expected[t].at("shape").get<std::vector<std::int64_t>>()) << tensors[t].name;
      // The formula: offset + scale sin(0.1 i + 0.7 t), in double.
      const double offset = expected[t].at("offset").get<double>(), scale = expected[t].at("scale").get<double>();
      std::int64_t size = 1;
      for (std::int64_t d : tensors[t].shape) size *= d;
      std::vector<float> values(static_cast<std::size_t>(size));
      for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>(offset + scale * std::sin(0.1 * static_cast<double>(i) + 0.7 * static_cast<double>(t)));
      }
      network.set_tensor_values(tensors[t].name, values);
      if (tensors[t].trainable) trainable += size;
    }
    EXPECT_EQ(network.parameter_count(), trainable);
    const std::int64_t count = item.at("count").get<std::int64_t>();
    const Eigen::MatrixXf logits = network.logits(formula_images(count, spec.channels, spec.height, spec.width));
    const Eigen::MatrixXd reference = visalign::testing::fixture_matrix(item.at("logits"));
    ASSERT_EQ(logits.rows(), reference.rows());
    ASSERT_EQ(logits.cols(), reference.cols());
    const double difference = relative_difference(logits, reference);
    std::cout << label << ": " << network.parameter_count() << " parameters, " << tensors.size()
              << " tensors; logits versus PyTorch: max relative difference " << difference << "\n";
    EXPECT_LE(difference, 1e-5);
    // The classifier view gives the same numbers (softmax of the logits).
    const Eigen::MatrixXf probabilities = network.classifier().probabilities(formula_images(count, spec.channels, spec.height, spec.width));
    EXPECT_EQ(predicted_classes(probabilities), predicted_classes(logits));
  }
}

TEST(CnnNetwork, BlurFrontEndEqualsScipyGaussianFilter) {
  const nlohmann::json fixtures = read_fixture_json("network_fixtures.json");
  for (const nlohmann::json& item : fixtures.at("blur")) {
    const double sigma = item.at("sigma").get<double>();
    SCOPED_TRACE("sigma " + std::to_string(sigma));
    const auto shape = item.at("shape").get<std::vector<std::int64_t>>();
    NetworkSpec spec;
    spec.architecture = "resnet18";  // takes any image size
    spec.channels = shape[1];
    spec.height = shape[2];
    spec.width = shape[3];
    spec.front_end.kind = "blur";
    spec.front_end.blur_sigma = sigma;
    const Network network = Network::create(spec, 0, "cpu", threads);
    const ImageBatch output = network.front_end_output(batch_from(item.at("input"), shape));
    const std::vector<double> expected = visalign::testing::fixture_values(item.at("expected"));
    ASSERT_EQ(output.values.size(), expected.size());
    double difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) difference = std::max(difference, std::abs(output.values[i] - expected[i]));
    std::cout << "blur sigma " << sigma << " on " << shape[0] << " x " << shape[1] << " x " << shape[2] << " x " << shape[3]
              << " versus scipy.ndimage.gaussian_filter(mode=nearest, truncate=4): max abs difference " << difference << "\n";
    EXPECT_LE(difference, 1e-6);
    EXPECT_NE(network.description().find("blur front end (sigma " + std::string(sigma == 1.5 ? "1.5" : "0.7") + " px)"),
              std::string::npos)
        << network.description();
  }
}

TEST(CnnNetwork, PcaFrontEndEqualsNumpySvdProjection) {
  const nlohmann::json pca = read_fixture_json("network_fixtures.json").at("pca");
  const auto shape = pca.at("shape").get<std::vector<std::int64_t>>();
  const std::int64_t count = pca.at("count").get<std::int64_t>(), others = pca.at("other_count").get<std::int64_t>();
  NetworkSpec spec;
  spec.architecture = "resnet18";
  spec.channels = shape[0];
  spec.height = shape[1];
  spec.width = shape[2];
  spec.front_end.kind = "pca";
  spec.front_end.pca_components = pca.at("components").get<int>();
  const ImageBatch training = batch_from(pca.at("training"), {count, shape[0], shape[1], shape[2]});
  const Network network = Network::create(spec, 0, "cpu", threads, &training);
  for (const std::string& which : {std::string("training"), std::string("other")}) {
    const std::int64_t n = which == "training" ? count : others;
    const ImageBatch output = network.front_end_output(batch_from(pca.at(which), {n, shape[0], shape[1], shape[2]}));
    const std::vector<double> expected = visalign::testing::fixture_values(pca.at(which + "_reconstructed"));
    ASSERT_EQ(output.values.size(), expected.size());
    double difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) difference = std::max(difference, std::abs(output.values[i] - expected[i]));
    std::cout << "PCA front end (K = " << spec.front_end.pca_components << ") on " << which
              << " images versus numpy SVD reconstruction: max abs difference " << difference << "\n";
    EXPECT_LE(difference, 2e-6);
  }
  NetworkSpec plain = spec;
  plain.front_end = FrontEnd{};
  EXPECT_EQ(network.parameter_count(), Network::create(plain, 0, "cpu", threads).parameter_count());  // nothing to train in the front end
}

NetworkSpec scripted_spec(const nlohmann::json& scripted, bool front_end) {
  NetworkSpec spec;
  spec.small_widths = scripted.at("small_widths").get<std::vector<std::int64_t>>();
  spec.classes = scripted.at("classes").get<std::int64_t>();
  if (front_end) {
    spec.front_end.kind = "blur";
    spec.front_end.blur_sigma = scripted.at("blur_sigma").get<double>();
    spec.mean = scripted.at("mean").get<std::vector<float>>();
    spec.std = scripted.at("std").get<std::vector<float>>();
  }
  return spec;
}

TEST(CnnNetwork, LoadParametersFromTorchScriptGivesThePythonOutputs) {
  const nlohmann::json scripted = read_fixture_json("network_fixtures.json").at("scripted");
  const std::int64_t count = scripted.at("count").get<std::int64_t>();
  const ImageBatch input = formula_images(count, 1, 28, 28);
  for (const bool front_end : {false, true}) {
    SCOPED_TRACE(front_end ? "blur front end and normalisation" : "plain");
    Network network = Network::create(scripted_spec(scripted, front_end), 5, "cpu", threads);
    network.load_parameters(fixture("network_small_scripted.pt"));
    const Eigen::MatrixXd reference =
        visalign::testing::fixture_matrix(scripted.at(front_end ? "logits" : "logits_without_front_end"));
    const double difference = relative_difference(network.logits(input), reference);
    std::cout << network.description() << ", parameters from network_small_scripted.pt: logits versus PyTorch, max relative difference "
              << difference << "\n";
    EXPECT_LE(difference, 1e-5);
  }
}

TEST(CnnNetwork, LoadParametersNamesMissingAndMismatchedTensors) {
  const nlohmann::json scripted = read_fixture_json("network_fixtures.json").at("scripted");
  Network network = Network::create(scripted_spec(scripted, false), 5, "cpu", threads);
  const std::vector<float> before = network.tensor_values("fc1.weight");
  const std::string renamed = error_message([&] { network.load_parameters(fixture("network_small_scripted_renamed.pt")); });
  std::cout << renamed << "\n";
  EXPECT_NE(renamed.find("missing: fc1.bias fc1.weight"), std::string::npos) << renamed;
  EXPECT_EQ(renamed.find("conv1"), std::string::npos) << renamed;
  EXPECT_THROW(network.load_parameters(fixture("network_small_scripted_renamed.pt")), std::invalid_argument);
  EXPECT_EQ(network.tensor_values("fc1.weight"), before);  // nothing copied
  EXPECT_EQ(network.tensor_values("conv1.weight"), Network::create(scripted_spec(scripted, false), 5, "cpu", threads).tensor_values("conv1.weight"));

  NetworkSpec eleven = scripted_spec(scripted, false);
  eleven.classes = 11;
  Network other = Network::create(eleven, 5, "cpu", threads);
  const std::string mismatch = error_message([&] { other.load_parameters(fixture("network_small_scripted.pt")); });
  EXPECT_NE(mismatch.find("shape mismatch: fc2.bias [11] in the network, [10] in the file, fc2.weight [11, 16] in the network, [10, 16] in the file"),
            std::string::npos)
      << mismatch;
  EXPECT_NE(error_message([&] { other.load_parameters(fixture("no_such_model.pt")); }).find("no_such_model.pt: cannot open"),
            std::string::npos);
  EXPECT_THROW(other.load_parameters(fixture("no_such_model.pt")), std::runtime_error);
  const std::string not_script = error_message([&] { other.load_parameters(fixture("network_fixtures.json")); });
  EXPECT_NE(not_script.find("network_fixtures.json: not a TorchScript model"), std::string::npos) << not_script;
}

TEST(CnnNetwork, SaveThenLoadGivesBitwiseIdenticalOutputs) {
  ScratchDirectory scratch;
  const ImageBatch pca_images = formula_images(50, 1, 28, 28);
  struct Case {
    NetworkSpec spec;
    const ImageBatch* images;
  };
  std::vector<Case> cases;
  cases.push_back({NetworkSpec{}, nullptr});  // no front end, no normalisation
  {
    NetworkSpec spec;
    spec.front_end.kind = "pca";
    spec.front_end.pca_components = 12;
    spec.mean = {0.286f};
    spec.std = {0.353f};
    cases.push_back({spec, &pca_images});
  }
  {
    NetworkSpec spec;
    spec.architecture = "resnet18";
    spec.channels = 3;
    spec.height = 32;
    spec.width = 32;
    spec.classes = 7;
    spec.front_end.kind = "blur";
    spec.front_end.blur_sigma = 1.5;
    spec.mean = {0.485f, 0.456f, 0.406f};
    spec.std = {0.229f, 0.224f, 0.225f};
    cases.push_back({spec, nullptr});
  }
  for (const Case& item : cases) {
    SCOPED_TRACE(item.spec.architecture);
    Network network = Network::create(item.spec, 11, "cpu", threads, item.images);
    // Non-default BatchNorm statistics, so that buffers must travel too.
    for (const NetworkTensorInfo& info : network.tensors()) {
      if (ends_with(info.name, "running_var")) {
        std::vector<float> values = network.tensor_values(info.name);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.5f + 0.01f * static_cast<float>(i % 50);
        network.set_tensor_values(info.name, values);
      }
    }
    const std::filesystem::path file = scratch / (item.spec.architecture + "_" + item.spec.front_end.kind + ".pt");
    network.save(file);
    EXPECT_EQ(scratch.entries(), std::vector<std::string>{file.filename().string()});  // no temporary left
    const Network loaded = Network::load(file, "cpu", threads);
    EXPECT_EQ(loaded.spec().architecture, item.spec.architecture);
    EXPECT_EQ(loaded.spec().small_widths, item.spec.small_widths);
    EXPECT_EQ(loaded.spec().front_end.kind, item.spec.front_end.kind);
    EXPECT_EQ(loaded.spec().front_end.blur_sigma, item.spec.front_end.blur_sigma);
    EXPECT_EQ(loaded.spec().front_end.pca_components, item.spec.front_end.pca_components);
    EXPECT_EQ(loaded.spec().mean, item.spec.mean);
    EXPECT_EQ(loaded.spec().std, item.spec.std);
    EXPECT_EQ(loaded.description(), network.description());
    EXPECT_EQ(loaded.parameter_count(), network.parameter_count());
    const ImageBatch input = formula_images(3, item.spec.channels, item.spec.height, item.spec.width);
    EXPECT_TRUE(loaded.logits(input) == network.logits(input));
    EXPECT_EQ(loaded.front_end_output(input).values, network.front_end_output(input).values);
    for (const NetworkTensorInfo& info : network.tensors()) {
      EXPECT_EQ(loaded.tensor_values(info.name), network.tensor_values(info.name)) << info.name;
    }
    std::cout << network.description() << ": saved and loaded (" << std::filesystem::file_size(file) << " bytes), logits identical\n";
    std::filesystem::remove(file);
  }
}

TEST(CnnNetwork, LoadRejectsFilesThatAreNotCheckpoints) {
  const std::string missing = error_message([] { Network::load(fixture("no_such_checkpoint.pt"), "cpu"); });
  EXPECT_NE(missing.find("no_such_checkpoint.pt: cannot open the network checkpoint"), std::string::npos) << missing;
  const std::string json = error_message([] { Network::load(fixture("network_fixtures.json"), "cpu"); });
  EXPECT_NE(json.find("network_fixtures.json: not a visalign network checkpoint"), std::string::npos) << json;
  const std::string script = error_message([] { Network::load(fixture("network_small_scripted.pt"), "cpu"); });
  EXPECT_NE(script.find("network_small_scripted.pt: not a visalign network checkpoint (no visalign_network_format entry"),
            std::string::npos)
      << script;
  EXPECT_THROW(Network::load(fixture("network_fixtures.json"), "cpu"), std::runtime_error);
  std::cout << json << "\n" << script << "\n";
}

TEST(CnnNetwork, FreshWeightsComeFromTheSeed) {
  NetworkSpec spec;
  const Network a = Network::create(spec, 42, "cpu", threads);
  const Network b = Network::create(spec, 42, "cpu", threads);
  const Network c = Network::create(spec, 43, "cpu", threads);
  for (const NetworkTensorInfo& info : a.tensors()) EXPECT_EQ(a.tensor_values(info.name), b.tensor_values(info.name)) << info.name;
  EXPECT_NE(a.tensor_values("conv1.weight"), c.tensor_values("conv1.weight"));
  // PyTorch's default bound 1 / sqrt(fan_in) for conv1 (fan_in 25).
  const std::vector<float> conv1 = a.tensor_values("conv1.weight");
  const float largest = std::abs(*std::max_element(conv1.begin(), conv1.end(), [](float x, float y) { return std::abs(x) < std::abs(y); }));
  EXPECT_LE(largest, 0.2f);
  EXPECT_GT(largest, 0.15f);
  EXPECT_EQ(a.parameter_count(), 20 * 25 + 20 + 50 * 20 * 25 + 50 + 800 * 500 + 500 + 500 * 10 + 10);
  EXPECT_EQ(a.description(), "small CNN, 10 classes");
  EXPECT_EQ(a.device(), "cpu");
  EXPECT_EQ(a.threads(), threads);
}

TEST(CnnNetwork, ClassifierSharesTheWeights) {
  Network network = Network::create(NetworkSpec{}, 1, "cpu", threads);
  const Classifier classifier = network.classifier();
  EXPECT_EQ(classifier.channels(), 1);
  EXPECT_EQ(classifier.description(), "small CNN, 10 classes");
  const ImageBatch input = formula_images(4, 1, 28, 28);
  const Eigen::MatrixXf before = classifier.probabilities(input);
  std::vector<float> bias(10, 0.0f);
  bias[3] = 100.0f;
  network.set_tensor_values("fc2.bias", bias);
  const Eigen::MatrixXf after = classifier.probabilities(input);
  EXPECT_FALSE(after == before);
  for (std::int64_t predicted : predicted_classes(after)) EXPECT_EQ(predicted, 3);
  ImageBatch wrong = formula_images(1, 1, 32, 32);
  EXPECT_THROW(classifier.probabilities(wrong), std::invalid_argument);
  EXPECT_THROW(network.logits(wrong), std::invalid_argument);
}

TEST(CnnNetwork, SpecErrorsNameTheField) {
  auto create_error = [](const NetworkSpec& spec, const ImageBatch* images = nullptr) {
    return error_message([&] { Network::create(spec, 0, "cpu", 1, images); });
  };
  NetworkSpec spec;
  spec.architecture = "vgg16";
  EXPECT_NE(create_error(spec).find("architecture must be \"small\", \"alexnet\" or \"resnet18\", found \"vgg16\""), std::string::npos);
  spec.architecture = "alexnet";
  EXPECT_NE(create_error(spec).find("AlexNet needs images of at least 63 x 63 pixels, found 28 x 28"), std::string::npos);
  spec = NetworkSpec{};
  spec.height = 12;
  EXPECT_NE(create_error(spec).find("at least 16 x 16 pixels, found 12 x 28"), std::string::npos);
  spec = NetworkSpec{};
  spec.mean = {0.5f, 0.5f, 0.5f};
  spec.std = {0.2f, 0.2f, 0.2f};
  EXPECT_NE(create_error(spec).find("mean and std need one value per channel (1) or none, found 3 and 3"), std::string::npos);
  spec.mean = {0.5f};
  spec.std = {0.0f};
  EXPECT_NE(create_error(spec).find("std values must be positive"), std::string::npos);
  spec = NetworkSpec{};
  spec.front_end.kind = "blur";
  spec.front_end.blur_sigma = 0;
  EXPECT_NE(create_error(spec).find("front_end.blur_sigma must be positive"), std::string::npos);
  spec.front_end.kind = "fourier";
  EXPECT_NE(create_error(spec).find("front_end.kind must be \"none\", \"blur\", \"pca\" or \"v1\", found \"fourier\""), std::string::npos);
  spec.front_end.kind = "pca";
  spec.front_end.pca_components = 785;
  EXPECT_NE(create_error(spec).find("front_end.pca_components must be in 1..784"), std::string::npos);
  spec.front_end.pca_components = 30;
  EXPECT_NE(create_error(spec).find("front_end_images: the PCA front end is fitted on training images, none given"), std::string::npos);
  const ImageBatch one = formula_images(1, 1, 28, 28);
  EXPECT_NE(create_error(spec, &one).find("needs at least 2 training images, found 1"), std::string::npos);
  const ImageBatch small = formula_images(5, 1, 20, 20);
  EXPECT_NE(create_error(spec, &small).find("front_end_images: the network takes 1 x 28 x 28 images, found 1 x 20 x 20"),
            std::string::npos);
  spec = NetworkSpec{};
  spec.small_widths = {20, 50};
  EXPECT_NE(create_error(spec).find("small_widths must be"), std::string::npos);
  EXPECT_THROW(Network::create(NetworkSpec{}, 0, "tpu", 1), std::invalid_argument);
  EXPECT_THROW(Network::create(NetworkSpec{}, 0, "cpu", 0), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::cnn
