#include "cnn/network.hpp"

#include "cnn/torch_classifier.hpp"
#include "cnn/torch_network_architectures.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/script.h>
#include <torch/serialize.h>
#include <torch/version.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

// Written against LibTorch 1.13 and 2.x: torch::serialize archives (write/read of IValues, tensors and
// nested archives), torch::jit::load and Module::named_parameters/named_buffers, at::detail::createCPUGenerator.

namespace visalign::cnn {
namespace {

constexpr std::int64_t checkpoint_format = 1;
constexpr const char* format_key = "visalign_network_format";
constexpr std::int64_t largest_pca_dimension = 16384;  // the covariance is dimension^2 doubles

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::ostringstream text;
  text << '[';
  for (std::size_t d = 0; d < shape.size(); ++d) text << (d ? ", " : "") << shape[d];
  text << ']';
  return text.str();
}

std::vector<std::int64_t> shape_of(const torch::Tensor& tensor) { return tensor.sizes().vec(); }

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

/// Output size along one axis of a convolution / pooling (floor mode); <= 0 when the input is too small.
std::int64_t output_size(std::int64_t size, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  const std::int64_t span = size + 2 * padding - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

/// The spatial size after the small CNN's two conv + pool blocks, and after AlexNet's features.
std::int64_t small_cnn_final_size(std::int64_t size) {
  const std::int64_t pooled = output_size(output_size(size, 5, 1, 0), 2, 2, 0);
  return output_size(output_size(pooled, 5, 1, 0), 2, 2, 0);
}

std::int64_t alexnet_final_size(std::int64_t size) {
  std::int64_t n = output_size(size, 11, 4, 2);
  n = output_size(n, 3, 2, 0);
  n = output_size(n, 5, 1, 2);
  n = output_size(n, 3, 2, 0);
  return output_size(n, 3, 2, 0);  // the three 3x3 convolutions keep the size
}

std::string architecture_name(const NetworkSpec& spec) {
  if (spec.architecture == "alexnet") return "AlexNet";
  if (spec.architecture == "resnet18") return "ResNet-18";
  const NetworkSpec defaults;
  if (spec.small_widths == defaults.small_widths) return "small CNN";
  return "small CNN (widths " + std::to_string(spec.small_widths.at(0)) + ", " + std::to_string(spec.small_widths.at(1)) + ", " +
         std::to_string(spec.small_widths.at(2)) + ")";
}

/// A fresh model for a validated spec, on the CPU.
detail::NetworkModel make_model(const NetworkSpec& spec) { return detail::NetworkModel(spec); }

/// name -> tensor of the network proper's parameters and buffers.
std::map<std::string, torch::Tensor> body_tensors(const detail::NetworkModel& model) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : model->body->named_parameters(true)) tensors.emplace(item.key(), item.value());
  for (const auto& item : model->body->named_buffers(true)) tensors.emplace(item.key(), item.value());
  return tensors;
}

/// Every tensor of the whole model (front end, normalisation, network) with its shape.
std::map<std::string, std::vector<std::int64_t>> model_shapes(const detail::NetworkModel& model) {
  std::map<std::string, std::vector<std::int64_t>> shapes;
  for (const auto& item : model->named_parameters(true)) shapes.emplace(item.key(), shape_of(item.value()));
  for (const auto& item : model->named_buffers(true)) shapes.emplace(item.key(), shape_of(item.value()));
  return shapes;
}

