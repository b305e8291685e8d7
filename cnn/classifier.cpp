#include "cnn/classifier.hpp"

#include <torch/cuda.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "cnn/torch_classifier.hpp"

namespace visalign::cnn {

namespace detail {

void require_consistent(const ImageBatch& images, const std::string& what) {
  if (images.count < 0 || images.channels < 1 || images.height < 1 || images.width < 1 ||
      images.values.size() != static_cast<std::size_t>(images.count * images.channels * images.height * images.width)) {
    throw std::invalid_argument(what + ": the image batch holds " + std::to_string(images.values.size()) +
                                " values, expected count x channels x height x width = " + std::to_string(images.count) +
                                " x " + std::to_string(images.channels) + " x " + std::to_string(images.height) + " x " +
                                std::to_string(images.width));
  }
}

torch::Tensor to_tensor(const ImageBatch& images, const torch::Device& device, std::int64_t first, std::int64_t count) {
  if (count < 0) count = images.count - first;
  const std::int64_t per_image = images.channels * images.height * images.width;
  return torch::from_blob(const_cast<float*>(images.values.data()) + first * per_image,
                          {count, images.channels, images.height, images.width}, torch::kFloat32)
      .to(device, torch::kFloat32, /*non_blocking=*/false, /*copy=*/true);
}

ImageBatch to_image_batch(const torch::Tensor& images) {
  if (images.dim() != 4) throw std::invalid_argument("to_image_batch: expected an N x C x H x W tensor");
  const torch::Tensor values = images.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  ImageBatch batch;
  batch.count = values.size(0);
  batch.channels = values.size(1);
  batch.height = values.size(2);
  batch.width = values.size(3);
  batch.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
  return batch;
}

torch::Tensor to_label_tensor(const std::vector<std::int64_t>& labels, const torch::Device& device) {
  return torch::tensor(labels, torch::kInt64).to(device);
}

torch::Device resolve_device(const std::string& device) {
  if (device == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (device == "cpu") return torch::Device(torch::kCPU);
  if (device == "cuda") {
    if (!torch::cuda::is_available()) {
      throw std::runtime_error(
          "device \"cuda\" requested, but CUDA is not available (no GPU found, or LibTorch built for the CPU only); "
          "use --device cpu or auto");
    }
    return torch::Device(torch::kCUDA);
  }
  throw std::invalid_argument("device must be \"auto\", \"cpu\" or \"cuda\", found \"" + device + "\"");
}

}  // namespace detail

Classifier::Classifier(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {
  if (!impl_ || !impl_->logits) throw std::invalid_argument("Classifier: no model");
}

std::string Classifier::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }

std::int64_t Classifier::channels() const { return impl_->channels; }

std::string Classifier::description() const { return impl_->description; }

Eigen::MatrixXf Classifier::probabilities(const ImageBatch& pixels, int batch_size) const {
  detail::require_consistent(pixels, "probabilities");
  if (batch_size < 1) throw std::invalid_argument("probabilities: batch_size must be >= 1, found " + std::to_string(batch_size));
  if (pixels.channels != impl_->channels) {
    throw std::invalid_argument("probabilities: the images have " + std::to_string(pixels.channels) +
                                " channels, the model expects " + std::to_string(impl_->channels));
  }
  torch::NoGradGuard no_grad;
  Eigen::MatrixXf result;
  for (std::int64_t start = 0; start < pixels.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, pixels.count - start);
    const torch::Tensor probabilities =
        torch::softmax(impl_->logits(detail::to_tensor(pixels, impl_->device, start, count)), 1).to(torch::kCPU).contiguous();
    if (result.size() == 0) result.resize(pixels.count, probabilities.size(1));
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    result.middleRows(start, count) = Eigen::Map<const RowMajor>(probabilities.data_ptr<float>(), count, probabilities.size(1));
  }
  return result;
}

std::vector<std::int64_t> predicted_classes(const Eigen::MatrixXf& probabilities) {
  std::vector<std::int64_t> predicted(probabilities.rows());
  for (Eigen::Index i = 0; i < probabilities.rows(); ++i) {
    Eigen::Index best = 0;
    probabilities.row(i).maxCoeff(&best);
    predicted[i] = best;
  }
  return predicted;
}

double classification_accuracy(const Classifier& classifier, const ImageBatch& pixels, const std::vector<std::int64_t>& labels,
                               int batch_size) {
  if (static_cast<std::int64_t>(labels.size()) != pixels.count) {
    throw std::invalid_argument("classification_accuracy: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(pixels.count) + " images");
  }
  if (labels.empty()) return 0.0;
  const std::vector<std::int64_t> predicted = predicted_classes(classifier.probabilities(pixels, batch_size));
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace visalign::cnn
