// Tests of cnn/white_noise and cnn/template_classifier (seed 002's white-noise analysis): the noise stream
// is PyTorch's CPU generator (values from python3-torch), classification images of the tiny TorchScript CNN
// tests/fixtures/pgd_small_cnn.pt against an independent python3-torch + numpy computation and against the
// per-class means recomputed here from the noise images, determinism and independence of the batch size,
// gamma mixing, the psychometric curve, the template classifier against numpy (fixtures from
// tests/fixtures/make_white_noise_fixtures.py) and hand-computed dot products, spike-triggered averages
// recovering a linear unit's weights (and a conv1 kernel of a built-in network), and the errors.

#include "cnn/white_noise.hpp"

#include <gtest/gtest.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/network.hpp"
#include "cnn/template_classifier.hpp"
#include "cnn/torchscript_model.hpp"
#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::fixture_values;
using visalign::testing::read_fixture_json;

// One LibTorch thread: the tiny CNN gains nothing from two on a shared 2-core machine.
constexpr int threads = 1;

Classifier small_cnn() {
  return TorchScriptModel::load(std::filesystem::path(VISALIGN_FIXTURES_DIR) / "pgd_small_cnn.pt", "cpu", threads)
      .classifier({0.0f}, {1.0f}, "pgd_small_cnn.pt");
}

const nlohmann::json& fixtures() {
  static const nlohmann::json json = read_fixture_json("white_noise_fixtures.json");
  return json;
}

NoiseOptions fixture_options(const nlohmann::json& entry) {
  NoiseOptions options;
  options.images = entry["images"].get<std::int64_t>();
  options.seed = entry["seed"].get<std::uint64_t>();
  options.chunk_images = entry["chunk_images"].get<std::int64_t>();
  options.batch_size = 64;
  return options;
}

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::MatrixXf image_rows(const ImageBatch& images) {
  return Eigen::Map<const RowMajor>(images.values.data(), images.count, images.channels * images.height * images.width);
}

double correlation(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  const Eigen::VectorXd x = a.array() - a.mean(), y = b.array() - b.mean();
  return x.dot(y) / std::sqrt(x.squaredNorm() * y.squaredNorm());
}

/// Largest |a - b| over two matrices of the same shape whose NaNs coincide (+infinity when they do not).
double max_difference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  double largest = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double x = a.data()[i], y = b.data()[i];
    if (std::isnan(x) != std::isnan(y)) return std::numeric_limits<double>::infinity();
    if (!std::isnan(x)) largest = std::max(largest, std::abs(x - y));
  }
  return largest;
}

TEST(CnnWhiteNoise, StreamIsPyTorchsCpuGeneratorChunkByChunk) {
  const nlohmann::json& stream = fixtures()["stream"];
  NoiseOptions options;
  options.seed = stream["seed"].get<std::uint64_t>();
  options.chunk_images = stream["chunk_images"].get<std::int64_t>();
  options.channels = 1;
  options.height = options.width = 2;
  const std::vector<double> chunk0 = fixture_values(stream["uniform_chunk0"]);
  const std::vector<double> chunk1 = fixture_values(stream["uniform_chunk1"]);
  const ImageBatch first = white_noise_images(options, 0, 10);
  const ImageBatch second = white_noise_images(options, 20, 10);
  for (std::size_t i = 0; i < chunk0.size(); ++i) {
    EXPECT_EQ(first.values[i], static_cast<float>(chunk0[i])) << i;
    EXPECT_EQ(second.values[i], static_cast<float>(chunk1[i])) << i;
  }
  // A range across the chunk border is the two chunks' images side by side.
  const ImageBatch all = white_noise_images(options, 0, 40);
  const ImageBatch across = white_noise_images(options, 15, 10);
  EXPECT_TRUE(std::equal(across.values.begin(), across.values.end(), all.values.begin() + 15 * 4));
  EXPECT_EQ(across.count, 10);

  options.kind = NoiseKind::gaussian;
  options.gaussian_sd = stream["gaussian_sd"].get<double>();
  const std::vector<double> gaussian = fixture_values(stream["gaussian_chunk0"]);
  const ImageBatch normal = white_noise_images(options, 0, 10);
  for (std::size_t i = 0; i < gaussian.size(); ++i) EXPECT_NEAR(normal.values[i], gaussian[i], 1e-7) << i;
  EXPECT_GE(*std::min_element(normal.values.begin(), normal.values.end()), 0.0f);
  EXPECT_LE(*std::max_element(normal.values.begin(), normal.values.end()), 1.0f);
}

