#pragma once
// Training a built-in Network on labelled images (Fashion-MNIST): cross-entropy with Adam or SGD,
// optionally PGD adversarial training (Madry et al. 2018). Test accuracy and time per epoch reported.
// No LibTorch here.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cnn/labelled_images.hpp"
#include "cnn/network.hpp"
#include "cnn/pgd_attack.hpp"

namespace visalign::cnn {

struct TrainingOptions {
  int epochs = 5;
  int batch_size = 64;
  double learning_rate = 1e-3;
  std::string optimizer = "adam";  // "adam" | "sgd" (with momentum)
  double momentum = 0.9;           // sgd only
  double weight_decay = 0;         // L2 penalty (the optimizers' weight_decay)
  /// Shuffling (one permutation per epoch, drawn from (seed, epoch)), dropout (the global LibTorch
  /// generator is seeded from (seed, epoch) at the start of each epoch: AlexNet's dropout draws from
  /// it) and the attack's random starts (from (seed, epoch, batch)).
  std::uint64_t seed = 0;
  /// PGD adversarial training: each batch is replaced by pgd_perturb(batch) (untargeted, toward a higher
  /// loss on the true labels), generated with the network in eval mode (no BatchNorm statistic updates),
  /// then the update is made in train mode on the adversarial batch only.
  bool adversarial = false;
  PgdOptions attack{};  // the inner attack (e.g. linf, epsilon 0.1, 7 steps, random start); its seed is not used
};

struct EpochReport {
  int epoch = 0;                 // 1-based
  double loss = 0;               // mean cross-entropy over the epoch's training batches (adversarial ones when adversarial)
  double training_accuracy = 0;  // fraction of those training images classified correctly during the epoch (before each update)
  double test_accuracy = 0;      // clean accuracy on `test` after the epoch (NaN when `test` has no images)
  double seconds = 0;            // wall-clock seconds of the epoch's training (steady clock), test evaluation not included
};

/// Trains in place (the network's device and threads; torch::set_num_threads(network.threads()) again).
/// Every batch has batch_size images except the last (a last single image joins the batch before it, as
/// BatchNorm needs two). Leaves the network in eval mode. progress(epoch, done, total) after each batch;
/// after_epoch(report) after each epoch's test evaluation (for logging or checkpoints).
/// std::invalid_argument for images whose shape is not the spec's, label counts that differ from image
/// counts, labels outside 0..classes-1, no training images, epochs < 0, batch_size < 1, learning_rate <= 0,
/// an unknown optimizer, momentum or weight_decay < 0, and (adversarial) epsilon < 0 or steps < 1.
std::vector<EpochReport> train_network(Network& network, const LabelledImages& training, const LabelledImages& test,
                                       const TrainingOptions& options,
                                       const std::function<void(int epoch, std::size_t done, std::size_t total)>& progress = {},
                                       const std::function<void(const EpochReport&)>& after_epoch = {});

}  // namespace visalign::cnn
