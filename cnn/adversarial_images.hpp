#pragma once
// The study's adversarial stimuli (METHODS.md section 1): AN images ("adversarial noise", Nguyen et
// al. 2015) grown from the mean image until the classifier gives each RE image's class with p >= 0.99,
// and AI images ("adversarial interference") that move each RE image to a target class with p >= 0.99
// by a small perturbation. Both by gradient ascent on
//   objective(P_c(I)) - lambda * ||I - I_anchor||_2^2
// (I_anchor: the mean image for AN, the RE image for AI) over [0, 1] pixels, network weights fixed.
// No LibTorch here.

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::cnn {

struct AdversarialImageOptions {
  /// "log-probability" (default: ascends log P_c, whose gradient does not vanish while P_c is small) or
  /// "probability" (ascends P_c itself, as the study's formula reads). The stopping rule is on P_c either way.
  std::string objective = "log-probability";
  double lambda = 0.0;          // weight of the squared L2 distance to the anchor image (per pixel value)
  /// Each iteration moves every pixel by step_size in the direction of the objective's gradient sign
  /// (an L-inf steepest-ascent step). The default, one 8-bit grey level, keeps images on the 8-bit grid.
  double step_size = 1.0 / 255.0;
  int max_iterations = 500;
  double threshold = 0.99;      // stop when the probability of the class reaches this
  /// Evaluate the stopping rule on the image as it will be saved (rounded to 8 bits), so that every saved
  /// stimulus meets it (METHODS.md "8-bit stimuli").
  bool quantise = true;
  int batch_size = 40;
};

/// Generated images and what the classifier says of them, one entry per image.
struct AdversarialImages {
  ImageBatch images;                          // [0, 1] pixels (8-bit values when quantised)
  std::vector<std::int64_t> classes;          // the class each image was driven to
  std::vector<double> class_probability;      // P(class) of the final (saved) image
  std::vector<std::int64_t> predicted;        // argmax of the final image
  std::vector<double> predicted_probability;  // its probability
  std::vector<int> iterations;                // gradient steps taken
  std::vector<bool> reached;                  // class_probability >= threshold within max_iterations
  std::vector<double> l2, linf;               // norms of image - anchor (anchor: mean image for AN, RE image for AI)
};

/// The mean image of a batch (1 image, same channels and size).
ImageBatch mean_image(const ImageBatch& images);

/// AN images: one per RE image, started from the mean of the RE images and driven to classes[i]
/// (the RE image's class). progress(done, total) counts finished images.
/// std::invalid_argument for a class count that is not the image count, a class outside the
/// classifier's outputs, a channel count the classifier does not take, or bad options.
AdversarialImages noise_images(const Classifier& classifier, const ImageBatch& regular, const std::vector<std::int64_t>& classes,
                               const AdversarialImageOptions& options,
                               const std::function<void(std::size_t, std::size_t)>& progress = {});

/// AI images: each RE image driven to targets[i] (see interference_targets).
AdversarialImages interference_images(const Classifier& classifier, const ImageBatch& regular,
                                      const std::vector<std::int64_t>& targets, const AdversarialImageOptions& options,
                                      const std::function<void(std::size_t, std::size_t)>& progress = {});

/// The AI target class of each image, by rule (METHODS.md "The AI target class"):
/// - "other-category" (default): a class drawn (from `seed` and the image's index) among the set's
///   classes whose category differs from the image's;
/// - "runner-up": the most probable class other than the image's own (probabilities: images x classes
///   of the RE images);
/// - "fixed:<class>": that class for every image (an image of that class gets the runner-up instead).
/// std::invalid_argument for an unknown rule, sizes that disagree, or no class of another category.
std::vector<std::int64_t> interference_targets(const std::string& rule, const std::vector<std::int64_t>& classes,
                                               const std::vector<std::string>& categories, const Eigen::MatrixXf& probabilities,
                                               std::uint64_t seed);

}  // namespace visalign::cnn