TEST(CnnWhiteNoise, ClassificationImagesMatchPythonTorchAndNumpy) {
  const nlohmann::json& expected = fixtures()["classification_images"];
  const ClassificationImages result = classification_images(small_cnn(), fixture_options(expected));
  EXPECT_EQ(result.counts, expected["counts"].get<std::vector<std::int64_t>>());
  ASSERT_EQ(result.class_means.rows(), 10);
  ASSERT_EQ(result.class_means.cols(), 784);
  double largest = 0;
  std::vector<std::int64_t> empty;
  for (int c = 0; c < 10; ++c) {
    if (expected["means"][c].is_null()) {
      empty.push_back(c);
      EXPECT_TRUE(result.class_means.row(c).array().isNaN().all()) << c;
      continue;
    }
    const std::vector<double> mean = fixture_values(expected["means"][c]);
    for (int p = 0; p < 784; ++p) largest = std::max(largest, std::abs(result.class_means(c, p) - mean[p]));
  }
  const std::vector<double> noise_mean = fixture_values(expected["noise_mean"]);
  for (int p = 0; p < 784; ++p) largest = std::max(largest, std::abs(result.noise_mean(p) - noise_mean[p]));
  std::cout << "classification images of 2500 noise images: counts";
  for (const std::int64_t count : result.counts) std::cout << " " << count;
  std::cout << "; largest difference from numpy " << largest << "\n";
  EXPECT_LT(largest, 1e-8);  // the fixture holds 9 decimals
  EXPECT_EQ(result.empty_classes, empty);
  EXPECT_EQ(result.images, 2500);
}

TEST(CnnWhiteNoise, ClassMeansEqualTheMeansOfTheNoiseImagesRecomputedHere) {
  const Classifier classifier = small_cnn();
  NoiseOptions options;
  options.images = 1500;
  options.seed = 21;
  options.chunk_images = 400;
  const ClassificationImages result = classification_images(classifier, options);
  const ImageBatch noise = white_noise_images(options, 0, options.images);
  const std::vector<std::int64_t> predicted = predicted_classes(classifier.probabilities(noise, 100));
  const Eigen::MatrixXf rows = image_rows(noise);
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(10, 784);
  std::vector<std::int64_t> counts(10, 0);
  for (std::int64_t i = 0; i < noise.count; ++i) {
    sums.row(predicted[i]) += rows.row(i).cast<double>();
    ++counts[predicted[i]];
  }
  EXPECT_EQ(result.counts, counts);
  for (int c = 0; c < 10; ++c) {
    if (counts[c] == 0) continue;
    // Exact: uniform noise values are multiples of 2^-24, so their double sums do not round.
    EXPECT_EQ(max_difference(result.class_means.row(c), sums.row(c) / static_cast<double>(counts[c])), 0.0) << c;
  }
  EXPECT_EQ(max_difference(result.noise_mean, rows.cast<double>().colwise().mean()), 0.0);
}

TEST(CnnWhiteNoise, DeterministicForASeedAndIndependentOfTheBatchSize) {
  const Classifier classifier = small_cnn();
  NoiseOptions options;
  options.images = 2300;  // a partial last chunk
  options.seed = 5;
  options.chunk_images = 1000;
  options.batch_size = 1000;
  const ClassificationImages reference = classification_images(classifier, options);
  for (const int batch_size : {1000, 64, 2000, 5000}) {
    options.batch_size = batch_size;
    const ClassificationImages again = classification_images(classifier, options);
    EXPECT_EQ(again.counts, reference.counts) << batch_size;
    EXPECT_EQ(max_difference(again.class_means, reference.class_means), 0.0) << batch_size;
  }
  options.seed = 6;
  const ClassificationImages other = classification_images(classifier, options);
  EXPECT_GT(max_difference(other.noise_mean, reference.noise_mean), 1e-4);
}

TEST(CnnWhiteNoise, GammaMixingMatchesPythonAndFullSignalGivesTheSignalsClass) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = small_cnn();
  const nlohmann::json& expected = fixtures()["mixed"];
  const LabelledImages test = read_fashion_mnist(default_fashion_mnist_folder(), "test", 100);
  NoiseOptions options = fixture_options(expected);
  options.gamma = expected["gamma"].get<double>();
  const ClassificationImages mixed = classification_images(classifier, options, &test.images);
  EXPECT_EQ(mixed.counts, expected["counts"].get<std::vector<std::int64_t>>());

  // gamma 1: every stimulus is the one signal image, so every noise image lands in its class, and that
  // class's map is the mean of all the noise.
  const LabelledImages one = select_images(test, {0});
  const std::int64_t signal_class = predicted_classes(classifier.probabilities(one.images))[0];
  options.images = 1200;
  options.gamma = 1.0;
  const ClassificationImages full = classification_images(classifier, options, &one.images);
  EXPECT_EQ(full.counts[signal_class], 1200);
  EXPECT_EQ(full.empty_classes.size(), 9u);
  EXPECT_LT(max_difference(full.class_means.row(signal_class), full.noise_mean), 1e-15);
}

