#pragma once
// LibTorch side of cnn::Classifier, and conversions between ImageBatch and tensors. Included by cnn
// sources only (never by apps, tests or other modules).

#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <functional>
#include <string>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::cnn {

struct Classifier::Impl {
  /// [0, 1] pixels (N x C x H x W on `device`) -> logits (N x classes). Differentiable with respect to
  /// its input; the normalisation the model expects is applied inside. The model is in eval mode.
  std::function<torch::Tensor(const torch::Tensor&)> logits;
  torch::Device device{torch::kCPU};
  std::int64_t channels = 3;
  std::string description;
};

namespace detail {

/// std::invalid_argument "<what>: ..." unless values.size() == count * channels * height * width and all are positive.
void require_consistent(const ImageBatch& images, const std::string& what);

/// images [first, first + count) as an N x C x H x W float tensor on `device` (a copy).
torch::Tensor to_tensor(const ImageBatch& images, const torch::Device& device, std::int64_t first = 0, std::int64_t count = -1);

/// An N x C x H x W tensor (any device) as an ImageBatch.
ImageBatch to_image_batch(const torch::Tensor& images);

/// Labels as an int64 tensor on `device`.
torch::Tensor to_label_tensor(const std::vector<std::int64_t>& labels, const torch::Device& device);

/// "cpu" / "cuda" / "auto" -> the device; std::runtime_error for "cuda" without CUDA, std::invalid_argument
/// for anything else. Shared by TorchScript models and built-in networks.
torch::Device resolve_device(const std::string& device);

}  // namespace detail
}  // namespace visalign::cnn