// Checkpoint fields (one archive entry each: the keys may hold no dots).
void write_spec(torch::serialize::OutputArchive& archive, const NetworkSpec& spec) {
  archive.write(format_key, c10::IValue(checkpoint_format));
  archive.write("spec_architecture", c10::IValue(spec.architecture));
  archive.write("spec_channels", c10::IValue(spec.channels));
  archive.write("spec_height", c10::IValue(spec.height));
  archive.write("spec_width", c10::IValue(spec.width));
  archive.write("spec_classes", c10::IValue(spec.classes));
  archive.write("spec_small_widths", torch::tensor(spec.small_widths, torch::kInt64));
  archive.write("spec_front_end_kind", c10::IValue(spec.front_end.kind));
  archive.write("spec_front_end_blur_sigma", c10::IValue(spec.front_end.blur_sigma));
  archive.write("spec_front_end_pca_components", c10::IValue(static_cast<std::int64_t>(spec.front_end.pca_components)));
  if (spec.front_end.kind == "v1") {  // only then: checkpoints without a V1 front end stay as they were
    const V1ModelSpec& v1 = spec.front_end.v1;
    archive.write("spec_front_end_v1_simple_cells", c10::IValue(static_cast<std::int64_t>(v1.simple_cells)));
    archive.write("spec_front_end_v1_complex_cells", c10::IValue(static_cast<std::int64_t>(v1.complex_cells)));
    archive.write("spec_front_end_v1_image_size", c10::IValue(static_cast<std::int64_t>(v1.image_size)));
    archive.write("spec_front_end_v1_field_of_view", c10::IValue(v1.field_of_view));
    archive.write("spec_front_end_v1_bandwidth_octaves", c10::IValue(v1.bandwidth_octaves));
    archive.write("spec_front_end_v1_seed", c10::IValue(static_cast<std::int64_t>(v1.seed)));  // the bits, read back as uint64
  }
  archive.write("spec_mean", torch::tensor(spec.mean, torch::kFloat32));
  archive.write("spec_std", torch::tensor(spec.std, torch::kFloat32));
}

struct SpecReader {
  torch::serialize::InputArchive& archive;
  const std::string& file;

  c10::IValue value(const std::string& key) {
    c10::IValue value;
    if (!archive.try_read(key, value)) throw std::runtime_error(file + ": the checkpoint lacks the field " + key);
    return value;
  }
  std::string text(const std::string& key) {
    const c10::IValue item = value(key);
    if (!item.isString()) throw std::runtime_error(file + ": the checkpoint field " + key + " is not a string");
    return item.toStringRef();
  }
  std::int64_t integer(const std::string& key) {
    const c10::IValue item = value(key);
    if (!item.isInt()) throw std::runtime_error(file + ": the checkpoint field " + key + " is not an integer");
    return item.toInt();
  }
  double real(const std::string& key) {
    const c10::IValue item = value(key);
    if (!item.isDouble()) throw std::runtime_error(file + ": the checkpoint field " + key + " is not a number");
    return item.toDouble();
  }
  torch::Tensor tensor(const std::string& key) {
    torch::Tensor result;
    if (!archive.try_read(key, result)) throw std::runtime_error(file + ": the checkpoint lacks the tensor " + key);
    return result.contiguous();
  }
  template <typename T>
  std::vector<T> values(const std::string& key) {
    const torch::Tensor t = tensor(key).to(std::is_same<T, float>::value ? torch::kFloat32 : torch::kInt64);
    return std::vector<T>(t.data_ptr<T>(), t.data_ptr<T>() + t.numel());
  }
};

NetworkSpec read_spec(torch::serialize::InputArchive& archive, const std::string& file) {
  SpecReader reader{archive, file};
  NetworkSpec spec;
  spec.architecture = reader.text("spec_architecture");
  spec.channels = reader.integer("spec_channels");
  spec.height = reader.integer("spec_height");
  spec.width = reader.integer("spec_width");
  spec.classes = reader.integer("spec_classes");
  spec.small_widths = reader.values<std::int64_t>("spec_small_widths");
  spec.front_end.kind = reader.text("spec_front_end_kind");
  spec.front_end.blur_sigma = reader.real("spec_front_end_blur_sigma");
  spec.front_end.pca_components = static_cast<int>(reader.integer("spec_front_end_pca_components"));
  if (spec.front_end.kind == "v1") {
    V1ModelSpec& v1 = spec.front_end.v1;
    v1.simple_cells = static_cast<int>(reader.integer("spec_front_end_v1_simple_cells"));
    v1.complex_cells = static_cast<int>(reader.integer("spec_front_end_v1_complex_cells"));
    v1.image_size = static_cast<int>(reader.integer("spec_front_end_v1_image_size"));
    v1.field_of_view = reader.real("spec_front_end_v1_field_of_view");
    v1.bandwidth_octaves = reader.real("spec_front_end_v1_bandwidth_octaves");
    v1.seed = static_cast<std::uint64_t>(reader.integer("spec_front_end_v1_seed"));
  }
  spec.mean = reader.values<float>("spec_mean");
  spec.std = reader.values<float>("spec_std");
  return spec;
}

}  // namespace

