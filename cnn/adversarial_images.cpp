#include "cnn/adversarial_images.hpp"

#include <torch/autograd.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>

#include "cnn/seed_streams.hpp"
#include "cnn/torch_classifier.hpp"

namespace visalign::cnn {
namespace {

void check_options(const AdversarialImageOptions& options) {
  if (options.objective != "log-probability" && options.objective != "probability") {
    throw std::invalid_argument("objective: expected \"log-probability\" or \"probability\", found \"" + options.objective + "\"");
  }
  if (!(options.lambda >= 0)) throw std::invalid_argument("lambda: expected >= 0, found " + std::to_string(options.lambda));
  if (!(options.step_size > 0 && options.step_size <= 1)) {
    throw std::invalid_argument("step size: expected in (0, 1], found " + std::to_string(options.step_size));
  }
  if (options.max_iterations < 0) {
    throw std::invalid_argument("maximum iterations: expected >= 0, found " + std::to_string(options.max_iterations));
  }
  if (!(options.threshold > 0 && options.threshold < 1)) {
    throw std::invalid_argument("probability threshold: expected in (0, 1), found " + std::to_string(options.threshold));
  }
  if (options.batch_size < 1) throw std::invalid_argument("batch size: expected >= 1, found " + std::to_string(options.batch_size));
}

void check_inputs(const Classifier& classifier, const ImageBatch& images, const std::vector<std::int64_t>& classes,
                  const std::string& what) {
  detail::require_consistent(images, what);
  if (images.channels != classifier.channels()) {
    throw std::invalid_argument(what + ": the images have " + std::to_string(images.channels) + " channels, the model expects " +
                                std::to_string(classifier.channels()));
  }
  if (static_cast<std::int64_t>(classes.size()) != images.count) {
    throw std::invalid_argument(what + ": " + std::to_string(classes.size()) + " classes for " + std::to_string(images.count) + " images");
  }
}

torch::Tensor to_8_bits(const torch::Tensor& pixels) { return pixels.mul(255.0).round().div(255.0); }

/// Gradient ascent from `start` toward classes, anchored at `anchor` (one image, or one per start image).
AdversarialImages drive(const Classifier& classifier, const ImageBatch& start, const torch::Tensor& anchor_all,
                        const std::vector<std::int64_t>& classes, const AdversarialImageOptions& options,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
  const Classifier::Impl& model = classifier.impl();
  const std::int64_t count = start.count;
  AdversarialImages result;
  result.images = start;
  result.classes = classes;
  result.class_probability.assign(count, 0.0);
  result.predicted.assign(count, -1);
  result.predicted_probability.assign(count, 0.0);
  result.iterations.assign(count, 0);
  result.reached.assign(count, false);
  result.l2.assign(count, 0.0);
  result.linf.assign(count, 0.0);
  const std::int64_t per_image = start.channels * start.height * start.width;
  std::size_t finished = 0;
  const bool log_objective = options.objective == "log-probability";

  for (std::int64_t first = 0; first < count; first += options.batch_size) {
    const std::int64_t batch = std::min<std::int64_t>(options.batch_size, count - first);
    std::vector<std::int64_t> active(batch);  // image indices still being driven
    for (std::int64_t i = 0; i < batch; ++i) active[i] = first + i;
    torch::Tensor x = detail::to_tensor(start, model.device, first, batch);
    torch::Tensor anchor = anchor_all.size(0) == 1 ? anchor_all.expand_as(x).contiguous()
                                                   : anchor_all.narrow(0, first, batch).to(model.device);
    torch::Tensor targets = detail::to_label_tensor(std::vector<std::int64_t>(classes.begin() + first, classes.begin() + first + batch),
                                                    model.device);
    for (int iteration = 0;; ++iteration) {
      const torch::Tensor saved = options.quantise ? to_8_bits(x) : x;
      const bool on_grid = torch::equal(saved, x);
      torch::Tensor input = x.detach().requires_grad_(true);
      torch::Tensor logits = model.logits(input);
      if (iteration == 0) {
        for (std::int64_t i = 0; i < batch; ++i) {
          if (classes[first + i] < 0 || classes[first + i] >= logits.size(1)) {
            throw std::invalid_argument("image " + std::to_string(first + i) + ": class " + std::to_string(classes[first + i]) +
                                        " is outside the model's " + std::to_string(logits.size(1)) + " classes");
          }
        }
      }
      torch::Tensor probabilities;
      if (on_grid) {
        probabilities = torch::softmax(logits.detach(), 1);
      } else {
        torch::NoGradGuard no_grad;
        probabilities = torch::softmax(model.logits(saved), 1);
      }
      const torch::Tensor class_probability = probabilities.gather(1, targets.unsqueeze(1)).squeeze(1).to(torch::kCPU);
      const auto [best_probability, best_class] = probabilities.max(1);
      const torch::Tensor best_probability_cpu = best_probability.to(torch::kCPU), best_class_cpu = best_class.to(torch::kCPU);
      const bool last = iteration == options.max_iterations;
      std::vector<std::int64_t> keep, done;  // rows of the batch still active after this iteration, and those finished
      for (std::int64_t row = 0; row < static_cast<std::int64_t>(active.size()); ++row) {
        (class_probability[row].item<double>() >= options.threshold || last ? done : keep).push_back(row);
      }
      if (!done.empty()) {  // the finished images' values come to the CPU only now
        const torch::Tensor saved_cpu = saved.detach().to(torch::kCPU).contiguous();
        const torch::Tensor difference = (saved - anchor).detach().flatten(1);
        const torch::Tensor l2 = difference.norm(2, 1).to(torch::kCPU), linf = difference.abs().amax(1).to(torch::kCPU);
        for (const std::int64_t row : done) {
          const std::int64_t index = active[row];
          const double p = class_probability[row].item<double>();
          std::copy_n(saved_cpu.data_ptr<float>() + row * per_image, per_image, result.images.values.begin() + index * per_image);
          result.class_probability[index] = p;
          result.predicted[index] = best_class_cpu[row].item<std::int64_t>();
          result.predicted_probability[index] = best_probability_cpu[row].item<double>();
          result.iterations[index] = iteration;
          result.reached[index] = p >= options.threshold;
          result.l2[index] = l2[row].item<double>();
          result.linf[index] = linf[row].item<double>();
          if (progress) progress(++finished, static_cast<std::size_t>(count));
        }
      }
      if (keep.empty()) break;
      // One ascent step for the images still below the threshold (the others' rows get no gradient use).
      const torch::Tensor log_probabilities = torch::log_softmax(logits, 1).gather(1, targets.unsqueeze(1)).squeeze(1);
      torch::Tensor objective = log_objective ? log_probabilities : log_probabilities.exp();
      objective = objective - options.lambda * (input - anchor).pow(2).flatten(1).sum(1);
      const torch::Tensor gradient = torch::autograd::grad({objective.sum()}, {input})[0];
      const torch::Tensor rows = torch::tensor(keep, torch::kInt64).to(model.device);
      x = (x + options.step_size * gradient.sign()).clamp(0.0, 1.0).index_select(0, rows).detach();
      anchor = anchor.index_select(0, rows);
      targets = targets.index_select(0, rows);
      std::vector<std::int64_t> still_active;
      for (const std::int64_t row : keep) still_active.push_back(active[row]);
      active = std::move(still_active);
    }
  }
  return result;
}

}  // namespace

ImageBatch mean_image(const ImageBatch& images) {
  detail::require_consistent(images, "mean image");
  if (images.count < 1) throw std::invalid_argument("mean image: no images");
  ImageBatch mean{1, images.channels, images.height, images.width, {}};
  const std::int64_t per_image = images.channels * images.height * images.width;
  std::vector<double> sum(per_image, 0.0);
  for (std::int64_t n = 0; n < images.count; ++n) {
    for (std::int64_t i = 0; i < per_image; ++i) sum[i] += images.values[n * per_image + i];
  }
  mean.values.resize(per_image);
  for (std::int64_t i = 0; i < per_image; ++i) mean.values[i] = static_cast<float>(sum[i] / images.count);
  return mean;
}

AdversarialImages noise_images(const Classifier& classifier, const ImageBatch& regular, const std::vector<std::int64_t>& classes,
                               const AdversarialImageOptions& options, const std::function<void(std::size_t, std::size_t)>& progress) {
  check_options(options);
  check_inputs(classifier, regular, classes, "AN images");
  const ImageBatch mean = mean_image(regular);
  const torch::Tensor anchor = detail::to_tensor(mean, classifier.impl().device);
  // Every AN image starts from the mean image (on the 8-bit grid when quantising, so that the 8-bit steps
  // keep it there and each iteration's forward pass is also the stopping test).
  ImageBatch start = regular;
  const std::int64_t per_image = regular.channels * regular.height * regular.width;
  for (std::int64_t n = 0; n < regular.count; ++n) {
    for (std::int64_t i = 0; i < per_image; ++i) {
      const float value = mean.values[i];
      start.values[n * per_image + i] = options.quantise ? std::round(value * 255.0f) / 255.0f : value;
    }
  }
  return drive(classifier, start, anchor, classes, options, progress);
}

AdversarialImages interference_images(const Classifier& classifier, const ImageBatch& regular,
                                      const std::vector<std::int64_t>& targets, const AdversarialImageOptions& options,
                                      const std::function<void(std::size_t, std::size_t)>& progress) {
  check_options(options);
  check_inputs(classifier, regular, targets, "AI images");
  const torch::Tensor anchor = detail::to_tensor(regular, torch::kCPU);
  return drive(classifier, regular, anchor, targets, options, progress);
}

std::vector<std::int64_t> interference_targets(const std::string& rule, const std::vector<std::int64_t>& classes,
                                               const std::vector<std::string>& categories, const Eigen::MatrixXf& probabilities,
                                               std::uint64_t seed) {
  const std::size_t count = classes.size();
  auto runner_up = [&](std::size_t i) {
    if (probabilities.rows() != static_cast<Eigen::Index>(count)) {
      throw std::invalid_argument("AI targets: " + std::to_string(probabilities.rows()) + " rows of probabilities for " +
                                  std::to_string(count) + " images");
    }
    Eigen::Index best = -1;
    for (Eigen::Index c = 0; c < probabilities.cols(); ++c) {
      if (c == classes[i]) continue;
      if (best < 0 || probabilities(i, c) > probabilities(i, best)) best = c;
    }
    return static_cast<std::int64_t>(best);
  };
  std::vector<std::int64_t> targets(count);
  if (rule == "runner-up") {
    for (std::size_t i = 0; i < count; ++i) targets[i] = runner_up(i);
  } else if (rule.rfind("fixed:", 0) == 0) {
    std::int64_t fixed = -1;
    try {
      std::size_t used = 0;
      fixed = std::stoll(rule.substr(6), &used);
      if (used != rule.size() - 6) fixed = -1;
    } catch (const std::exception&) {
      fixed = -1;
    }
    if (fixed < 0) throw std::invalid_argument("AI target rule \"" + rule + "\": expected fixed:<class index>");
    for (std::size_t i = 0; i < count; ++i) targets[i] = classes[i] == fixed ? runner_up(i) : fixed;
  } else if (rule == "other-category") {
    if (categories.size() != count) {
      throw std::invalid_argument("AI targets: " + std::to_string(categories.size()) + " categories for " + std::to_string(count) + " images");
    }
    for (std::size_t i = 0; i < count; ++i) {
      std::set<std::int64_t> candidates;  // sorted: the draw does not depend on the image order
      for (std::size_t j = 0; j < count; ++j) {
        if (categories[j] != categories[i]) candidates.insert(classes[j]);
      }
      if (candidates.empty()) {
        throw std::invalid_argument("AI targets: image " + std::to_string(i) + " (category \"" + categories[i] +
                                    "\"): no class of another category in the set; use runner-up or fixed:<class>");
      }
      std::mt19937_64 generator(detail::mix_seed(detail::mix_seed(seed) + i));  // a stream per (seed, image)
      targets[i] = *std::next(candidates.begin(), static_cast<long>(generator() % candidates.size()));
    }
  } else {
    throw std::invalid_argument("AI target rule: expected other-category, runner-up or fixed:<class>, found \"" + rule + "\"");
  }
  return targets;
}

}  // namespace visalign::cnn
