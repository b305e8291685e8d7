#pragma once
// Built-in networks trained here (LibTorch torch::nn, kept in cnn/network*.cpp): the seed's small CNN
// for 28 x 28 images (Borji & Lin, seed 002), torchvision's AlexNet and ResNet-18 layouts (same module
// names, so torchvision weights come in by name from a scripted model), each behind an optional fixed
// front end (seed 003: Gaussian blur, or projection on the first K principal components of the
// training images; or a simulated V1 population as a fixed Gabor convolution, VOneNet style) and an input
// normalisation. Checkpoints, parameters by name, a Classifier view.
// No LibTorch here (cnn/torch_network_architectures.hpp holds the Impl).

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/layer_info.hpp"
#include "cnn/v1_model.hpp"

namespace visalign::cnn {

/// A fixed (not trained) transformation of the [0, 1] pixels before the normalisation and the network.
struct FrontEnd {
  /// "none"; "blur": a Gaussian of blur_sigma pixels over height and width of each channel (kernel
  /// truncated at radius int(4 sigma + 0.5) and normalised to sum 1, separable; the edge pixel repeated
  /// beyond the border: scipy.ndimage.gaussian_filter(mode="nearest", truncate=4)); "pca": x -> mean +
  /// V_K V_K^T (x - mean) on the channels x height x width vector, with the mean and the first K
  /// principal axes (covariance eigenvectors, largest eigenvalues) of the training images, reshaped back
  /// to an image (seed 003's PCA model, centred); "v1": the V1 population that `v1` draws (cnn/v1_model.hpp)
  /// as a fixed convolutional stage, VOneNet style (Dapello et al. 2020): every Gabor at every pixel
  /// (stride 1, zero padding of the grey image minus 0.5, i.e. mid-grey beyond the border, so the output
  /// keeps height x width), simple cells half-rectified, complex cells the energy of their quadrature pair,
  /// a response of 1 for a full-contrast grating of the cell's own frequency and orientation (best phase).
  /// Its output has v1.simple_cells + v1.complex_cells channels (simple first), which the network then
  /// takes. The kernels are buffers, not parameters: never trained, saved in the checkpoint. No noise (unlike
  /// VOneNet's training-time Poisson-like noise): the front end is the same in training, evaluation and
  /// attacks. v1.image_size must equal the network's height and width (square images); v1.field_of_view is
  /// the degrees those pixels span (METHODS' 35 px per degree: 0.8 degrees for Fashion-MNIST's 28 px); the
  /// kernels are the smallest odd size covering +-3 sigma of the widest envelope, at most the image's size
  /// (rounded up to odd). rf_jitter, peak_rate and baseline_rate do not apply (every kernel is centred, no
  /// rates).
  std::string kind = "none";
  double blur_sigma = 1.0;
  int pca_components = 0;
  V1ModelSpec v1;
};

struct NetworkSpec {
  /// "small": conv1 (5x5) -> ReLU -> max-pool 2 -> conv2 (5x5) -> ReLU -> max-pool 2 -> fc1 -> ReLU -> fc2,
  ///          no padding (seed 002, supplement Fig. 10; 28 x 28 -> 24 -> 12 -> 8 -> 4);
  /// "alexnet": torchvision's layout (features.0 ... features.12, avgpool to 6 x 6, classifier.0 ...
  ///          classifier.6 with dropout 0.5), at least 63 x 63 pixels;
  /// "resnet18": torchvision's layout (conv1, bn1, maxpool, layer1..4 of BasicBlocks with conv1/bn1/
  ///          conv2/bn2/downsample.0/1, avgpool, fc).
  std::string architecture = "small";
  std::int64_t channels = 1, height = 28, width = 28, classes = 10;
  /// The small CNN's widths: conv1 channels, conv2 channels, fc1 units (the seed's 20, 50, 500). fc1 units
  /// 0: no hidden layer, a single linear layer named "fc". Ignored by the other architectures.
  std::vector<std::int64_t> small_widths{20, 50, 500};
  FrontEnd front_end;
  /// (x - mean[c]) / std[c] per channel after the front end (empty: none); one value per channel of the
  /// front end's output (front_end_channels).
  std::vector<float> mean, std;
};

/// std::invalid_argument naming the field, the expected and the found value, for an unknown architecture
/// or front end, non-positive sizes, an input too small for the architecture, mean/std of the wrong length
/// or a non-positive std, blur_sigma <= 0, pca_components outside 1..channels*height*width, and for the V1
/// front end non-square images, v1.image_size other than their size or an invalid v1 spec.
void validate_network_spec(const NetworkSpec& spec);

/// Channels of the front end's output, which the network proper takes: v1.simple_cells + v1.complex_cells for
/// the V1 front end, else spec.channels.
std::int64_t front_end_channels(const NetworkSpec& spec);

/// A parameter or buffer of the network proper (not of the front end or the normalisation), by its
/// torchvision-style name ("features.0.weight", "layer1.0.bn1.running_mean").
struct NetworkTensorInfo {
  std::string name;
  std::vector<std::int64_t> shape;
  bool trainable = true;  // false for buffers (BatchNorm running statistics, num_batches_tracked)
};

/// Not for concurrent calls on one object. Moving is cheap; a moved-from Network may only be destroyed
/// or assigned to.
class Network {
 public:
  /// Fresh weights from `seed` (deterministic, drawn on the CPU whatever the device: PyTorch's default
  /// initialisation for the small CNN and AlexNet, torchvision's for ResNet-18 (Kaiming normal, fan out)).
  /// The PCA front end is fitted on front_end_images (required for "pca": channels x height x width of
  /// the spec). device: "auto" | "cpu" | "cuda"; threads: torch::set_num_threads (process wide).
  /// std::invalid_argument for a wrong spec, threads < 1, missing or mismatched front-end images.
  static Network create(const NetworkSpec& spec, std::uint64_t seed, const std::string& device = "auto", int threads = 1,
                        const ImageBatch* front_end_images = nullptr);

