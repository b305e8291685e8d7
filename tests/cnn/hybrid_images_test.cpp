// Tests of cnn/hybrid_images: hybrids against numpy.fft (frequency_fixtures.json from
// tests/fixtures/make_frequency_fixtures.py), hybrids of identical images, the limits of f_mix, the pairs
// (always of another class, reproducible, independent of the images that follow), the zero crossing on
// hand-made curves, the curve of the small Fashion-MNIST CNN fixture (pgd_small_cnn.pt) against hybrids
// classified one by one, and the errors.

#include "cnn/hybrid_images.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "cnn/fourier_filters.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/torchscript_model.hpp"
#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::fixture_values;
using visalign::testing::read_fixture_json;

ImageBatch fixture_batch(const nlohmann::json& fixture, const std::string& key) {
  const auto shape = fixture["shape"].get<std::vector<std::int64_t>>();
  ImageBatch batch;
  batch.count = shape[0];
  batch.channels = shape[1];
  batch.height = shape[2];
  batch.width = shape[3];
  for (const double value : fixture_values(fixture[key])) batch.values.push_back(static_cast<float>(value));
  return batch;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  return worst;
}

TEST(HybridImages, MatchNumpyAndKeepIdenticalImages) {
  const nlohmann::json fixture = read_fixture_json("frequency_fixtures.json");
  const ImageBatch images = fixture_batch(fixture, "images"), others = fixture_batch(fixture, "others");
  const std::vector<double> expected = fixture_values(fixture["hybrid"]);
  const double error = max_abs_difference(hybrid_images(images, others, fixture["mixing_frequency"].get<double>()).values,
                                          std::vector<float>(expected.begin(), expected.end()));
  std::cout << "hybrid images: largest difference to numpy.fft " << error << "\n";
  EXPECT_LT(error, 1e-5);
  for (const double f : {0.05, 0.37, 1.0, std::sqrt(2.0)}) {
    EXPECT_LT(max_abs_difference(hybrid_images(images, images, f).values, images.values), 1e-6) << f;
  }
  // f_mix = sqrt(2): all of the low source; below the first ring: the low source's mean + the rest of the high source.
  EXPECT_LT(max_abs_difference(hybrid_images(images, others, std::sqrt(2.0)).values, images.values), 1e-6);
  const ImageBatch nearly_high = hybrid_images(images, others, 0.01);
  const ImageBatch expected_high = [&] {
    ImageBatch sum = low_pass(images, 0.01);
    const ImageBatch high = high_pass(others, 0.01);
    for (std::size_t i = 0; i < sum.values.size(); ++i) sum.values[i] += high.values[i];
    return sum;
  }();
  EXPECT_LT(max_abs_difference(nearly_high.values, expected_high.values), 1e-6);
  ImageBatch fewer = others;
  fewer.count = 2;
  fewer.values.resize(fewer.values.size() / 3 * 2);
  EXPECT_NE(error_message([&] { hybrid_images(images, fewer, 0.5); }).find("same shape"), std::string::npos);
  EXPECT_NE(error_message([&] { hybrid_images(images, others, 1.5); }).find("(0, sqrt(2)]"), std::string::npos);
}