TEST(CnnWhiteNoise, PsychometricCurveMatchesPythonAndRisesWithGamma) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = small_cnn();
  const nlohmann::json& expected = fixtures()["psychometric"];
  const LabelledImages test = read_fashion_mnist(default_fashion_mnist_folder(), "test", expected["images"].get<std::int64_t>());
  NoiseOptions options;
  options.seed = expected["seed"].get<std::uint64_t>();
  options.batch_size = 64;
  const std::vector<double> gammas = expected["gammas"].get<std::vector<double>>();
  const std::vector<PsychometricPoint> curve = psychometric_curve(classifier, test.images, test.labels, gammas, options);
  const std::vector<std::int64_t> correct = expected["correct"].get<std::vector<std::int64_t>>();
  ASSERT_EQ(curve.size(), gammas.size());
  std::cout << "psychometric curve (200 test images):";
  for (std::size_t g = 0; g < curve.size(); ++g) {
    std::cout << " gamma " << curve[g].gamma << ": " << curve[g].accuracy;
    EXPECT_EQ(curve[g].correct, correct[g]) << gammas[g];
    EXPECT_EQ(curve[g].images, 200);
    if (g > 0) EXPECT_GT(curve[g].accuracy, curve[g - 1].accuracy);
  }
  std::cout << "\n";
  // gamma 1 is the clean accuracy.
  EXPECT_DOUBLE_EQ(curve.back().accuracy, classification_accuracy(classifier, test.images, test.labels));
}