  /// A checkpoint written by save(). std::runtime_error "<file>: ..." for a missing file or one that is
  /// not a visalign network checkpoint.
  static Network load(const std::filesystem::path& checkpoint, const std::string& device = "auto", int threads = 1);

  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  /// One LibTorch archive (torch::serialize): the format tag, the spec as fields, the network's
  /// parameters and buffers, the front end (blur kernel, PCA mean and basis). Written to a temporary name
  /// in the same folder, then renamed. std::runtime_error "<file>: ..." when writing fails.
  void save(const std::filesystem::path& checkpoint) const;

  /// Copies parameters and buffers by name from a TorchScript file (a scripted torchvision AlexNet /
  /// ResNet-18 has the same names). Every parameter and buffer of the network must be there with the
  /// same shape (num_batches_tracked may be absent), else std::invalid_argument listing the missing and
  /// mismatched names; nothing is changed then. Names in the file that the network lacks are ignored.
  /// std::runtime_error "<file>: ..." for a missing or non-TorchScript file.
  void load_parameters(const std::filesystem::path& torchscript_file);

  const NetworkSpec& spec() const;
  /// "cpu" or "cuda".
  std::string device() const;
  int threads() const;
  /// Trainable parameters of the network (the front end has none: its kernels, basis, mean are buffers).
  std::int64_t parameter_count() const;
  /// "small CNN, blur front end (sigma 1.5 px), 10 classes".
  std::string description() const;

  /// The network on [0, 1] pixels (front end, normalisation, network), in eval mode; shares the weights,
  /// so later training is visible. Its logits check the image size (std::invalid_argument).
  Classifier classifier() const;

  /// Logits (images x classes) in eval mode, without gradients, in batches. std::invalid_argument for a
  /// batch whose shape differs from the spec's channels x height x width.
  Eigen::MatrixXf logits(const ImageBatch& pixels, int batch_size = 100) const;

  /// The images after the front end (before the normalisation): the same shape, except the V1 front end's
  /// front_end_channels(spec) channels.
  ImageBatch front_end_output(const ImageBatch& pixels, int batch_size = 100) const;

  /// The layers whose activations can be read, in network order, with one image's output shape:
  /// "front_end" (when there is one: its output before the normalisation), then the architecture's
  /// layers by torchvision's names (small CNN: conv1, relu1, pool1, conv2, relu2, pool2, fc1, relu3,
  /// fc2 (or fc); AlexNet: features.0-12, avgpool, classifier.0-6; ResNet-18: conv1, bn1, relu, maxpool,
  /// layer1-4, avgpool, fc). The last one is the logits.
  std::vector<LayerInfo> layers() const;
  /// Activations of the named layers (each images x units, C order within an image), eval mode, no
  /// gradients, in batches; progress(done, total) over the images. std::invalid_argument for an unknown
  /// layer (listing the layers) or images of the wrong shape.
  std::vector<Eigen::MatrixXf> activations(const ImageBatch& pixels, const std::vector<std::string>& layer_names,
                                           int batch_size = 100,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {}) const;

  /// Parameters (in registration order, which is torchvision's) then buffers of the network proper.
  std::vector<NetworkTensorInfo> tensors() const;
  /// The values of a parameter or buffer (C order, as float). std::invalid_argument for an unknown name.
  std::vector<float> tensor_values(const std::string& name) const;
  /// Overwrites a parameter or buffer (C order). std::invalid_argument for an unknown name or a wrong count.
  void set_tensor_values(const std::string& name, const std::vector<float>& values);

  struct Impl;  // cnn/torch_network_architectures.hpp
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
  explicit Network(std::unique_ptr<Impl> impl);
};

}  // namespace visalign::cnn