TEST(HybridImages, PairsAreOfOtherClassesAndReproducible) {
  const std::vector<std::int64_t> labels{0, 1, 0, 2, 2, 1, 0, 3};
  const std::vector<HybridPair> pairs = draw_hybrid_pairs(labels, 5, 42);
  ASSERT_EQ(pairs.size(), 40u);
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    EXPECT_EQ(pairs[p].low_image, static_cast<std::int64_t>(p / 5));
    EXPECT_NE(labels[static_cast<std::size_t>(pairs[p].low_image)], labels[static_cast<std::size_t>(pairs[p].high_image)]);
  }
  const std::vector<HybridPair> again = draw_hybrid_pairs(labels, 5, 42);
  const std::vector<HybridPair> other_seed = draw_hybrid_pairs(labels, 5, 43);
  bool same = true, differs = false;
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    same = same && again[p].high_image == pairs[p].high_image;
    differs = differs || other_seed[p].high_image != pairs[p].high_image;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
  // Uniform over the images of the other classes: image 0's 3000 partners among images 1..3.
  const std::vector<HybridPair> many = draw_hybrid_pairs({0, 1, 1, 2}, 3000, 1);
  std::vector<int> drawn(4, 0);
  for (std::size_t p = 0; p < 3000; ++p) ++drawn[static_cast<std::size_t>(many[p].high_image)];
  EXPECT_EQ(drawn[0], 0);
  for (int j = 1; j < 4; ++j) EXPECT_NEAR(drawn[static_cast<std::size_t>(j)], 1000, 100) << "image " << j;  // about 3.9 SD
  EXPECT_NE(error_message([] { draw_hybrid_pairs({3, 3, 3}, 1, 0); }).find("at least two classes; all 3 images are of class 3"),
            std::string::npos);
  EXPECT_NE(error_message([] { draw_hybrid_pairs({0, 1}, 0, 0); }).find("pairs_per_image >= 1"), std::string::npos);
}

TEST(HybridImages, ReversalFrequencyInterpolatesTheZeroCrossing) {
  const std::vector<double> f{0.1, 0.2, 0.3, 0.4};
  ReversalFrequency reversal = reversal_frequency(f, {-0.5, -0.2, 0.3, 0.6});
  EXPECT_NEAR(reversal.frequency, 0.2 + 0.1 * 0.2 / 0.5, 1e-12);  // 0.24
  EXPECT_EQ(reversal.crossings, 1);
  EXPECT_EQ(reversal.status, "crossed");
  EXPECT_NEAR(reversal_frequency(f, {-0.5, 0.0, 0.3, 0.6}).frequency, 0.2, 1e-12);  // exactly 0 at a point
  // A noisy curve: the first rise through zero; three sign changes.
  reversal = reversal_frequency(f, {-0.4, 0.4, -0.1, 0.2});
  EXPECT_NEAR(reversal.frequency, 0.15, 1e-12);
  EXPECT_EQ(reversal.crossings, 3);
  reversal = reversal_frequency(f, {0.1, 0.2, 0.3, 0.4});
  EXPECT_TRUE(std::isnan(reversal.frequency));
  EXPECT_NE(reversal.status.find("the low-frequency image wins everywhere"), std::string::npos) << reversal.status;
  reversal = reversal_frequency(f, {-0.4, -0.3, -0.2, -0.1});
  EXPECT_TRUE(std::isnan(reversal.frequency));
  EXPECT_NE(reversal.status.find("the high-frequency image wins everywhere"), std::string::npos) << reversal.status;
  EXPECT_NE(reversal.status.find("0.1 to 0.4"), std::string::npos) << reversal.status;
  reversal = reversal_frequency(f, {0.4, 0.3, -0.2, -0.1});
  EXPECT_TRUE(std::isnan(reversal.frequency));
  EXPECT_NE(reversal.status.find("never rises through zero"), std::string::npos) << reversal.status;
  EXPECT_NE(error_message([] { reversal_frequency({0.1, 0.1}, {-1, 1}); }).find("must increase"), std::string::npos);
  EXPECT_NE(error_message([] { reversal_frequency({0.1}, {-1}); }).find("at least 2"), std::string::npos);
  EXPECT_NE(error_message([] { reversal_frequency({0.1, 0.2}, {-1, std::nan("")}); }).find("NaN"), std::string::npos);
}

