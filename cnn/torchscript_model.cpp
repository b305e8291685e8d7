#include "cnn/torchscript_model.hpp"

#include "cnn/torch_classifier.hpp"

#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>

// Written against LibTorch 1.13 and 2.x: only torch::jit::load, Module::named_children/forward/eval,
// the type's qualified name and Tensor methods are used (no forward hooks, which loaded modules lack in 1.13).

namespace visalign::cnn {
namespace {

std::string type_name(const torch::jit::Module& module) {
  const auto name = module.type()->name();
  return name ? name->qualifiedName() : std::string();
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_sequential(const torch::jit::Module& module) { return ends_with(type_name(module), ".Sequential"); }

/// The first leaf module in module order (itself if it has no children).
torch::jit::Module first_leaf(const torch::jit::Module& module) {
  for (const auto& child : module.named_children()) return first_leaf(child.value);
  return module;
}

bool starts_with_linear(const torch::jit::Module& module) { return ends_with(type_name(first_leaf(module)), ".Linear"); }

/// One step of the walk: a module, its layer name, and whether to flatten its input first.
struct Step {
  std::string name;
  torch::jit::Module module;
  bool flatten_input = false;
};

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

struct TorchScriptModel::Impl {
  torch::jit::Module module;
  torch::Device device{torch::kCPU};
  std::vector<Step> steps;  // empty: only "output"
  std::string structure_note;
  // Result of the walk-versus-forward check, per input shape (channels, height, width).
  mutable std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::string> walk_checks;
  mutable std::string last_note;

  torch::Tensor flatten_if_needed(const torch::Tensor& x) const { return x.dim() > 2 ? x.flatten(1) : x; }

  /// Runs the steps up to and including `last_step` (steps.size() for the whole walk and the output);
  /// visit(step index, output) sees every output (index steps.size() for "output").
  template <typename Visit>
  void walk(torch::Tensor x, std::size_t last_step, Visit&& visit) const {
    for (std::size_t i = 0; i < steps.size() && i <= last_step; ++i) {
      if (steps[i].flatten_input) x = flatten_if_needed(x);
      x = const_cast<torch::jit::Module&>(steps[i].module).forward({x}).toTensor();
      visit(i, x);
    }
    if (last_step >= steps.size()) visit(steps.size(), flatten_if_needed(x));
  }

  torch::Tensor forward(const torch::Tensor& x) const {
    const torch::jit::IValue result = const_cast<torch::jit::Module&>(module).forward({x});
    if (!result.isTensor()) throw std::runtime_error("the model's forward() does not return a single tensor");
    return result.toTensor();
  }

  /// "" when the walk reproduces forward() on a fixed input of this shape, else the reason.
  const std::string& check_walk(std::int64_t channels, std::int64_t height, std::int64_t width) const {
    const auto key = std::make_tuple(channels, height, width);
    auto found = walk_checks.find(key);
    if (found != walk_checks.end()) return found->second;
    std::string note = structure_note;
    if (note.empty()) {
      torch::NoGradGuard no_grad;
      // A fixed input that is not constant (no random numbers: the global generator stays untouched).
      const torch::Tensor input =
          torch::arange(channels * height * width, torch::kFloat32).mul(0.37).sin().reshape({1, channels, height, width}).to(device);
      const torch::Tensor expected = forward(input.clone());
      torch::Tensor walked;
      try {
        walk(input.clone(), steps.size(), [&](std::size_t index, const torch::Tensor& x) {
          if (index == steps.size()) walked = x;
        });
      } catch (const std::exception& error) {
        note = "running the model's children in order failed (" + first_line(error.what()) + ")";
      }
      if (note.empty()) {
        // Compared flattened per image: activations are flattened anyway, and the walk flattens its output.
        if (walked.numel() != expected.numel()) {
          note = "running the model's children in order does not give forward()'s output size";
        } else if (walked = walked.reshape(expected.sizes()); !torch::equal(walked, expected)) {
          const double difference = (walked - expected).abs().max().item<double>();
          const double scale = expected.abs().max().item<double>();
          if (difference > 1e-5 * std::max(scale, 1e-30)) {
            note = "running the model's children in order differs from forward() (max abs difference " +
                   std::to_string(difference) + ")";
          }
        }
      }
      if (!note.empty()) note += ": only \"output\" is available";
    }
    return walk_checks.emplace(key, note).first->second;
  }

  std::vector<std::string> available_names(bool walk_usable) const {
    std::vector<std::string> names;
    if (walk_usable) {
      for (const Step& step : steps) names.push_back(step.name);
    }
    names.push_back("output");
    return names;
  }
};

TorchScriptModel::TorchScriptModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TorchScriptModel::TorchScriptModel(TorchScriptModel&&) noexcept = default;
TorchScriptModel& TorchScriptModel::operator=(TorchScriptModel&&) noexcept = default;
TorchScriptModel::~TorchScriptModel() = default;

TorchScriptModel TorchScriptModel::load(const std::filesystem::path& file, const std::string& device, int threads) {
  if (threads < 1) throw std::invalid_argument("threads must be >= 1, found " + std::to_string(threads));
  auto impl = std::make_unique<Impl>();
  impl->device = detail::resolve_device(device);
  torch::set_num_threads(threads);
  {
    std::ifstream probe(file, std::ios::binary);
    if (!probe) throw std::runtime_error(file.string() + ": cannot open the model file");
  }
  try {
    impl->module = torch::jit::load(file.string(), impl->device);
  } catch (const std::exception& error) {
    throw std::runtime_error(file.string() + ": not a TorchScript model that LibTorch " + TORCH_VERSION +
                             " can load (torch::jit::load: " + first_line(error.what()) + ")");
  }
  // A `cnn train` checkpoint is a LibTorch archive too, but of parameters without code.
  if (!impl->module.find_method("forward")) {
    throw std::runtime_error(file.string() + ": not a TorchScript model (the archive has no forward method: a 'cnn train' checkpoint? "
                             "the analysis commands read those with --network)");
  }
  impl->module.eval();

  // The walk: top-level children in order; the children of Sequential containers one by one.
  for (const auto& child : impl->module.named_children()) {
    const bool flatten = starts_with_linear(child.value);
    if (is_sequential(child.value)) {
      bool first = true;
      for (const auto& grandchild : child.value.named_children()) {
        impl->steps.push_back({child.name + "." + grandchild.name, grandchild.value, first && flatten});
        first = false;
      }
    } else {
      impl->steps.push_back({child.name, child.value, flatten});
    }
  }
  if (impl->steps.empty()) impl->structure_note = "the model has no child modules";
  return TorchScriptModel(std::move(impl));
}

std::string TorchScriptModel::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }

std::string TorchScriptModel::walk_note() const { return impl_->last_note; }

std::vector<LayerInfo> TorchScriptModel::layers(std::int64_t channels, std::int64_t height, std::int64_t width) const {
  if (channels < 1 || height < 1 || width < 1) {
    throw std::invalid_argument("layers: channels, height and width must be positive");
  }
  const std::string& note = impl_->check_walk(channels, height, width);
  impl_->last_note = note;
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::zeros({1, channels, height, width}).to(impl_->device);
  std::vector<LayerInfo> result;
  auto add = [&](const std::string& name, const torch::Tensor& x) {
    LayerInfo info{name, {}};
    for (std::int64_t d = 1; d < x.dim(); ++d) info.shape.push_back(x.size(d));
    result.push_back(std::move(info));
  };
  if (!note.empty()) {
    add("output", impl_->forward(input));
    return result;
  }
  impl_->walk(input, impl_->steps.size(), [&](std::size_t index, const torch::Tensor& x) {
    add(index < impl_->steps.size() ? impl_->steps[index].name : std::string("output"), x);
  });
  return result;
}

std::vector<Eigen::MatrixXf> TorchScriptModel::activations(const ImageBatch& images,
                                                           const std::vector<std::string>& layer_names, int batch_size,
                                                           const std::function<void(std::size_t, std::size_t)>& progress) const {
  if (layer_names.empty()) throw std::invalid_argument("activations: layer_names is empty");
  if (batch_size < 1) throw std::invalid_argument("activations: batch_size must be >= 1, found " + std::to_string(batch_size));
  detail::require_consistent(images, "activations");
  // Map names to walk indices (steps.size() is "output"); check the walk if a layer inside it is asked for.
  std::vector<std::size_t> indices;
  bool needs_walk = false;
  for (const std::string& name : layer_names) {
    std::size_t index = impl_->steps.size();
    if (name != "output") {
      index = impl_->steps.size() + 1;
      for (std::size_t i = 0; i < impl_->steps.size(); ++i) {
        if (impl_->steps[i].name == name) index = i;
      }
      if (index > impl_->steps.size()) {
        std::ostringstream message;
        message << "unknown layer \"" << name << "\"; the model's layers are:";
        for (const std::string& available : impl_->available_names(true)) message << ' ' << available;
        throw std::invalid_argument(message.str());
      }
      needs_walk = true;
    }
    indices.push_back(index);
  }
  if (needs_walk) {
    const std::string& note = impl_->check_walk(images.channels, images.height, images.width);
    if (!note.empty()) throw std::invalid_argument("layer activations are not available for this model: " + note);
  }
  const std::size_t last_step = *std::max_element(indices.begin(), indices.end());
  const bool output_only = !needs_walk;

  torch::NoGradGuard no_grad;
  std::vector<Eigen::MatrixXf> result(layer_names.size());
  const std::size_t total = static_cast<std::size_t>(images.count);
  for (std::int64_t start = 0; start < images.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, images.count - start);
    // A copy: an in-place first module must not write into the caller's images.
    torch::Tensor input = detail::to_tensor(images, impl_->device, start, count);
    auto store = [&](std::size_t index, const torch::Tensor& x) {
      // Copied out at once: a later in-place module (ReLU(inplace=True)) would overwrite x.
      const torch::Tensor values = x.detach().to(torch::kCPU).to(torch::kFloat32).contiguous().reshape({count, -1});
      const std::int64_t units = values.size(1);
      using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
      const Eigen::Map<const RowMajor> map(values.data_ptr<float>(), count, units);
      for (std::size_t r = 0; r < indices.size(); ++r) {
        if (indices[r] != index) continue;
        if (result[r].size() == 0) result[r].resize(images.count, units);
        result[r].middleRows(start, count) = map;
      }
    };
    if (output_only) {
      store(impl_->steps.size(), impl_->flatten_if_needed(impl_->forward(input)));
    } else {
      impl_->walk(input, last_step, store);
    }
    if (progress) progress(static_cast<std::size_t>(start + count), total);
  }
  return result;
}

Classifier TorchScriptModel::classifier(const std::vector<float>& mean, const std::vector<float>& std,
                                        const std::string& description) const {
  if (mean.empty() || mean.size() != std.size()) {
    throw std::invalid_argument("classifier: mean and std need one value per channel (found " + std::to_string(mean.size()) +
                                " and " + std::to_string(std.size()) + ")");
  }
  for (float s : std) {
    if (!(s > 0)) throw std::invalid_argument("classifier: std values must be positive");
  }
  const auto channels = static_cast<std::int64_t>(mean.size());
  auto impl = std::make_shared<Classifier::Impl>();
  impl->device = impl_->device;
  impl->channels = channels;
  impl->description = description;
  const torch::Tensor mean_tensor = torch::tensor(mean, torch::kFloat32).reshape({1, channels, 1, 1}).to(impl_->device);
  const torch::Tensor std_tensor = torch::tensor(std, torch::kFloat32).reshape({1, channels, 1, 1}).to(impl_->device);
  torch::jit::Module module = impl_->module;  // a handle: the classifier shares the loaded model
  impl->logits = [module, mean_tensor, std_tensor](const torch::Tensor& pixels) mutable {
    const torch::jit::IValue result = module.forward({(pixels - mean_tensor) / std_tensor});
    if (!result.isTensor()) throw std::runtime_error("the model's forward() does not return a single tensor");
    const torch::Tensor logits = result.toTensor();
    return logits.dim() > 2 ? logits.flatten(1) : logits;
  };
  return Classifier(std::move(impl));
}

}  // namespace visalign::cnn
