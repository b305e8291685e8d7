// The built-in architectures (torchvision names and layouts), the fixed front ends and the whole model.

#include "cnn/torch_network_architectures.hpp"

#include <torch/linalg.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

// Written against LibTorch 1.13 and 2.x: torch::nn modules and their options, Tensor methods,
// torch::nn::functional::conv2d and pad and torch::linalg::eigh only.

namespace visalign::cnn::detail {
namespace {

namespace F = torch::nn::functional;

/// PyTorch's default Conv2d / Linear initialisation (kaiming_uniform_ with a = sqrt(5): bound
/// 1 / sqrt(fan_in); bias uniform in +-1 / sqrt(fan_in)), drawn from `generator`.
void default_initialise(torch::Tensor& weight, torch::Tensor& bias, at::Generator& generator) {
  const std::int64_t fan_in = weight.numel() / weight.size(0);
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  weight.uniform_(-bound, bound, generator);
  if (bias.defined()) bias.uniform_(-bound, bound, generator);
}

/// Every Conv2d and Linear of the module (registration order) with PyTorch's defaults; BatchNorm 1 / 0.
/// resnet_convolutions: convolutions as torchvision's ResNet (kaiming_normal_, fan_out, ReLU: std sqrt(2 / fan_out)).
void initialise_modules(torch::nn::Module& module, at::Generator& generator, bool resnet_convolutions) {
  torch::NoGradGuard no_grad;
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (auto* conv = dynamic_cast<torch::nn::Conv2dImpl*>(child.get())) {
      if (resnet_convolutions) {
        const std::int64_t fan_out = conv->weight.size(0) * conv->weight.size(2) * conv->weight.size(3);
        conv->weight.normal_(0.0, std::sqrt(2.0 / static_cast<double>(fan_out)), generator);
        if (conv->bias.defined()) conv->bias.zero_();
      } else {
        default_initialise(conv->weight, conv->bias, generator);
      }
    } else if (auto* linear = dynamic_cast<torch::nn::LinearImpl*>(child.get())) {
      default_initialise(linear->weight, linear->bias, generator);
    } else if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(child.get())) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

/// Output size of a convolution / pooling along one axis (floor mode).
std::int64_t output_size(std::int64_t size, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  const std::int64_t span = size + 2 * padding - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

torch::nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                       bool bias) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias));
}

// A sequential container child by child, each child's output handed to `tap` as "<prefix>.<index>".
torch::Tensor forward_sequential(torch::nn::Sequential& sequence, const std::string& prefix, torch::Tensor x, const LayerTap& tap) {
  if (!tap) return sequence->forward(x);
  std::size_t index = 0;
  for (auto& child : *sequence) {
    x = child.forward(x);
    tap(prefix + "." + std::to_string(index++), x);
  }
  return x;
}

}  // namespace

// ---- small CNN ------------------------------------------------------------------------------------

SmallCnnImpl::SmallCnnImpl(std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t classes,
                           const std::vector<std::int64_t>& widths) {
  const std::int64_t h = output_size(output_size(output_size(height, 5, 1, 0), 2, 2, 0) - 4, 2, 2, 0);
  const std::int64_t w = output_size(output_size(output_size(width, 5, 1, 0), 2, 2, 0) - 4, 2, 2, 0);
  conv1 = register_module("conv1", conv(channels, widths.at(0), 5, 1, 0, true));
  conv2 = register_module("conv2", conv(widths.at(0), widths.at(1), 5, 1, 0, true));
  const std::int64_t features = widths.at(1) * h * w;
  if (widths.at(2) > 0) {
    fc1 = register_module("fc1", torch::nn::Linear(features, widths.at(2)));
    fc2 = register_module("fc2", torch::nn::Linear(widths.at(2), classes));
  } else {
    fc = register_module("fc", torch::nn::Linear(features, classes));
  }
}

torch::Tensor SmallCnnImpl::forward_layers(torch::Tensor x, const LayerTap& tap) {
  const auto step = [&tap](const char* name, torch::Tensor output) {
    if (tap) tap(name, output);
    return output;
  };
  x = step("pool1", torch::max_pool2d(step("relu1", torch::relu(step("conv1", conv1->forward(x)))), 2, 2));
  x = step("pool2", torch::max_pool2d(step("relu2", torch::relu(step("conv2", conv2->forward(x)))), 2, 2));
  x = x.flatten(1);
  if (fc) return step("fc", fc->forward(x));
  return step("fc2", fc2->forward(step("relu3", torch::relu(step("fc1", fc1->forward(x))))));
}

void SmallCnnImpl::initialise(at::Generator& generator) { initialise_modules(*this, generator, false); }

// ---- AlexNet --------------------------------------------------------------------------------------

