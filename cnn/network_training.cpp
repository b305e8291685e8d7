#include "cnn/network_training.hpp"

#include "cnn/torch_classifier.hpp"
#include "cnn/torch_network_architectures.hpp"
#include "cnn/torch_pgd.hpp"
#include "cnn/seed_streams.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

// Written against LibTorch 1.13 and 2.x: torch::optim::Adam/SGD with their options, torch::randperm with
// a generator, torch::cross_entropy_loss, torch::manual_seed.

namespace visalign::cnn {
namespace {

/// A stream of its own for (seed, epoch, batch).
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  return detail::mix_seed(detail::mix_seed(detail::mix_seed(seed) ^ a) ^ b);
}

void require_set(const Network::Impl& impl, const LabelledImages& set, const std::string& what) {
  if (set.images.count == 0 && set.labels.empty()) return;
  impl.require_input_shape(set.images, what);
  if (static_cast<std::int64_t>(set.labels.size()) != set.images.count) {
    throw std::invalid_argument(what + ": " + std::to_string(set.labels.size()) + " labels for " + std::to_string(set.images.count) +
                                " images");
  }
  for (std::int64_t label : set.labels) {
    if (label < 0 || label >= impl.spec.classes) {
      throw std::invalid_argument(what + ": labels must be in 0.." + std::to_string(impl.spec.classes - 1) + ", found " +
                                  std::to_string(label));
    }
  }
}

void require_options(const TrainingOptions& options) {
  if (options.epochs < 0) throw std::invalid_argument("training: epochs must be >= 0, found " + std::to_string(options.epochs));
  if (options.batch_size < 1) throw std::invalid_argument("training: batch_size must be >= 1, found " + std::to_string(options.batch_size));
  if (!(options.learning_rate > 0)) {
    throw std::invalid_argument("training: learning_rate must be positive, found " + std::to_string(options.learning_rate));
  }
  if (options.optimizer != "adam" && options.optimizer != "sgd") {
    throw std::invalid_argument("training: optimizer must be \"adam\" or \"sgd\", found \"" + options.optimizer + "\"");
  }
  if (!(options.momentum >= 0)) throw std::invalid_argument("training: momentum must be >= 0, found " + std::to_string(options.momentum));
  if (!(options.weight_decay >= 0)) {
    throw std::invalid_argument("training: weight_decay must be >= 0, found " + std::to_string(options.weight_decay));
  }
  if (options.adversarial) {
    if (!(options.attack.epsilon >= 0)) {
      throw std::invalid_argument("training: attack.epsilon must be >= 0, found " + std::to_string(options.attack.epsilon));
    }
    if (options.attack.steps < 1) {
      throw std::invalid_argument("training: attack.steps must be >= 1, found " + std::to_string(options.attack.steps));
    }
  }
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainingOptions& options, const std::vector<torch::Tensor>& parameters) {
  if (options.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(options.learning_rate).momentum(options.momentum).weight_decay(options.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(parameters,
                                              torch::optim::AdamOptions(options.learning_rate).weight_decay(options.weight_decay));
}

/// Batch boundaries: batch_size each, the remainder last; a last batch of one image joins the one before.
std::vector<std::int64_t> batch_starts(std::int64_t count, std::int64_t batch_size) {
  std::vector<std::int64_t> starts;
  for (std::int64_t start = 0; start < count; start += batch_size) starts.push_back(start);
  if (starts.size() > 1 && count - starts.back() == 1) starts.pop_back();
  starts.push_back(count);  // the end
  return starts;
}

}  // namespace

std::vector<EpochReport> train_network(Network& network, const LabelledImages& training, const LabelledImages& test,
                                       const TrainingOptions& options,
                                       const std::function<void(int epoch, std::size_t done, std::size_t total)>& progress,
                                       const std::function<void(const EpochReport&)>& after_epoch) {
  Network::Impl& impl = network.impl();
  require_options(options);
  if (training.images.count < 1) throw std::invalid_argument("training: no training images");
  require_set(impl, training, "training images");
  require_set(impl, test, "test images");
  torch::set_num_threads(impl.threads);

  detail::NetworkModel model = impl.model;
  const torch::Device device = impl.device;
  const std::int64_t count = training.images.count;
  // The training set stays where it is (CPU, no copy); each batch is gathered and moved to the device.
  const torch::Tensor all_images = torch::from_blob(const_cast<float*>(training.images.values.data()),
                                                    {count, training.images.channels, training.images.height, training.images.width},
                                                    torch::kFloat32);
  const torch::Tensor all_labels = torch::tensor(training.labels, torch::kInt64);
  const std::vector<std::int64_t> starts = batch_starts(count, options.batch_size);
  const std::size_t total = static_cast<std::size_t>(count);
  const Classifier classifier = network.classifier();
  const std::function<torch::Tensor(const torch::Tensor&)> forward = [model](const torch::Tensor& pixels) mutable {
    return model->forward(pixels);
  };

  auto optimizer = make_optimizer(options, model->parameters(true));
  std::vector<EpochReport> reports;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    EpochReport report;
    report.epoch = epoch;
    torch::manual_seed(stream_seed(options.seed, static_cast<std::uint64_t>(epoch), 1));  // dropout (AlexNet)
    at::Generator shuffle = at::detail::createCPUGenerator(stream_seed(options.seed, static_cast<std::uint64_t>(epoch), 0));
    const torch::Tensor order = torch::randperm(count, shuffle, torch::TensorOptions().dtype(torch::kInt64));
    double loss_sum = 0;
    std::int64_t correct = 0;
    const auto began = std::chrono::steady_clock::now();
    model->train();
    for (std::size_t b = 0; b + 1 < starts.size(); ++b) {
      const torch::Tensor indices = order.slice(0, starts[b], starts[b + 1]);
      const std::int64_t n = indices.size(0);
      torch::Tensor pixels = all_images.index_select(0, indices).to(device);
      const torch::Tensor labels = all_labels.index_select(0, indices).to(device);
      if (options.adversarial) {
        model->eval();  // the attack sees fixed BatchNorm statistics and no dropout, and changes nothing
        PgdOptions attack = options.attack;
        attack.targeted = false;
        pixels = detail::pgd_perturb(forward, pixels, labels, attack,
                                     stream_seed(options.seed, static_cast<std::uint64_t>(epoch), 2 + b));
        model->train();
      }
      optimizer->zero_grad();
      const torch::Tensor logits = model->forward(pixels);
      const torch::Tensor loss = torch::cross_entropy_loss(logits, labels);
      loss.backward();
      optimizer->step();
      loss_sum += loss.item<double>() * static_cast<double>(n);
      correct += logits.detach().argmax(1).eq(labels).sum().item<std::int64_t>();
      if (progress) progress(epoch, static_cast<std::size_t>(starts[b + 1]), total);
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    model->eval();
    report.loss = loss_sum / static_cast<double>(count);
    report.training_accuracy = static_cast<double>(correct) / static_cast<double>(count);
    report.test_accuracy = test.images.count > 0 ? classification_accuracy(classifier, test.images, test.labels)
                                                 : std::numeric_limits<double>::quiet_NaN();
    reports.push_back(report);
    if (after_epoch) after_epoch(report);
  }
  model->eval();
  return reports;
}

}  // namespace visalign::cnn
