// Tests of cnn/adversarial_images: the AN/AI stopping rule holds for the images as saved (8-bit values,
// probability recomputed from them), AI perturbations stay within the steps taken, the target rules,
// and the errors. The classifier is tests/fixtures/pgd_small_cnn.pt (a small Fashion-MNIST CNN scripted
// by tests/fixtures/make_pgd_fixtures.py) on Fashion-MNIST test images (Debian dataset-fashion-mnist).

#include "cnn/adversarial_images.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "cnn/labelled_images.hpp"
#include "cnn/torchscript_model.hpp"
#include "tests/cnn/cnn_test_support.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;

Classifier small_cnn() {
  static const TorchScriptModel model = TorchScriptModel::load(std::string(VISALIGN_FIXTURES_DIR) + "/pgd_small_cnn.pt", "cpu", 1);  // tiny: one thread
  return model.classifier({0.0f}, {1.0f}, "pgd_small_cnn.pt");
}

/// Two test images of each of classes 0..4.
LabelledImages stimuli() {
  const LabelledImages test = read_fashion_mnist(default_fashion_mnist_folder(), "test", 500);
  return select_images(test, first_images_per_class(test, {0, 1, 2, 3, 4}, 2));
}

bool on_8_bit_grid(const ImageBatch& images) {
  for (const float value : images.values) {
    if (std::abs(value * 255.0f - std::round(value * 255.0f)) > 1e-3f) return false;
  }
  return true;
}

TEST(AdversarialImages, NoiseImagesReachTheirClassAsSaved) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = small_cnn();
  const LabelledImages regular = stimuli();
  AdversarialImageOptions options;
  const AdversarialImages made = noise_images(classifier, regular.images, regular.labels, options);
  EXPECT_TRUE(on_8_bit_grid(made.images));
  const Eigen::MatrixXf again = classifier.probabilities(made.images);  // the saved images, evaluated afresh
  const ImageBatch mean = mean_image(regular.images);
  for (std::int64_t i = 0; i < regular.images.count; ++i) {
    EXPECT_TRUE(made.reached[i]) << "image " << i;
    EXPECT_EQ(made.classes[i], regular.labels[i]);
    EXPECT_GE(made.class_probability[i], 0.99);
    EXPECT_NEAR(again(i, regular.labels[i]), made.class_probability[i], 1e-5);
    EXPECT_EQ(made.predicted[i], regular.labels[i]);
    // The reported distance is to the mean image.
    double l2 = 0;
    for (std::int64_t p = 0; p < 28 * 28; ++p) {
      const double d = made.images.values[i * 28 * 28 + p] - mean.values[p];
      l2 += d * d;
    }
    EXPECT_NEAR(std::sqrt(l2), made.l2[i], 1e-4);
  }
  std::cout << "AN (small CNN, 10 Fashion-MNIST images): iterations";
  for (const int iterations : made.iterations) std::cout << ' ' << iterations;
  std::cout << '\n';
}

TEST(AdversarialImages, InterferenceImagesReachTheirTargetWithSmallSteps) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = small_cnn();
  const LabelledImages regular = stimuli();
  std::vector<std::string> categories;
  for (const std::int64_t label : regular.labels) categories.push_back(regular.class_names[label]);
  const std::vector<std::int64_t> targets =
      interference_targets("other-category", regular.labels, categories, classifier.probabilities(regular.images), 7);
  AdversarialImageOptions options;
  const AdversarialImages made = interference_images(classifier, regular.images, targets, options);
  EXPECT_TRUE(on_8_bit_grid(made.images));
  const Eigen::MatrixXf again = classifier.probabilities(made.images);
  for (std::int64_t i = 0; i < regular.images.count; ++i) {
    EXPECT_TRUE(made.reached[i]) << "image " << i;
    EXPECT_NE(targets[i], regular.labels[i]);
    EXPECT_GE(again(i, targets[i]), 0.99);
    // One grey level per step at most: the L-inf distance to the RE image is at most the iterations taken.
    EXPECT_LE(made.linf[i], made.iterations[i] / 255.0 + 1e-6);
    EXPECT_GT(made.linf[i], 0.0);
  }
  // Without quantising, the float image meets the rule (and its 8-bit rounding need not).
  options.quantise = false;
  options.step_size = 1.5 / 255.0;  // off the 8-bit grid
  const AdversarialImages unquantised = interference_images(classifier, regular.images, targets, options);
  EXPECT_FALSE(on_8_bit_grid(unquantised.images));
  for (std::int64_t i = 0; i < regular.images.count; ++i) {
    EXPECT_TRUE(unquantised.reached[i]) << "image " << i;
    EXPECT_GE(unquantised.class_probability[i], 0.99);
  }
}