void validate_network_spec(const NetworkSpec& spec) {
  if (spec.channels < 1 || spec.height < 1 || spec.width < 1) {
    throw std::invalid_argument("network spec: channels, height and width must be positive, found " + std::to_string(spec.channels) +
                                " x " + std::to_string(spec.height) + " x " + std::to_string(spec.width));
  }
  if (spec.classes < 2) throw std::invalid_argument("network spec: classes must be >= 2, found " + std::to_string(spec.classes));
  const std::string size = std::to_string(spec.height) + " x " + std::to_string(spec.width);
  if (spec.architecture == "small") {
    if (spec.small_widths.size() != 3 || spec.small_widths[0] < 1 || spec.small_widths[1] < 1 || spec.small_widths[2] < 0) {
      throw std::invalid_argument("network spec: small_widths must be {conv1 channels >= 1, conv2 channels >= 1, fc1 units >= 0}, found " +
                                  shape_text(spec.small_widths));
    }
    if (small_cnn_final_size(spec.height) < 1 || small_cnn_final_size(spec.width) < 1) {
      throw std::invalid_argument("network spec: the small CNN needs images of at least 16 x 16 pixels, found " + size);
    }
  } else if (spec.architecture == "alexnet") {
    if (alexnet_final_size(spec.height) < 1 || alexnet_final_size(spec.width) < 1) {
      throw std::invalid_argument("network spec: AlexNet needs images of at least 63 x 63 pixels, found " + size);
    }
  } else if (spec.architecture != "resnet18") {
    throw std::invalid_argument("network spec: architecture must be \"small\", \"alexnet\" or \"resnet18\", found \"" +
                                spec.architecture + "\"");
  }
  const std::int64_t dimension = spec.channels * spec.height * spec.width;
  if (spec.front_end.kind == "blur") {
    if (!(spec.front_end.blur_sigma > 0) || !std::isfinite(spec.front_end.blur_sigma)) {
      throw std::invalid_argument("network spec: front_end.blur_sigma must be positive (pixels), found " +
                                  number_text(spec.front_end.blur_sigma));
    }
  } else if (spec.front_end.kind == "pca") {
    if (spec.front_end.pca_components < 1 || spec.front_end.pca_components > dimension) {
      throw std::invalid_argument("network spec: front_end.pca_components must be in 1.." + std::to_string(dimension) +
                                  " (channels x height x width), found " + std::to_string(spec.front_end.pca_components));
    }
    if (dimension > largest_pca_dimension) {
      throw std::invalid_argument("network spec: the PCA front end works on at most " + std::to_string(largest_pca_dimension) +
                                  " values per image (its covariance is that squared), found " + std::to_string(dimension));
    }
  } else if (spec.front_end.kind == "v1") {
    if (spec.height != spec.width || spec.front_end.v1.image_size != spec.height) {
      throw std::invalid_argument("network spec: the V1 front end takes square images of front_end.v1.image_size pixels (" +
                                  std::to_string(spec.front_end.v1.image_size) + "), found " + size);
    }
    try {
      validate_v1_model_spec(spec.front_end.v1);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(std::string("network spec: front_end.v1: ") + error.what());
    }
  } else if (spec.front_end.kind != "none") {
    throw std::invalid_argument("network spec: front_end.kind must be \"none\", \"blur\", \"pca\" or \"v1\", found \"" +
                                spec.front_end.kind + "\"");
  }
  const std::int64_t normalised_channels = front_end_channels(spec);
  if (spec.mean.size() != spec.std.size() || (!spec.mean.empty() && static_cast<std::int64_t>(spec.mean.size()) != normalised_channels)) {
    throw std::invalid_argument("network spec: mean and std need one value per channel (" + std::to_string(normalised_channels) +
                                ") or none, found " + std::to_string(spec.mean.size()) + " and " + std::to_string(spec.std.size()));
  }
  for (float s : spec.std) {
    if (!(s > 0)) throw std::invalid_argument("network spec: std values must be positive, found " + number_text(s));
  }
}