AlexNetImpl::AlexNetImpl(std::int64_t channels, std::int64_t classes) {
  using torch::nn::Dropout;
  using torch::nn::Linear;
  using torch::nn::MaxPool2d;
  using torch::nn::MaxPool2dOptions;
  using torch::nn::ReLU;
  features = register_module(
      "features", torch::nn::Sequential(conv(channels, 64, 11, 4, 2, true), ReLU(), MaxPool2d(MaxPool2dOptions(3).stride(2)),
                                        conv(64, 192, 5, 1, 2, true), ReLU(), MaxPool2d(MaxPool2dOptions(3).stride(2)),
                                        conv(192, 384, 3, 1, 1, true), ReLU(), conv(384, 256, 3, 1, 1, true), ReLU(),
                                        conv(256, 256, 3, 1, 1, true), ReLU(), MaxPool2d(MaxPool2dOptions(3).stride(2))));
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({6, 6})));
  classifier = register_module("classifier",
                               torch::nn::Sequential(Dropout(0.5), Linear(256 * 6 * 6, 4096), ReLU(), Dropout(0.5),
                                                     Linear(4096, 4096), ReLU(), Linear(4096, classes)));
}

torch::Tensor AlexNetImpl::forward_layers(torch::Tensor x, const LayerTap& tap) {
  x = forward_sequential(features, "features", x, tap);
  x = avgpool->forward(x);
  if (tap) tap("avgpool", x);
  return forward_sequential(classifier, "classifier", x.flatten(1), tap);
}

void AlexNetImpl::initialise(at::Generator& generator) { initialise_modules(*this, generator, false); }

// ---- ResNet-18 ------------------------------------------------------------------------------------

BasicBlockImpl::BasicBlockImpl(std::int64_t in_planes, std::int64_t planes, std::int64_t stride) {
  // Registration order as torchvision: conv1, bn1, (relu), conv2, bn2, downsample.
  conv1 = register_module("conv1", conv(in_planes, planes, 3, stride, 1, false));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1, false));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
  if (stride != 1 || in_planes != planes) {
    downsample = register_module("downsample",
                                 torch::nn::Sequential(conv(in_planes, planes, 1, stride, 0, false), torch::nn::BatchNorm2d(planes)));
  }
}

torch::Tensor BasicBlockImpl::forward(torch::Tensor x) {
  torch::Tensor out = torch::relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  out = out + (downsample ? downsample->forward(x) : x);
  return torch::relu(out);
}

ResNet18Impl::ResNet18Impl(std::int64_t channels, std::int64_t classes) {
  conv1 = register_module("conv1", conv(channels, 64, 7, 2, 3, false));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
  maxpool = register_module("maxpool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
  std::int64_t in_planes = 64;
  auto make_layer = [&](const std::string& name, std::int64_t planes, std::int64_t stride) {
    torch::nn::Sequential layer(BasicBlock(in_planes, planes, stride), BasicBlock(planes, planes, 1));
    in_planes = planes;
    return register_module(name, layer);
  };
  layer1 = make_layer("layer1", 64, 1);
  layer2 = make_layer("layer2", 128, 2);
  layer3 = make_layer("layer3", 256, 2);
  layer4 = make_layer("layer4", 512, 2);
  avgpool = register_module("avgpool", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})));
  fc = register_module("fc", torch::nn::Linear(512, classes));
}

torch::Tensor ResNet18Impl::forward_layers(torch::Tensor x, const LayerTap& tap) {
  const auto step = [&tap](const char* name, torch::Tensor output) {
    if (tap) tap(name, output);
    return output;
  };
  x = step("maxpool", maxpool->forward(step("relu", torch::relu(step("bn1", bn1->forward(step("conv1", conv1->forward(x))))))));
  x = step("layer1", layer1->forward(x));
  x = step("layer2", layer2->forward(x));
  x = step("layer3", layer3->forward(x));
  x = step("layer4", layer4->forward(x));
  return step("fc", fc->forward(step("avgpool", avgpool->forward(x)).flatten(1)));
}

void ResNet18Impl::initialise(at::Generator& generator) { initialise_modules(*this, generator, true); }

std::shared_ptr<ArchitectureModule> make_architecture(const NetworkSpec& spec) {
  const std::int64_t channels = front_end_channels(spec);
  if (spec.architecture == "small") {
    return std::make_shared<SmallCnnImpl>(channels, spec.height, spec.width, spec.classes, spec.small_widths);
  }
  if (spec.architecture == "alexnet") return std::make_shared<AlexNetImpl>(channels, spec.classes);
  if (spec.architecture == "resnet18") return std::make_shared<ResNet18Impl>(channels, spec.classes);
  throw std::invalid_argument("architecture must be \"small\", \"alexnet\" or \"resnet18\", found \"" + spec.architecture + "\"");
}

// ---- front ends -----------------------------------------------------------------------------------