TEST(AdversarialImages, TargetRules) {
  const std::vector<std::int64_t> classes{151, 162, 22, 23, 407, 408};
  const std::vector<std::string> categories{"dog", "dog", "bird", "bird", "car", "car"};
  Eigen::MatrixXf probabilities = Eigen::MatrixXf::Constant(6, 1000, 1e-4f);
  for (int i = 0; i < 6; ++i) {
    probabilities(i, classes[i]) = 0.5f;
    probabilities(i, 300 + i) = 0.3f;  // the runner-up
  }
  const auto drawn = interference_targets("other-category", classes, categories, probabilities, 1);
  for (int i = 0; i < 6; ++i) {
    const auto position = std::find(classes.begin(), classes.end(), drawn[i]) - classes.begin();
    ASSERT_LT(position, 6) << "a class of the set";
    EXPECT_NE(categories[position], categories[i]) << "of another category";
  }
  EXPECT_EQ(drawn, interference_targets("other-category", classes, categories, probabilities, 1));  // seeded
  std::set<std::vector<std::int64_t>> across_seeds;
  for (std::uint64_t seed = 0; seed < 5; ++seed) across_seeds.insert(interference_targets("other-category", classes, categories, probabilities, seed));
  EXPECT_GT(across_seeds.size(), 1u);
  const auto runner_up = interference_targets("runner-up", classes, categories, probabilities, 0);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(runner_up[i], 300 + i);
  const auto fixed = interference_targets("fixed:22", classes, categories, probabilities, 0);
  EXPECT_EQ(fixed, (std::vector<std::int64_t>{22, 22, 302, 22, 22, 22}));  // the image of class 22 gets its runner-up

  EXPECT_NE(error_message([&] { interference_targets("nearest", classes, categories, probabilities, 0); }).find("other-category"),
            std::string::npos);
  EXPECT_NE(error_message([&] { interference_targets("fixed:x", classes, categories, probabilities, 0); }).find("fixed:<class"),
            std::string::npos);
  const std::vector<std::string> one_category(6, "dog");
  EXPECT_NE(error_message([&] { interference_targets("other-category", classes, one_category, probabilities, 0); }).find("runner-up"),
            std::string::npos);
}

TEST(AdversarialImages, BadInputIsAClearError) {
  const Classifier classifier = small_cnn();
  ImageBatch grey{2, 1, 28, 28, std::vector<float>(2 * 28 * 28, 0.5f)};
  ImageBatch rgb{2, 3, 28, 28, std::vector<float>(2 * 3 * 28 * 28, 0.5f)};
  AdversarialImageOptions options;
  EXPECT_NE(error_message([&] { noise_images(classifier, rgb, {0, 1}, options); }).find("3 channels"), std::string::npos);
  EXPECT_NE(error_message([&] { noise_images(classifier, grey, {0}, options); }).find("1 classes for 2 images"), std::string::npos);
  EXPECT_NE(error_message([&] { interference_images(classifier, grey, {0, 10}, options); }).find("outside the model's 10 classes"),
            std::string::npos);
  options.threshold = 1.0;
  EXPECT_NE(error_message([&] { noise_images(classifier, grey, {0, 1}, options); }).find("threshold"), std::string::npos);
  options = {};
  options.objective = "logit";
  EXPECT_NE(error_message([&] { noise_images(classifier, grey, {0, 1}, options); }).find("objective"), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