std::int64_t front_end_channels(const NetworkSpec& spec) {
  if (spec.front_end.kind == "v1") return static_cast<std::int64_t>(spec.front_end.v1.simple_cells) + spec.front_end.v1.complex_cells;
  return spec.channels;
}

void Network::Impl::require_input_shape(const ImageBatch& pixels, const std::string& what) const {
  detail::require_consistent(pixels, what);
  if (pixels.channels != spec.channels || pixels.height != spec.height || pixels.width != spec.width) {
    throw std::invalid_argument(what + ": the network takes " + std::to_string(spec.channels) + " x " + std::to_string(spec.height) +
                                " x " + std::to_string(spec.width) + " images, found " + std::to_string(pixels.channels) + " x " +
                                std::to_string(pixels.height) + " x " + std::to_string(pixels.width));
  }
}

Network::Network(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;
Network::~Network() = default;

Network Network::create(const NetworkSpec& spec, std::uint64_t seed, const std::string& device, int threads,
                        const ImageBatch* front_end_images) {
  validate_network_spec(spec);
  if (threads < 1) throw std::invalid_argument("threads must be >= 1, found " + std::to_string(threads));
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->device = detail::resolve_device(device);
  impl->threads = threads;
  torch::set_num_threads(threads);
  if (spec.front_end.kind == "pca") {
    if (front_end_images == nullptr) {
      throw std::invalid_argument("front_end_images: the PCA front end is fitted on training images, none given");
    }
    if (front_end_images->count < 2) {
      throw std::invalid_argument("front_end_images: the PCA front end needs at least 2 training images, found " +
                                  std::to_string(front_end_images->count));
    }
    impl->require_input_shape(*front_end_images, "front_end_images");
  }
  torch::NoGradGuard no_grad;
  impl->model = make_model(spec);
  at::Generator generator = at::detail::createCPUGenerator(seed);
  impl->model->body->initialise(generator);
  if (spec.front_end.kind == "pca") impl->model->front_end->fit_pca(detail::to_tensor(*front_end_images, torch::kCPU));
  impl->model->to(impl->device);
  impl->model->eval();
  return Network(std::move(impl));
}

Network Network::load(const std::filesystem::path& checkpoint, const std::string& device, int threads) {
  if (threads < 1) throw std::invalid_argument("threads must be >= 1, found " + std::to_string(threads));
  const std::string file = checkpoint.string();
  auto impl = std::make_unique<Impl>();
  impl->device = detail::resolve_device(device);
  impl->threads = threads;
  torch::set_num_threads(threads);
  {
    std::ifstream probe(checkpoint, std::ios::binary);
    if (!probe) throw std::runtime_error(file + ": cannot open the network checkpoint");
  }
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file, torch::Device(torch::kCPU));
  } catch (const std::exception& error) {
    throw std::runtime_error(file + ": not a visalign network checkpoint (LibTorch " + TORCH_VERSION +
                             " cannot read it as an archive: " + first_line(error.what()) + ")");
  }
  c10::IValue format;
  if (!archive.try_read(format_key, format) || !format.isInt()) {
    throw std::runtime_error(file + ": not a visalign network checkpoint (no " + format_key + " entry; written by Network::save?)");
  }
  if (format.toInt() != checkpoint_format) {
    throw std::runtime_error(file + ": network checkpoint format " + std::to_string(format.toInt()) + ", this build reads " +
                             std::to_string(checkpoint_format));
  }
  impl->spec = read_spec(archive, file);
  try {
    validate_network_spec(impl->spec);
  } catch (const std::invalid_argument& error) {
    throw std::runtime_error(file + ": the checkpoint's " + error.what());
  }
  impl->model = make_model(impl->spec);
  const auto expected_shapes = model_shapes(impl->model);
  try {
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    impl->model->load(model_archive);
  } catch (const std::exception& error) {
    throw std::runtime_error(file + ": the checkpoint's tensors do not fit its spec (" + first_line(error.what()) + ")");
  }
  const auto loaded_shapes = model_shapes(impl->model);
  for (const auto& [name, shape] : expected_shapes) {
    const auto found = loaded_shapes.find(name);
    if (found == loaded_shapes.end() || found->second != shape) {
      throw std::runtime_error(file + ": the checkpoint's tensor " + name + " has shape " +
                               (found == loaded_shapes.end() ? std::string("(none)") : shape_text(found->second)) + ", its spec needs " +
                               shape_text(shape));
    }
  }
  impl->model->to(impl->device);
  impl->model->eval();
  return Network(std::move(impl));
}

