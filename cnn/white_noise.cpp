#include "cnn/white_noise.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "cnn/seed_streams.hpp"
#include "cnn/torch_classifier.hpp"

// The noise is drawn where the classifier runs (a million 28 x 28 images are 3 GB of floats: drawing them
// on a GPU avoids the copy) in chunks of chunk_images images, each from a generator of its own (see the
// header), and classified in passes of batch_size images; per-class sums stay on the device in double.
// Written against LibTorch 1.13 and 2.x.

namespace visalign::cnn {
namespace {

using detail::mix_seed;

std::string number_text(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

/// A generator of the device's kind seeded with `seed`. CUDA generators are cloned from the device's
/// default one (which this code never advances) so that the CPU-only LibTorch headers suffice.
at::Generator seeded_generator(const torch::Device& device, std::uint64_t seed) {
  if (device.is_cpu()) return at::detail::createCPUGenerator(seed);
  at::Generator device_default = at::globalContext().defaultGenerator(device);
  at::Generator generator;
  {
    std::lock_guard<std::mutex> lock(device_default.mutex());
    generator = device_default.clone();
  }
  generator.set_current_seed(seed);  // also rewinds the Philox offset
  return generator;
}

std::uint64_t chunk_seed(std::uint64_t seed, std::int64_t chunk) { return mix_seed(mix_seed(seed) + static_cast<std::uint64_t>(chunk)); }

/// Stream images [first, first + count): noise (count x C x H x W floats) and, when signal_count > 0, the
/// signal index of each (count int64), on `device`. Every chunk touched is drawn whole, so an image does
/// not depend on the range asked for.
std::pair<torch::Tensor, torch::Tensor> stream_range(const NoiseOptions& options, std::int64_t first, std::int64_t count,
                                                     std::int64_t signal_count, const torch::Device& device) {
  const auto float_options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  if (count == 0) {
    return {torch::empty({0, options.channels, options.height, options.width}, float_options),
            torch::empty({0}, float_options.dtype(torch::kInt64))};
  }
  std::vector<torch::Tensor> noise_parts, index_parts;
  const std::int64_t last = first + count;
  for (std::int64_t chunk = first / options.chunk_images; chunk * options.chunk_images < last; ++chunk) {
    at::Generator generator = seeded_generator(device, chunk_seed(options.seed, chunk));
    const std::vector<std::int64_t> shape{options.chunk_images, options.channels, options.height, options.width};
    torch::Tensor noise;
    if (options.kind == NoiseKind::uniform) {
      noise = torch::rand(shape, generator, float_options);
    } else {
      noise = (torch::randn(shape, generator, float_options) * options.gaussian_sd + 0.5).clamp_(0, 1);
    }
    torch::Tensor index;
    if (signal_count > 0) index = torch::randint(0, signal_count, {options.chunk_images}, generator, float_options.dtype(torch::kInt64));
    const std::int64_t chunk_first = chunk * options.chunk_images;
    const std::int64_t from = std::max(first, chunk_first) - chunk_first;
    const std::int64_t to = std::min(last, chunk_first + options.chunk_images) - chunk_first;
    noise_parts.push_back(noise.narrow(0, from, to - from));
    if (signal_count > 0) index_parts.push_back(index.narrow(0, from, to - from));
  }
  torch::Tensor noise = noise_parts.size() == 1 ? noise_parts.front() : torch::cat(noise_parts);
  torch::Tensor index;
  if (signal_count > 0) index = index_parts.size() == 1 ? index_parts.front() : torch::cat(index_parts);
  return {noise, index};
}

void require_classifier_channels(const Classifier& classifier, const NoiseOptions& options, const std::string& what) {
  if (options.channels != classifier.channels()) {
    throw std::invalid_argument(what + ": the noise has " + std::to_string(options.channels) + " channels, the classifier expects " +
                                std::to_string(classifier.channels()));
  }
}

void require_image_shape(const ImageBatch& images, const NoiseOptions& options, const std::string& what) {
  detail::require_consistent(images, what);
  if (images.channels != options.channels || images.height != options.height || images.width != options.width) {
    throw std::invalid_argument(what + ": the images are " + std::to_string(images.channels) + " x " + std::to_string(images.height) +
                                " x " + std::to_string(images.width) + ", the noise " + std::to_string(options.channels) + " x " +
                                std::to_string(options.height) + " x " + std::to_string(options.width));
  }
}

/// Logits of one pass with the shape checked (images x classes).
torch::Tensor checked_logits(const Classifier::Impl& impl, const torch::Tensor& stimuli, const std::string& what) {
  torch::Tensor logits = impl.logits(stimuli);
  if (logits.dim() != 2 || logits.size(0) != stimuli.size(0)) {
    throw std::invalid_argument(what + ": the classifier's output for " + std::to_string(stimuli.size(0)) + " images has shape " +
                                std::to_string(logits.dim()) + "-D with " + std::to_string(logits.size(0)) + " rows, expected images x classes");
  }
  return logits;
}

/// A rows x columns tensor (any device, any floating type) as an Eigen double matrix.
Eigen::MatrixXd to_matrix(const torch::Tensor& values) {
  const torch::Tensor cpu = values.to(torch::kCPU, torch::kFloat64).contiguous();
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(cpu.data_ptr<double>(), cpu.size(0), cpu.size(1));
}

}  // namespace

NoiseKind parse_noise_kind(const std::string& name) {
  if (name == "uniform") return NoiseKind::uniform;
  if (name == "gaussian") return NoiseKind::gaussian;
  throw std::invalid_argument("noise kind must be \"uniform\" or \"gaussian\", found \"" + name + "\"");
}

std::string noise_kind_name(NoiseKind kind) { return kind == NoiseKind::uniform ? "uniform" : "gaussian"; }

void validate_noise_options(const NoiseOptions& options) {
  const std::string what = "white noise: ";
  if (options.images < 1) throw std::invalid_argument(what + "images must be >= 1, found " + std::to_string(options.images));
  if (options.channels < 1 || options.height < 1 || options.width < 1) {
    throw std::invalid_argument(what + "channels, height and width must be >= 1, found " + std::to_string(options.channels) + " x " +
                                std::to_string(options.height) + " x " + std::to_string(options.width));
  }
  if (!(options.gamma >= 0 && options.gamma <= 1)) {
    throw std::invalid_argument(what + "gamma (the signal's weight) must be in [0, 1], found " + number_text(options.gamma));
  }
  if (options.kind == NoiseKind::gaussian && !(options.gaussian_sd > 0 && std::isfinite(options.gaussian_sd))) {
    throw std::invalid_argument(what + "gaussian_sd must be > 0, found " + number_text(options.gaussian_sd));
  }
  if (options.chunk_images < 1) throw std::invalid_argument(what + "chunk_images must be >= 1, found " + std::to_string(options.chunk_images));
  if (options.batch_size < 1) throw std::invalid_argument(what + "batch_size must be >= 1, found " + std::to_string(options.batch_size));
}

ImageBatch white_noise_images(const NoiseOptions& options, std::int64_t first, std::int64_t count, const std::string& device) {
  NoiseOptions checked = options;
  checked.images = 1;  // not used here
  validate_noise_options(checked);
  if (first < 0 || count < 0) {
    throw std::invalid_argument("white noise images: first and count must be >= 0, found " + std::to_string(first) + " and " +
                                std::to_string(count));
  }
  torch::NoGradGuard no_grad;
  return detail::to_image_batch(stream_range(options, first, count, 0, detail::resolve_device(device)).first);
}

ClassificationImages classification_images(const Classifier& classifier, const NoiseOptions& options, const ImageBatch* signal,
                                           const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::string what = "classification images";
  validate_noise_options(options);
  require_classifier_channels(classifier, options, what);
  const bool mixing = options.gamma > 0;
  if (mixing) {
    if (signal == nullptr || signal->count < 1) {
      throw std::invalid_argument(what + ": gamma " + number_text(options.gamma) + " mixes signal into the noise, but no signal images were given");
    }
    require_image_shape(*signal, options, what + " (signal images)");
  }
  const Classifier::Impl& impl = classifier.impl();
  const torch::Device device = impl.device;
  torch::NoGradGuard no_grad;
  const torch::Tensor signal_images = mixing ? detail::to_tensor(*signal, device) : torch::Tensor();
  const std::int64_t signal_count = mixing ? signal->count : 0;
  const float gamma = static_cast<float>(options.gamma);

  const std::int64_t pixels = options.channels * options.height * options.width;
  const std::int64_t chunks_per_group = std::max<std::int64_t>(1, options.batch_size / options.chunk_images);
  const std::int64_t group_images = chunks_per_group * options.chunk_images;
  const std::int64_t pass_images = std::min<std::int64_t>(options.batch_size, group_images);
  const auto double_options = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  torch::Tensor class_sums, class_counts;
  torch::Tensor noise_sum = torch::zeros({pixels}, double_options);
  std::int64_t done = 0;
  for (std::int64_t group_first = 0; group_first < options.images; group_first += group_images) {
    const std::int64_t group_count = std::min(group_images, options.images - group_first);
    const auto [noise, signal_index] = stream_range(options, group_first, group_count, signal_count, device);
    const torch::Tensor stimuli = mixing ? signal_images.index_select(0, signal_index) * gamma + noise * (1.0f - gamma) : noise;
    for (std::int64_t start = 0; start < group_count; start += pass_images) {
      const std::int64_t length = std::min(pass_images, group_count - start);
      const torch::Tensor logits = checked_logits(impl, stimuli.narrow(0, start, length), what);
      const torch::Tensor predicted = logits.argmax(1);
      const torch::Tensor flat = noise.narrow(0, start, length).reshape({length, pixels}).to(torch::kFloat64);
      if (!class_sums.defined()) {
        class_sums = torch::zeros({logits.size(1), pixels}, double_options);
        class_counts = torch::zeros({logits.size(1)}, double_options.dtype(torch::kInt64));
      }
      class_sums.index_add_(0, predicted, flat);
      class_counts.index_add_(0, predicted, torch::ones_like(predicted));
      noise_sum += flat.sum(0);
      done += length;
      if (progress) progress(static_cast<std::size_t>(done), static_cast<std::size_t>(options.images));
    }
  }

  ClassificationImages result;
  result.images = options.images;
  result.channels = options.channels;
  result.height = options.height;
  result.width = options.width;
  const torch::Tensor counts = class_counts.to(torch::kCPU);
  result.counts.assign(counts.data_ptr<std::int64_t>(), counts.data_ptr<std::int64_t>() + counts.numel());
  result.class_means = to_matrix(class_sums);
  for (std::size_t c = 0; c < result.counts.size(); ++c) {
    if (result.counts[c] == 0) {
      result.class_means.row(static_cast<Eigen::Index>(c)).setConstant(std::numeric_limits<double>::quiet_NaN());
      result.empty_classes.push_back(static_cast<std::int64_t>(c));
    } else {
      result.class_means.row(static_cast<Eigen::Index>(c)) /= static_cast<double>(result.counts[c]);
    }
  }
  result.noise_mean = to_matrix(noise_sum.reshape({1, pixels})).row(0) / static_cast<double>(options.images);
  return result;
}

std::vector<PsychometricPoint> psychometric_curve(const Classifier& classifier, const ImageBatch& signal,
                                                  const std::vector<std::int64_t>& labels, const std::vector<double>& gammas,
                                                  const NoiseOptions& options,
                                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::string what = "psychometric curve";
  NoiseOptions checked = options;
  checked.images = 1;  // the signal images set the count
  checked.gamma = 0;   // the gammas come as a list
  validate_noise_options(checked);
  require_classifier_channels(classifier, options, what);
  require_image_shape(signal, options, what);
  if (gammas.empty()) throw std::invalid_argument(what + ": no gammas given");
  for (const double gamma : gammas) {
    if (!(gamma >= 0 && gamma <= 1)) throw std::invalid_argument(what + ": gamma must be in [0, 1], found " + number_text(gamma));
  }
  if (static_cast<std::int64_t>(labels.size()) != signal.count) {
    throw std::invalid_argument(what + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(signal.count) + " images");
  }
  const Classifier::Impl& impl = classifier.impl();
  const torch::Device device = impl.device;
  torch::NoGradGuard no_grad;
  const torch::Tensor signal_images = detail::to_tensor(signal, device);
  const torch::Tensor label_tensor = detail::to_label_tensor(labels, device);
  const torch::Tensor noise = stream_range(options, 0, signal.count, 0, device).first;
  std::vector<PsychometricPoint> curve;
  const std::size_t total = gammas.size() * static_cast<std::size_t>(signal.count);
  std::size_t done = 0;
  for (const double gamma : gammas) {
    PsychometricPoint point;
    point.gamma = gamma;
    point.images = signal.count;
    const float weight = static_cast<float>(gamma);
    for (std::int64_t start = 0; start < signal.count; start += options.batch_size) {
      const std::int64_t length = std::min<std::int64_t>(options.batch_size, signal.count - start);
      const torch::Tensor stimuli = signal_images.narrow(0, start, length) * weight + noise.narrow(0, start, length) * (1.0f - weight);
      const torch::Tensor logits = checked_logits(impl, stimuli, what);
      const torch::Tensor batch_labels = label_tensor.narrow(0, start, length);
      if (batch_labels.min().item<std::int64_t>() < 0 || batch_labels.max().item<std::int64_t>() >= logits.size(1)) {
        throw std::invalid_argument(what + ": labels must be in 0.." + std::to_string(logits.size(1) - 1) + " (the classifier's classes)");
      }
      point.correct += logits.argmax(1).eq(batch_labels).sum().item<std::int64_t>();
      done += static_cast<std::size_t>(length);
      if (progress) progress(done, total);
    }
    point.accuracy = signal.count == 0 ? 0.0 : static_cast<double>(point.correct) / static_cast<double>(signal.count);
    curve.push_back(point);
  }
  return curve;
}

SpikeTriggeredAverager::SpikeTriggeredAverager(std::int64_t units, std::int64_t pixels) : units_(units), pixels_(pixels) {
  if (units < 1 || pixels < 1) {
    throw std::invalid_argument("spike-triggered average: units and pixels must be >= 1, found " + std::to_string(units) + " and " +
                                std::to_string(pixels));
  }
  weighted_sum_ = Eigen::MatrixXd::Zero(units, pixels);
  response_sum_ = Eigen::VectorXd::Zero(units);
  noise_sum_ = Eigen::RowVectorXd::Zero(pixels);
}

void SpikeTriggeredAverager::add(const ImageBatch& noise, const Eigen::Ref<const Eigen::MatrixXf>& responses) {
  detail::require_consistent(noise, "spike-triggered average (noise)");
  if (noise.channels * noise.height * noise.width != pixels_) {
    throw std::invalid_argument("spike-triggered average: noise images of " + std::to_string(noise.channels * noise.height * noise.width) +
                                " pixels, expected " + std::to_string(pixels_));
  }
  if (responses.rows() != noise.count || responses.cols() != units_) {
    throw std::invalid_argument("spike-triggered average: responses are " + std::to_string(responses.rows()) + " x " +
                                std::to_string(responses.cols()) + ", expected images x units = " + std::to_string(noise.count) + " x " +
                                std::to_string(units_));
  }
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::MatrixXd images = Eigen::Map<const RowMajor>(noise.values.data(), noise.count, pixels_).cast<double>();
  const Eigen::MatrixXd weights = responses.cast<double>();
  weighted_sum_.noalias() += weights.transpose() * images;
  response_sum_ += weights.colwise().sum().transpose();
  noise_sum_ += images.colwise().sum();
  images_ += noise.count;
}

SpikeTriggeredAverages SpikeTriggeredAverager::result() const {
  if (images_ == 0) throw std::invalid_argument("spike-triggered average: no images were added");
  SpikeTriggeredAverages result;
  result.images = images_;
  const double count = static_cast<double>(images_);
  result.noise_mean = noise_sum_ / count;
  result.response_mean = response_sum_ / count;
  result.average.resize(units_, pixels_);
  for (Eigen::Index unit = 0; unit < units_; ++unit) {
    if (response_sum_(unit) == 0) {
      result.average.row(unit).setConstant(std::numeric_limits<double>::quiet_NaN());
    } else {
      result.average.row(unit) = weighted_sum_.row(unit) / response_sum_(unit);
    }
  }
  result.covariance = weighted_sum_ / count - result.response_mean * result.noise_mean;
  return result;
}

}  // namespace visalign::cnn
