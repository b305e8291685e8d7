#pragma once
// A differentiable image classifier on [0, 1] pixels: a TorchScript model or a built-in network
// with the input normalisation it expects. What the adversarial images, PGD attacks and adversarial
// accuracy work on. LibTorch stays in the cnn sources (cnn/torch_classifier.hpp holds the Impl).

#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cnn/image_batch.hpp"

namespace visalign::cnn {

class Classifier {
 public:
  struct Impl;  // defined in cnn/torch_classifier.hpp (LibTorch)
  explicit Classifier(std::shared_ptr<const Impl> impl);

  /// "cpu" or "cuda".
  std::string device() const;
  /// The input channels the model expects (3 for ImageNet models, 1 for Fashion-MNIST networks).
  std::int64_t channels() const;
  /// What the classifier is ("TorchScript squeezenet1_1.pt", "small CNN (blur 1.5 px)"), for provenance.
  std::string description() const;

  /// Class probabilities (softmax of the logits) of images holding [0, 1] pixels (no normalisation:
  /// the classifier applies its own), in batches of batch_size, without gradients. images x classes.
  /// std::invalid_argument for a batch whose values do not match its shape or whose channel count is
  /// not channels().
  Eigen::MatrixXf probabilities(const ImageBatch& pixels, int batch_size = 50) const;

  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

/// The predicted class (argmax of each row; the first on ties) of images x classes probabilities or logits.
std::vector<std::int64_t> predicted_classes(const Eigen::MatrixXf& probabilities);

/// The fraction of images whose predicted class is their label. std::invalid_argument if the label
/// count differs from the image count.
double classification_accuracy(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& labels,
                               int batch_size = 100);

}  // namespace visalign::cnn