void Network::save(const std::filesystem::path& checkpoint) const {
  const std::string file = checkpoint.string();
  std::filesystem::path temporary = checkpoint;
  temporary += ".tmp-" + std::to_string(::getpid());
  try {
    torch::serialize::OutputArchive archive;
    write_spec(archive, impl_->spec);
    torch::serialize::OutputArchive model_archive;
    impl_->model->save(model_archive);
    archive.write("model", model_archive);
    archive.save_to(temporary.string());
  } catch (const std::exception& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(file + ": cannot write the network checkpoint (" + first_line(error.what()) + ")");
  }
  std::error_code failed;
  std::filesystem::rename(temporary, checkpoint, failed);
  if (failed) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(file + ": cannot write the network checkpoint (rename: " + failed.message() + ")");
  }
}

void Network::load_parameters(const std::filesystem::path& torchscript_file) {
  const std::string file = torchscript_file.string();
  {
    std::ifstream probe(torchscript_file, std::ios::binary);
    if (!probe) throw std::runtime_error(file + ": cannot open the TorchScript file");
  }
  torch::jit::Module module;
  try {
    module = torch::jit::load(file, torch::Device(torch::kCPU));
  } catch (const std::exception& error) {
    throw std::runtime_error(file + ": not a TorchScript model that LibTorch " + TORCH_VERSION +
                             " can load (torch::jit::load: " + first_line(error.what()) + ")");
  }
  std::map<std::string, torch::Tensor> available;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) available.emplace(item.name, item.value);
  for (const auto& item : module.named_buffers(/*recurse=*/true)) available.emplace(item.name, item.value);

  // Check everything before changing anything.
  const auto targets = body_tensors(impl_->model);
  std::vector<std::string> missing, mismatched;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (target, source)
  const auto ends_with = [](const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const auto& [name, target] : targets) {
    const auto found = available.find(name);
    if (found == available.end()) {
      if (!ends_with(name, "num_batches_tracked")) missing.push_back(name);
      continue;
    }
    if (found->second.sizes() != target.sizes()) {
      mismatched.push_back(name + " " + shape_text(shape_of(target)) + " in the network, " + shape_text(shape_of(found->second)) +
                           " in the file");
      continue;
    }
    copies.emplace_back(target, found->second);
  }
  if (!missing.empty() || !mismatched.empty()) {
    std::ostringstream message;
    message << "load_parameters: " << file << " does not fit the network (" << description() << ")";
    if (!missing.empty()) {
      message << "; missing:";
      for (const std::string& name : missing) message << ' ' << name;
    }
    if (!mismatched.empty()) {
      message << "; shape mismatch:";
      for (std::size_t i = 0; i < mismatched.size(); ++i) message << (i ? ", " : " ") << mismatched[i];
    }
    throw std::invalid_argument(message.str());
  }
  torch::NoGradGuard no_grad;
  for (auto& [target, source] : copies) target.copy_(source.to(target.device(), target.scalar_type()));
}

const NetworkSpec& Network::spec() const { return impl_->spec; }

std::string Network::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }

