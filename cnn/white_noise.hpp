#pragma once
// White-noise analysis of a classifier (seed 002, Borji & Lin; METHODS.md "White-noise analysis"):
// classification images (the mean noise image of each predicted class, optionally with the noise mixed
// into signal images as gamma * signal + (1 - gamma) * noise), the psychometric curve (accuracy on test
// images mixed with noise, against gamma), and spike-triggered averages of units (response-weighted
// averages of the noise). No LibTorch here (white_noise.cpp draws the noise with LibTorch).
//
// The noise stream. Noise image i of a stream belongs to chunk k = i / chunk_images; each chunk is drawn
// whole (chunk_images images, then, when mixing, chunk_images signal indices) by a generator of its own
// seeded with mix_seed(mix_seed(seed) + k) on the classifier's device, and image i is its (i mod
// chunk_images)-th image. So image i is the same for any image count, batch size and thread count; it
// depends on the seed, the kind, chunk_images and the device kind (the CPU generator is PyTorch's
// mt19937, the same numbers as torch.Generator().manual_seed(s) with torch.rand in Python; CUDA's is
// Philox, other numbers).

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::cnn {

/// uniform: every pixel independently uniform in [0, 1) (torch.rand: multiples of 2^-24), the white
/// noise of the seed's code; gaussian: 0.5 + gaussian_sd * N(0, 1), clipped to [0, 1]. Seed 002's text
/// says "white noise" without a distribution; uniform is the default.
enum class NoiseKind { uniform, gaussian };

/// "uniform" / "gaussian" (std::invalid_argument otherwise) and back.
NoiseKind parse_noise_kind(const std::string& name);
std::string noise_kind_name(NoiseKind kind);

struct NoiseOptions {
  std::int64_t images = 1000000;  // noise images classified (the seed: 1 million)
  std::int64_t channels = 1, height = 28, width = 28;  // of each noise image: the classifier's input
  NoiseKind kind = NoiseKind::uniform;
  double gaussian_sd = 0.25;      // NoiseKind::gaussian only, before clipping
  /// Classification images only: each stimulus is gamma * signal + (1 - gamma) * noise (seed 002 eq. 3),
  /// in [0, 1]; gamma > 0 needs signal images. The maps average the noise part, never the signal.
  double gamma = 0.0;
  std::int64_t chunk_images = 1000;  // images per generator stream (see above; part of the stream's definition)
  /// Images per forward pass: a part of one chunk when smaller than chunk_images, otherwise the whole
  /// number of chunks it holds (rounded down). Results do not depend on it (up to float rounding in the model).
  int batch_size = 1000;
  std::uint64_t seed = 0;
};

/// std::invalid_argument naming the field, expected and found, for images < 1, sizes < 1, gamma outside
/// [0, 1], gaussian_sd <= 0 (gaussian), chunk_images < 1 or batch_size < 1.
void validate_noise_options(const NoiseOptions& options);

/// Noise images [first, first + count) of the stream (before any mixing), drawn on `device` ("cpu",
/// "cuda", "auto": the stream depends on the device kind) and returned as [0, 1] pixels. options.images
/// is ignored. What classification_images averages, for checks and for spike-triggered averages.
/// std::invalid_argument for invalid options, first < 0 or count < 0.
ImageBatch white_noise_images(const NoiseOptions& options, std::int64_t first, std::int64_t count, const std::string& device = "cpu");

struct ClassificationImages {
  std::int64_t images = 0;                      // noise images classified
  std::int64_t channels = 0, height = 0, width = 0;
  /// classes x (channels * height * width), C order within an image: the mean noise (not stimulus) of the
  /// images predicted as each class. A class never predicted has no mean: its row is NaN (see empty_classes).
  Eigen::MatrixXd class_means;
  std::vector<std::int64_t> counts;             // images predicted as each class
  Eigen::RowVectorXd noise_mean;                // the mean of all the noise images
  std::vector<std::int64_t> empty_classes;      // classes with count 0 (NaN rows)
};

/// Feeds options.images noise images (mixed with signal images when options.gamma > 0: image i gets
/// signal image u_i, u_i uniform over the signal images, drawn from the chunk's generator after its
/// noise) to the classifier in eval mode, and averages the noise per predicted class (argmax of the
/// logits, the first on ties). Sums are accumulated in double on the classifier's device (exact, so
/// independent of the summation order, for uniform noise drawn on the CPU without mixing: every value is
/// a multiple of 2^-24). A signal batch is ignored when gamma is 0. options.channels must be the
/// classifier's. progress(done images, total) after each batch. std::invalid_argument for invalid
/// options, a channel count that differs from the classifier's, gamma > 0 without signal images (or
/// with an empty batch, or images of another shape than the noise).
ClassificationImages classification_images(const Classifier& classifier, const NoiseOptions& options,
                                           const ImageBatch* signal = nullptr,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {});

struct PsychometricPoint {
  double gamma = 0;
  double accuracy = 0;        // fraction of mixed images classified as their label
  std::int64_t correct = 0;
  std::int64_t images = 0;
};

/// The classifier's accuracy on gamma * signal_j + (1 - gamma) * noise_j for each gamma (in the order
/// given), where noise_j is image j of the noise stream (options: kind, seed, chunk_images, batch_size;
/// options.images and options.gamma are ignored): the same noise image for every gamma, so the curve is
/// smooth. progress(done, total) counts images over all gammas. std::invalid_argument for invalid
/// options, a gamma outside [0, 1], no gammas, labels that do not match the images, images of another
/// shape than the options' or the classifier's channels.
std::vector<PsychometricPoint> psychometric_curve(const Classifier& classifier, const ImageBatch& signal,
                                                  const std::vector<std::int64_t>& labels, const std::vector<double>& gammas,
                                                  const NoiseOptions& options,
                                                  const std::function<void(std::size_t, std::size_t)>& progress = {});

struct SpikeTriggeredAverages {
  std::int64_t images = 0;
  /// units x pixels: sum_i r_i x_i / sum_i r_i (seed 002 eq. 4, r_i the unit's response, x_i the noise
  /// image); NaN rows for units whose responses sum to 0 (never "spiked").
  Eigen::MatrixXd average;
  /// units x pixels: (1/N) sum_i (r_i - mean r)(x_i - mean x), the reverse-correlation map. For white
  /// noise of pixel variance s^2 and a linear unit r = w.x + b it estimates s^2 w, whatever the sign of
  /// the responses; equal to mean(r) * (average - noise_mean) where mean(r) is not 0.
  Eigen::MatrixXd covariance;
  Eigen::VectorXd response_mean;   // per unit
  Eigen::RowVectorXd noise_mean;   // the mean noise image
};

/// Accumulates spike-triggered averages over noise images given in chunks (sums in double), so that a
/// million images need not be held at once. Chunk order does not matter.
class SpikeTriggeredAverager {
 public:
  /// units >= 1 responses per image of `pixels` >= 1 values (channels * height * width); std::invalid_argument otherwise.
  SpikeTriggeredAverager(std::int64_t units, std::int64_t pixels);
  /// noise: N images of `pixels` values; responses: N x units. std::invalid_argument for other shapes.
  void add(const ImageBatch& noise, const Eigen::Ref<const Eigen::MatrixXf>& responses);
  /// std::invalid_argument when no image was added.
  SpikeTriggeredAverages result() const;

 private:
  std::int64_t units_, pixels_, images_ = 0;
  Eigen::MatrixXd weighted_sum_;  // units x pixels: sum_i r_i x_i
  Eigen::VectorXd response_sum_;  // units
  Eigen::RowVectorXd noise_sum_;  // pixels
};

}  // namespace visalign::cnn
