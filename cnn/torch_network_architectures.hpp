#pragma once
// LibTorch side of cnn::Network: the architectures (torch::nn modules with torchvision's names), the
// fixed front ends, the input normalisation and the whole model. Included by cnn sources only.

#include <torch/nn.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cnn/network.hpp"
#include "cnn/torch_v1_model.hpp"

namespace visalign::cnn {
namespace detail {

/// Called with each named layer's output during a forward pass that reads activations.
using LayerTap = std::function<void(const std::string& name, const torch::Tensor& output)>;

/// The network proper: [normalised] images -> logits. Its parameters and buffers carry torchvision's names.
struct ArchitectureModule : torch::nn::Module {
  torch::Tensor forward(torch::Tensor x) { return forward_layers(std::move(x), {}); }
  /// The forward pass, handing every layer's output to `tap` (when set) under the names of Network::layers().
  virtual torch::Tensor forward_layers(torch::Tensor x, const LayerTap& tap) = 0;
  /// Re-draws every parameter from `generator` (CPU), as PyTorch / torchvision initialise them.
  virtual void initialise(at::Generator& generator) = 0;
};

/// Seed 002's CNN: conv1 5x5 -> ReLU -> max-pool 2 -> conv2 5x5 -> ReLU -> max-pool 2 -> [fc1 -> ReLU] -> fc2 | fc.
struct SmallCnnImpl : ArchitectureModule {
  SmallCnnImpl(std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t classes,
               const std::vector<std::int64_t>& widths);
  torch::Tensor forward_layers(torch::Tensor x, const LayerTap& tap) override;
  void initialise(at::Generator& generator) override;

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc{nullptr};  // fc1 + fc2, or fc alone
};

/// torchvision.models.AlexNet (0.14).
struct AlexNetImpl : ArchitectureModule {
  AlexNetImpl(std::int64_t channels, std::int64_t classes);
  torch::Tensor forward_layers(torch::Tensor x, const LayerTap& tap) override;
  void initialise(at::Generator& generator) override;

  torch::nn::Sequential features{nullptr}, classifier{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
};

/// torchvision.models.resnet.BasicBlock.
struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(std::int64_t in_planes, std::int64_t planes, std::int64_t stride);
  torch::Tensor forward(torch::Tensor x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // conv 1x1 + BatchNorm when the shape changes
};
TORCH_MODULE(BasicBlock);

/// torchvision.models.resnet18 (0.14).
struct ResNet18Impl : ArchitectureModule {
  ResNet18Impl(std::int64_t channels, std::int64_t classes);
  torch::Tensor forward_layers(torch::Tensor x, const LayerTap& tap) override;
  void initialise(at::Generator& generator) override;

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::MaxPool2d maxpool{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Linear fc{nullptr};
};

/// The fixed front end (buffers only): identity, separable Gaussian blur, PCA projection, or the V1 population's
/// Gabor convolution (child "v1", its buffer "kernels").
struct FrontEndModuleImpl : torch::nn::Module {
  /// Buffers sized for `spec` (blur kernel computed; PCA mean and basis zero until fitted or loaded).
  explicit FrontEndModuleImpl(const NetworkSpec& spec);
  torch::Tensor forward(torch::Tensor pixels);
  /// The PCA mean and first K principal axes of the images (N x C x H x W on the CPU), in double.
  void fit_pca(const torch::Tensor& images);

  std::string kind;
  std::int64_t radius = 0;
  torch::Tensor blur_kernel;  // 2 radius + 1 weights (blur)
  torch::Tensor pca_mean;     // D (pca)
  torch::Tensor pca_basis;    // D x K, orthonormal columns (pca)
  V1FrontEnd v1{nullptr};     // (v1)
};
TORCH_MODULE(FrontEndModule);

/// pixels -> front end -> (x - mean) / std -> architecture. Children: "front_end", "body"; buffers
/// "input_mean", "input_std" when normalising.
struct NetworkModelImpl : torch::nn::Module {
  explicit NetworkModelImpl(const NetworkSpec& spec);
  torch::Tensor forward(torch::Tensor pixels);
  /// forward() handing the front end's output ("front_end", when there is one) and every layer of the body to `tap`.
  torch::Tensor forward_layers(torch::Tensor pixels, const LayerTap& tap);
  torch::Tensor normalise(torch::Tensor x) const;

  FrontEndModule front_end{nullptr};
  std::shared_ptr<ArchitectureModule> body;
  torch::Tensor input_mean, input_std;  // 1 x C x 1 x 1, undefined without normalisation
};
TORCH_MODULE(NetworkModel);

/// The architecture for a validated spec, taking the front end's output (front_end_channels(spec) channels).
std::shared_ptr<ArchitectureModule> make_architecture(const NetworkSpec& spec);

}  // namespace detail

struct Network::Impl {
  NetworkSpec spec;
  torch::Device device{torch::kCPU};
  int threads = 1;
  detail::NetworkModel model{nullptr};  // shared with the classifiers handed out

  /// std::invalid_argument "<what>: ..." unless the batch is consistent and channels x height x width match the spec.
  void require_input_shape(const ImageBatch& pixels, const std::string& what) const;
};

}  // namespace visalign::cnn