int Network::threads() const { return impl_->threads; }

std::int64_t Network::parameter_count() const {
  std::int64_t count = 0;
  for (const torch::Tensor& parameter : impl_->model->parameters(true)) count += parameter.numel();
  return count;
}

std::string Network::description() const {
  const NetworkSpec& spec = impl_->spec;
  std::string text = architecture_name(spec);
  if (spec.front_end.kind == "blur") {
    text += ", blur front end (sigma " + number_text(spec.front_end.blur_sigma) + " px)";
  } else if (spec.front_end.kind == "pca") {
    text += ", PCA front end (" + std::to_string(spec.front_end.pca_components) + " components)";
  } else if (spec.front_end.kind == "v1") {
    text += ", V1 front end (" + std::to_string(spec.front_end.v1.simple_cells) + " simple + " + std::to_string(spec.front_end.v1.complex_cells) +
            " complex cells, " + number_text(spec.front_end.v1.field_of_view) + " deg)";
  }
  return text + ", " + std::to_string(spec.classes) + " classes";
}

Classifier Network::classifier() const {
  auto impl = std::make_shared<Classifier::Impl>();
  impl->device = impl_->device;
  impl->channels = impl_->spec.channels;
  impl->description = description();
  detail::NetworkModel model = impl_->model;  // a handle: the classifier shares the weights
  const std::int64_t height = impl_->spec.height, width = impl_->spec.width;
  impl->logits = [model, height, width](const torch::Tensor& pixels) mutable {
    if (pixels.dim() != 4 || pixels.size(2) != height || pixels.size(3) != width) {
      throw std::invalid_argument("the network takes N x C x " + std::to_string(height) + " x " + std::to_string(width) +
                                  " images, found " + shape_text(shape_of(pixels)));
    }
    if (model->is_training()) model->eval();
    return model->forward(pixels);
  };
  return Classifier(std::move(impl));
}

Eigen::MatrixXf Network::logits(const ImageBatch& pixels, int batch_size) const {
  impl_->require_input_shape(pixels, "logits");
  if (batch_size < 1) throw std::invalid_argument("logits: batch_size must be >= 1, found " + std::to_string(batch_size));
  torch::NoGradGuard no_grad;
  impl_->model->eval();
  Eigen::MatrixXf result(pixels.count, impl_->spec.classes);
  for (std::int64_t start = 0; start < pixels.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, pixels.count - start);
    const torch::Tensor values =
        impl_->model->forward(detail::to_tensor(pixels, impl_->device, start, count)).to(torch::kCPU, torch::kFloat32).contiguous();
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    result.middleRows(start, count) = Eigen::Map<const RowMajor>(values.data_ptr<float>(), count, values.size(1));
  }
  return result;
}

ImageBatch Network::front_end_output(const ImageBatch& pixels, int batch_size) const {
  impl_->require_input_shape(pixels, "front_end_output");
  if (batch_size < 1) throw std::invalid_argument("front_end_output: batch_size must be >= 1, found " + std::to_string(batch_size));
  torch::NoGradGuard no_grad;
  ImageBatch result;
  result.count = pixels.count;
  result.channels = front_end_channels(impl_->spec);
  result.height = pixels.height;
  result.width = pixels.width;
  const std::size_t per_image = static_cast<std::size_t>(result.channels * result.height * result.width);
  result.values.resize(per_image * static_cast<std::size_t>(pixels.count));
  for (std::int64_t start = 0; start < pixels.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, pixels.count - start);
    const torch::Tensor values = impl_->model->front_end->forward(detail::to_tensor(pixels, impl_->device, start, count))
                                     .to(torch::kCPU, torch::kFloat32)
                                     .contiguous();
    std::copy(values.data_ptr<float>(), values.data_ptr<float>() + values.numel(), result.values.begin() + start * per_image);
  }
  return result;
}