FrontEndModuleImpl::FrontEndModuleImpl(const NetworkSpec& spec) : kind(spec.front_end.kind) {
  if (kind == "blur") {
    // scipy.ndimage's kernel: radius int(truncate * sigma + 0.5) with truncate 4, exp(-x^2 / (2 sigma^2)) / sum.
    const double sigma = spec.front_end.blur_sigma;
    radius = static_cast<std::int64_t>(4.0 * sigma + 0.5);
    const torch::Tensor offsets = torch::arange(-radius, radius + 1, torch::kFloat64);
    torch::Tensor weights = torch::exp(offsets.square() * (-0.5 / (sigma * sigma)));
    blur_kernel = register_buffer("blur_kernel", (weights / weights.sum()).to(torch::kFloat32));
  } else if (kind == "pca") {
    const std::int64_t dimension = spec.channels * spec.height * spec.width;
    pca_mean = register_buffer("pca_mean", torch::zeros({dimension}, torch::kFloat32));
    pca_basis = register_buffer("pca_basis", torch::zeros({dimension, spec.front_end.pca_components}, torch::kFloat32));
  } else if (kind == "v1") {
    // Stride 1 and automatic kernels: a response at every pixel, as the population would give with its RF there.
    v1 = register_module("v1", V1FrontEnd(spec.front_end.v1, /*stride=*/1, /*kernel_size=*/0));
  }
}

torch::Tensor FrontEndModuleImpl::forward(torch::Tensor pixels) {
  if (kind == "blur") {
    const std::int64_t channels = pixels.size(1);
    const std::int64_t taps = 2 * radius + 1;
    torch::Tensor x = F::pad(pixels, F::PadFuncOptions({radius, radius, radius, radius}).mode(torch::kReplicate));
    const torch::Tensor kernel = blur_kernel.to(pixels.dtype());
    x = F::conv2d(x, kernel.reshape({1, 1, 1, taps}).repeat({channels, 1, 1, 1}), F::Conv2dFuncOptions().groups(channels));
    return F::conv2d(x, kernel.reshape({1, 1, taps, 1}).repeat({channels, 1, 1, 1}), F::Conv2dFuncOptions().groups(channels));
  }
  if (kind == "v1") return v1->forward(pixels);
  if (kind == "pca") {
    const torch::Tensor flat = pixels.reshape({pixels.size(0), -1}) - pca_mean;
    return (flat.matmul(pca_basis).matmul(pca_basis.t()) + pca_mean).reshape(pixels.sizes());
  }
  return pixels;
}

void FrontEndModuleImpl::fit_pca(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const std::int64_t count = images.size(0);
  const std::int64_t dimension = pca_mean.size(0);
  const std::int64_t components = pca_basis.size(1);
  const torch::Tensor flat = images.reshape({count, dimension});
  constexpr std::int64_t chunk = 4096;
  // Mean, then the centred scatter matrix, in double and in chunks (60000 x 784 doubles need not exist at once).
  torch::Tensor mean = torch::zeros({dimension}, torch::kFloat64);
  for (std::int64_t start = 0; start < count; start += chunk) {
    mean += flat.slice(0, start, std::min(count, start + chunk)).to(torch::kFloat64).sum(0);
  }
  mean /= static_cast<double>(count);
  torch::Tensor scatter = torch::zeros({dimension, dimension}, torch::kFloat64);
  for (std::int64_t start = 0; start < count; start += chunk) {
    const torch::Tensor centred = flat.slice(0, start, std::min(count, start + chunk)).to(torch::kFloat64) - mean;
    scatter += centred.t().matmul(centred);
  }
  // Eigenvalues ascending: the last K columns, largest first; each axis's largest-magnitude entry positive.
  const auto decomposition = torch::linalg::eigh(scatter, "L");
  torch::Tensor axes = std::get<1>(decomposition).slice(1, dimension - components, dimension).flip({1});
  const torch::Tensor largest = axes.abs().argmax(0);
  const torch::Tensor signs = axes.gather(0, largest.unsqueeze(0)).sign();
  axes = axes * torch::where(signs == 0, torch::ones_like(signs), signs);
  pca_mean.copy_(mean.to(torch::kFloat32));
  pca_basis.copy_(axes.to(torch::kFloat32));
}

// ---- the whole model ------------------------------------------------------------------------------

NetworkModelImpl::NetworkModelImpl(const NetworkSpec& spec) {
  front_end = register_module("front_end", FrontEndModule(spec));
  if (!spec.mean.empty()) {
    const auto channels = static_cast<std::int64_t>(spec.mean.size());
    input_mean = register_buffer("input_mean", torch::tensor(spec.mean, torch::kFloat32).reshape({1, channels, 1, 1}));
    input_std = register_buffer("input_std", torch::tensor(spec.std, torch::kFloat32).reshape({1, channels, 1, 1}));
  }
  body = register_module("body", make_architecture(spec));
}

torch::Tensor NetworkModelImpl::normalise(torch::Tensor x) const {
  return input_mean.defined() ? (x - input_mean) / input_std : x;
}

torch::Tensor NetworkModelImpl::forward(torch::Tensor pixels) { return body->forward(normalise(front_end->forward(pixels))); }

torch::Tensor NetworkModelImpl::forward_layers(torch::Tensor pixels, const LayerTap& tap) {
  torch::Tensor x = front_end->forward(pixels);
  if (tap && front_end->kind != "none") tap("front_end", x);
  return body->forward_layers(normalise(x), tap);
}

}  // namespace visalign::cnn::detail