TEST(CnnTemplateClassifier, HandComputedDotProducts) {
  // Templates (3 classes x 2 pixels) and images; scores by hand:
  //   image (1, 0): 1, 0, 0.5 -> class 0;   image (0, 2): 0, 2, 1 -> class 1;   image (1, 1): 1, 1, 1 -> class 0 (first tie)
  //   image (-1, 1): -1, 1, 0 -> class 1
  Eigen::MatrixXd templates(3, 2);
  templates << 1, 0, 0, 1, 0.5, 0.5;
  Eigen::MatrixXf images(4, 2);
  images << 1, 0, 0, 2, 1, 1, -1, 1;
  const TemplateClassification result = classify_by_templates(templates, images, {0, 1, 2, 2});
  EXPECT_EQ(result.predicted, (std::vector<std::int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(result.correct, 2);
  EXPECT_DOUBLE_EQ(result.accuracy, 0.5);
  CountMatrix confusion = CountMatrix::Zero(3, 3);
  confusion(0, 0) = 1;
  confusion(1, 1) = 1;
  confusion(2, 0) = 1;
  confusion(2, 1) = 1;
  EXPECT_EQ(result.confusion, confusion);
  EXPECT_TRUE(result.unusable_classes.empty());
  // Subtracting one image from every template changes no decision.
  const TemplateClassification shifted = classify_by_templates(templates.rowwise() - Eigen::RowVector2d(0.3, -2.0), images, {0, 1, 2, 2});
  EXPECT_EQ(shifted.predicted, result.predicted);
}

TEST(CnnTemplateClassifier, MatchesNumpyAndNeverChoosesANanTemplate) {
  const nlohmann::json& expected = fixtures()["templates"];
  const nlohmann::json& rows = expected["templates"];
  Eigen::MatrixXd templates(rows.size(), rows[0].size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::vector<double> values = fixture_values(rows[r]);
    for (std::size_t c = 0; c < values.size(); ++c) templates(r, c) = values[c];
  }
  const nlohmann::json& image_json = expected["images"];
  Eigen::MatrixXf images(image_json.size(), image_json[0].size());
  for (std::size_t r = 0; r < image_json.size(); ++r) {
    for (std::size_t c = 0; c < image_json[r].size(); ++c) images(r, c) = image_json[r][c].get<float>();
  }
  const TemplateClassification result = classify_by_templates(templates, images, expected["labels"].get<std::vector<std::int64_t>>());
  EXPECT_EQ(result.predicted, expected["predicted"].get<std::vector<std::int64_t>>());
  const auto confusion = expected["confusion"].get<std::vector<std::vector<std::int64_t>>>();
  for (int t = 0; t < 4; ++t) {
    for (int p = 0; p < 4; ++p) EXPECT_EQ(result.confusion(t, p), confusion[t][p]) << t << " " << p;
  }
  EXPECT_DOUBLE_EQ(result.accuracy, expected["accuracy"].get<double>());
  EXPECT_EQ(result.unusable_classes, (std::vector<std::int64_t>{2}));
}

TEST(CnnSpikeTriggeredAverage, RecoversTheWeightsOfALinearUnit) {
  NoiseOptions options;
  options.seed = 9;
  std::mt19937_64 engine(4);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd weights(784);
  for (Eigen::Index p = 0; p < 784; ++p) weights(p) = normal(engine);
  // Two units: r = w.x + 5 (responses mostly positive) and r = -w.x (mean response near -196).
  SpikeTriggeredAverager averager(2, 784);
  SpikeTriggeredAverager in_one_go(2, 784);
  Eigen::MatrixXf all_responses(20000, 2);
  for (std::int64_t first = 0; first < 20000; first += 5000) {
    const ImageBatch noise = white_noise_images(options, first, 5000);
    const Eigen::VectorXd projection = image_rows(noise).cast<double>() * weights;
    Eigen::MatrixXf responses(5000, 2);
    responses.col(0) = (projection.array() + 5.0).cast<float>();
    responses.col(1) = (-projection).cast<float>();
    averager.add(noise, responses);
    all_responses.middleRows(first, 5000) = responses;
  }
  in_one_go.add(white_noise_images(options, 0, 20000), all_responses);
  const SpikeTriggeredAverages sta = averager.result();
  EXPECT_EQ(sta.images, 20000);
  const double c0 = correlation(sta.covariance.row(0).transpose(), weights);
  const double c1 = correlation(sta.covariance.row(1).transpose(), -weights);
  const double average0 = correlation((sta.average.row(0) - sta.noise_mean).transpose(), weights);
  // Uniform noise has pixel variance 1/12: the covariance map is w / 12.
  const double scale = sta.covariance.row(0).dot(weights.transpose()) / weights.squaredNorm();
  std::cout << "STA of a linear unit (20000 noise images): correlation with w " << c0 << " (covariance), " << average0
            << " (average - mean noise), " << c1 << " (negated unit); scale " << scale << " (1/12 = " << 1.0 / 12 << ")\n";
  EXPECT_GT(c0, 0.95);
  EXPECT_GT(c1, 0.95);
  EXPECT_GT(average0, 0.95);
  EXPECT_NEAR(scale, 1.0 / 12, 0.1 / 12);
  EXPECT_LT(max_difference(sta.covariance, in_one_go.result().covariance), 1e-9);
  EXPECT_NEAR(sta.noise_mean.mean(), 0.5, 0.01);
}

TEST(CnnSpikeTriggeredAverage, RecoversAConvolutionKernelOfABuiltInNetwork) {
  NetworkSpec spec;  // the small CNN, 1 x 28 x 28
  const Network network = Network::create(spec, 12, "cpu", threads);
  const std::vector<float> kernels = network.tensor_values("conv1.weight");  // 20 x 1 x 5 x 5
  NoiseOptions options;
  options.seed = 13;
  // The centre unit (12, 12) of conv1's first channel sees input rows and columns 12..16.
  const std::int64_t unit = 12 * 24 + 12;
  SpikeTriggeredAverager averager(1, 784);
  for (std::int64_t first = 0; first < 4000; first += 2000) {
    const ImageBatch noise = white_noise_images(options, first, 2000);
    const Eigen::MatrixXf conv1 = network.activations(noise, {"conv1"}, 500)[0];
    averager.add(noise, conv1.col(unit));
  }
  const SpikeTriggeredAverages sta = averager.result();
  Eigen::VectorXd patch(25), kernel(25);
  double outside = 0;
  for (int y = 0; y < 28; ++y) {
    for (int x = 0; x < 28; ++x) {
      const double value = sta.covariance(0, y * 28 + x);
      if (y >= 12 && y < 17 && x >= 12 && x < 17) {
        patch((y - 12) * 5 + (x - 12)) = value;
        kernel((y - 12) * 5 + (x - 12)) = kernels[static_cast<std::size_t>((y - 12) * 5 + (x - 12))];
      } else {
        outside = std::max(outside, std::abs(value));
      }
    }
  }
  const double c = correlation(patch, kernel);
  std::cout << "STA of conv1 channel 0, centre unit: correlation with the kernel " << c << ", largest |value| outside the "
            << "receptive field " << outside << " vs inside " << patch.cwiseAbs().maxCoeff() << "\n";
  EXPECT_GT(c, 0.95);
  EXPECT_LT(outside, 0.5 * patch.cwiseAbs().maxCoeff());
}

TEST(CnnWhiteNoise, BadInputsHaveClearMessages) {
  const Classifier classifier = small_cnn();
  NoiseOptions options;
  options.images = 10;
  options.gamma = 1.5;
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("gamma (the signal's weight) must be in [0, 1], found 1.5"),
            std::string::npos);
  options.gamma = std::nan("");
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("must be in [0, 1]"), std::string::npos);
  options.gamma = 0.2;
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("no signal images were given"), std::string::npos);
  ImageBatch wrong;
  wrong.count = 1;
  wrong.channels = 1;
  wrong.height = wrong.width = 14;
  wrong.values.assign(196, 0.5f);
  EXPECT_NE(error_message([&] { classification_images(classifier, options, &wrong); }).find("the images are 1 x 14 x 14, the noise 1 x 28 x 28"),
            std::string::npos);
  options.gamma = 0;
  options.images = 0;
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("images must be >= 1, found 0"), std::string::npos);
  options.images = 10;
  options.channels = 3;
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("the noise has 3 channels, the classifier expects 1"),
            std::string::npos);
  options.channels = 1;
  options.batch_size = 0;
  EXPECT_NE(error_message([&] { classification_images(classifier, options); }).find("batch_size must be >= 1"), std::string::npos);
  options.batch_size = 10;
  options.kind = NoiseKind::gaussian;
  options.gaussian_sd = 0;
  EXPECT_NE(error_message([&] { white_noise_images(options, 0, 2); }).find("gaussian_sd must be > 0"), std::string::npos);
  EXPECT_NE(error_message([] { parse_noise_kind("pink"); }).find("\"uniform\" or \"gaussian\", found \"pink\""), std::string::npos);
  options.kind = NoiseKind::uniform;
  EXPECT_NE(error_message([&] { white_noise_images(options, -1, 2); }).find("first and count must be >= 0"), std::string::npos);

  ImageBatch signal;
  signal.count = 2;
  signal.channels = 1;
  signal.height = signal.width = 28;
  signal.values.assign(2 * 784, 0.5f);
  EXPECT_NE(error_message([&] { psychometric_curve(classifier, signal, {0, 1}, {}, options); }).find("no gammas given"), std::string::npos);
  EXPECT_NE(error_message([&] { psychometric_curve(classifier, signal, {0, 1}, {0.5, -0.1}, options); }).find("gamma must be in [0, 1], found -0.1"),
            std::string::npos);
  EXPECT_NE(error_message([&] { psychometric_curve(classifier, signal, {0}, {0.5}, options); }).find("1 labels for 2 images"), std::string::npos);
  EXPECT_NE(error_message([&] { psychometric_curve(classifier, signal, {0, 12}, {0.5}, options); }).find("labels must be in 0..9"),
            std::string::npos);

  Eigen::MatrixXd templates = Eigen::MatrixXd::Ones(2, 3);
  EXPECT_NE(error_message([&] { classify_by_templates(templates, Eigen::MatrixXf::Ones(1, 4), {0}); }).find("templates have 3 pixels, the images 4"),
            std::string::npos);
  EXPECT_NE(error_message([&] { classify_by_templates(templates, Eigen::MatrixXf::Ones(1, 3), {2}); }).find("labels must be in 0..1"),
            std::string::npos);
  templates.setConstant(std::nan(""));
  EXPECT_NE(error_message([&] { classify_by_templates(templates, Eigen::MatrixXf::Ones(1, 3), {0}); }).find("no usable template"),
            std::string::npos);

  SpikeTriggeredAverager averager(2, 4);
  EXPECT_NE(error_message([&] { averager.result(); }).find("no images were added"), std::string::npos);
  ImageBatch noise;
  noise.count = 3;
  noise.channels = 1;
  noise.height = noise.width = 2;
  noise.values.assign(12, 0.5f);
  EXPECT_NE(error_message([&] { averager.add(noise, Eigen::MatrixXf::Ones(2, 2)); }).find("responses are 2 x 2, expected images x units = 3 x 2"),
            std::string::npos);
  EXPECT_NE(error_message([] { SpikeTriggeredAverager(0, 4); }).find("units and pixels must be >= 1"), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
