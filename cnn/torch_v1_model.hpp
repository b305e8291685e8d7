#pragma once
// LibTorch side of cnn::V1Model: the Gabor filter bank (evaluated on the whole image for the population,
// or on a small window for the convolutional front end of cnn::Network), the simple/complex nonlinearity
// both share, and the front-end module. Included by cnn sources only.

#include <torch/nn.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "cnn/v1_model.hpp"

namespace visalign::cnn {
namespace detail {

/// Where Gabors are evaluated: height x width pixels of degrees_per_pixel, the origin at the grid's centre
/// (pixel centres at x = (j + 0.5 - width / 2) d, y = -(i + 0.5 - height / 2) d, y up; see v1_model.hpp).
struct GaborGrid {
  std::int64_t height = 0, width = 0;
  double degrees_per_pixel = 0;
};

/// The linear filters of the population on `grid`, each scaled so that its response (a complex cell's
/// pair: their energy) to a full-contrast grating 0.5 cos(...) at its own frequency and orientation and best
/// phase is 1. Rows: the simple cells, then every complex cell's phase-0 member, then its phase-90 member:
/// (simple + 2 complex) x (height * width), float32, CPU (computed in double). at_rf_positions false: every
/// Gabor centred on the grid (the convolution kernels), true: at its neuron's x_deg, y_deg.
torch::Tensor gabor_filter_bank(const std::vector<V1Neuron>& neurons, const GaborGrid& grid, bool at_rf_positions);

/// Linear responses (N x (simple + 2 complex) x ...) -> N x (simple + complex) x ...: the simple cells
/// half-rectified, each complex cell the root of the summed squares of its pair.
torch::Tensor simple_and_complex_responses(const torch::Tensor& linear, std::int64_t simple_cells, std::int64_t complex_cells);

/// The side of the front end's square kernels: `requested` when > 0 (must be odd), else the smallest odd
/// size that covers +-3 sigma of the widest envelope, capped at the smallest odd size >= the image
/// (a wider kernel would only see padding). std::invalid_argument for an even or negative request.
std::int64_t v1_kernel_size(const std::vector<V1Neuron>& neurons, const V1ModelSpec& spec, std::int64_t requested);

/// The population as a fixed convolutional stage: [0, 1] pixels N x C x H x W (grey = mean of the
/// channels, minus 0.5, zero padded, i.e. mid-grey beyond the border) -> N x (simple + complex) x
/// ceil(H / stride) x ceil(W / stride): every Gabor at every output position, the gains of
/// gabor_filter_bank on the kernel window, no baseline, no rate scale, no noise (a response of 1 is an
/// optimal full-contrast grating). The kernels are a buffer ("kernels"), so a checkpoint carries them.
struct V1FrontEndImpl : torch::nn::Module {
  /// Kernels drawn from spec (its image_size must be the network's input size) and kernel_size (0: auto).
  V1FrontEndImpl(const V1ModelSpec& spec, std::int64_t stride, std::int64_t kernel_size);
  torch::Tensor forward(torch::Tensor pixels);

  std::int64_t simple_cells = 0, complex_cells = 0, stride = 1, padding = 0;
  torch::Tensor kernels;  // (simple + 2 complex) x 1 x k x k
};
TORCH_MODULE(V1FrontEnd);

}  // namespace detail

struct V1Model::Impl {
  V1ModelSpec spec;
  std::vector<V1Neuron> neurons;
  std::int64_t simple_cells = 0, complex_cells = 0;
  torch::Device device{torch::kCPU};
  int threads = 1;
  torch::Tensor bank;  // (simple + 2 complex) x (image_size^2) on the device, gains included
};

}  // namespace visalign::cnn