TEST(HybridImages, CurveOfTheSmallCnn) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = TorchScriptModel::load(std::filesystem::path(VISALIGN_FIXTURES_DIR) / "pgd_small_cnn.pt", "cpu", 1)
                                    .classifier({0.0f}, {1.0f}, "pgd_small_cnn.pt");
  const LabelledImages set = read_fashion_mnist(default_fashion_mnist_folder(), "test", 60);
  const std::vector<HybridPair> pairs = draw_hybrid_pairs(set.labels, 2, 5);
  const std::vector<double> f{0.02, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, std::sqrt(2.0)};
  const HybridCurve curve = hybrid_image_curve(classifier, set.images, set.labels, pairs, f, 50);
  ASSERT_EQ(curve.points.size(), f.size());
  EXPECT_EQ(curve.pairs, 120);
  // The same numbers from hybrids made and classified one frequency at a time, in another batch size.
  ImageBatch low_sources = set.images, high_sources = set.images;
  std::vector<std::int64_t> low_indices, high_indices;
  for (const HybridPair& pair : pairs) {
    low_indices.push_back(pair.low_image);
    high_indices.push_back(pair.high_image);
  }
  low_sources = select_images(set, low_indices).images;
  high_sources = select_images(set, high_indices).images;
  for (std::size_t j = 0; j < f.size(); ++j) {
    const Eigen::MatrixXf probabilities = classifier.probabilities(hybrid_images(low_sources, high_sources, f[j]), 7);
    double p_low = 0, p_high = 0;
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      p_low += probabilities(static_cast<Eigen::Index>(p), set.labels[static_cast<std::size_t>(pairs[p].low_image)]);
      p_high += probabilities(static_cast<Eigen::Index>(p), set.labels[static_cast<std::size_t>(pairs[p].high_image)]);
    }
    EXPECT_NEAR(curve.points[j].p_low, p_low / pairs.size(), 1e-5) << "f_mix " << f[j];
    EXPECT_NEAR(curve.points[j].p_high, p_high / pairs.size(), 1e-5) << "f_mix " << f[j];
    EXPECT_NEAR(curve.points[j].difference, (p_low - p_high) / pairs.size(), 1e-5);
    EXPECT_GT(curve.points[j].difference_sem, 0.0);
    std::cout << "f_mix " << f[j] << ": p_low " << curve.points[j].p_low << ", p_high " << curve.points[j].p_high << " (sem of the difference "
              << curve.points[j].difference_sem << "), classified as the low image " << curve.points[j].low_chosen << ", as the high image "
              << curve.points[j].high_chosen << "\n";
  }
  // At f_mix = sqrt(2) the hybrid is the low image: "classified as the low image" is the classifier's accuracy
  // on those images (the fixture CNN is weak: 74% on the first 1000 test images). Near 0 the hybrid is the high
  // image but for its mean brightness: the high image's class wins.
  std::vector<std::int64_t> low_labels;
  for (const HybridPair& pair : pairs) low_labels.push_back(set.labels[static_cast<std::size_t>(pair.low_image)]);
  EXPECT_NEAR(curve.points.back().low_chosen, classification_accuracy(classifier, low_sources, low_labels), 1e-12);
  EXPECT_GT(curve.points.back().p_low, 5 * curve.points.back().p_high);
  EXPECT_GT(curve.points.front().p_high, 5 * curve.points.front().p_low);
  std::cout << "pgd_small_cnn.pt: f_rev " << curve.reversal.frequency << " (" << curve.reversal.status << ", " << curve.reversal.crossings
            << " sign changes)\n";
  EXPECT_EQ(curve.reversal.status, "crossed");
  EXPECT_GT(curve.reversal.frequency, 0.02);
  EXPECT_LT(curve.reversal.frequency, 1.0);

  const std::vector<HybridPair> same_class{{0, 0}};
  EXPECT_NE(error_message([&] { hybrid_image_curve(classifier, set.images, set.labels, same_class, f); }).find("different classes"),
            std::string::npos);
  const std::vector<HybridPair> outside{{0, 600}};
  EXPECT_NE(error_message([&] { hybrid_image_curve(classifier, set.images, set.labels, outside, f); }).find("outside the 60 images"),
            std::string::npos);
  EXPECT_NE(error_message([&] { hybrid_image_curve(classifier, set.images, set.labels, pairs, {0.0, 0.5}); }).find("(0, sqrt(2)]"),
            std::string::npos);
  EXPECT_NE(error_message([&] { hybrid_image_curve(classifier, set.images, set.labels, {}, f); }).find("no image pairs"), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