std::vector<LayerInfo> Network::layers() const {
  torch::NoGradGuard no_grad;
  impl_->model->eval();
  std::vector<LayerInfo> result;
  const torch::Tensor blank = torch::zeros({1, impl_->spec.channels, impl_->spec.height, impl_->spec.width},
                                           torch::TensorOptions().dtype(torch::kFloat32).device(impl_->device));
  impl_->model->forward_layers(blank, [&result](const std::string& name, const torch::Tensor& output) {
    std::vector<std::int64_t> shape = shape_of(output);
    shape.erase(shape.begin());  // the batch dimension
    result.push_back({name, std::move(shape)});
  });
  return result;
}

std::vector<Eigen::MatrixXf> Network::activations(const ImageBatch& pixels, const std::vector<std::string>& layer_names,
                                                  int batch_size, const std::function<void(std::size_t, std::size_t)>& progress) const {
  impl_->require_input_shape(pixels, "activations");
  if (batch_size < 1) throw std::invalid_argument("activations: batch_size must be >= 1, found " + std::to_string(batch_size));
  const std::vector<LayerInfo> available = layers();
  std::vector<Eigen::MatrixXf> result(layer_names.size());
  for (std::size_t position = 0; position < layer_names.size(); ++position) {
    const auto found = std::find_if(available.begin(), available.end(),
                                    [&](const LayerInfo& layer) { return layer.name == layer_names[position]; });
    if (found == available.end()) {
      std::string names;
      for (const LayerInfo& layer : available) names += (names.empty() ? "" : ", ") + layer.name;
      throw std::invalid_argument("activations: the network has no layer \"" + layer_names[position] + "\" (layers: " + names + ")");
    }
    std::int64_t units = 1;
    for (std::int64_t extent : found->shape) units *= extent;
    result[position].resize(pixels.count, units);
  }
  torch::NoGradGuard no_grad;
  impl_->model->eval();
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  for (std::int64_t start = 0; start < pixels.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, pixels.count - start);
    impl_->model->forward_layers(detail::to_tensor(pixels, impl_->device, start, count),
                                 [&](const std::string& name, const torch::Tensor& output) {
                                   // The same layer name may be asked for twice: fill every position.
                                   for (std::size_t position = 0; position < layer_names.size(); ++position) {
                                     if (layer_names[position] != name) continue;
                                     const torch::Tensor values = output.to(torch::kCPU, torch::kFloat32).reshape({count, -1}).contiguous();
                                     result[position].middleRows(start, count) =
                                         Eigen::Map<const RowMajor>(values.data_ptr<float>(), count, values.size(1));
                                   }
                                 });
    if (progress) progress(static_cast<std::size_t>(start + count), static_cast<std::size_t>(pixels.count));
  }
  return result;
}

std::vector<NetworkTensorInfo> Network::tensors() const {
  std::vector<NetworkTensorInfo> result;
  for (const auto& item : impl_->model->body->named_parameters(true)) result.push_back({item.key(), shape_of(item.value()), true});
  for (const auto& item : impl_->model->body->named_buffers(true)) result.push_back({item.key(), shape_of(item.value()), false});
  return result;
}

std::vector<float> Network::tensor_values(const std::string& name) const {
  const auto tensors = body_tensors(impl_->model);
  const auto found = tensors.find(name);
  if (found == tensors.end()) throw std::invalid_argument("tensor_values: the network has no parameter or buffer \"" + name + "\"");
  const torch::Tensor values = found->second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

void Network::set_tensor_values(const std::string& name, const std::vector<float>& values) {
  const auto tensors = body_tensors(impl_->model);
  const auto found = tensors.find(name);
  if (found == tensors.end()) {
    throw std::invalid_argument("set_tensor_values: the network has no parameter or buffer \"" + name + "\"");
  }
  torch::Tensor target = found->second;
  if (static_cast<std::int64_t>(values.size()) != target.numel()) {
    throw std::invalid_argument("set_tensor_values: " + name + " holds " + std::to_string(target.numel()) + " values, found " +
                                std::to_string(values.size()));
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor source = torch::from_blob(const_cast<float*>(values.data()), target.sizes(), torch::kFloat32);
  target.copy_(source.to(target.device(), target.scalar_type()));
}

}  // namespace visalign::cnn
