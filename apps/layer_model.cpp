#include "apps/layer_model.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "apps/option_lists.hpp"
#include "apps/progress_bar.hpp"
#include "cnn/network.hpp"
#include "cnn/torchscript_model.hpp"

namespace visalign::apps {

struct LayerModel::Impl {
  std::optional<cnn::TorchScriptModel> torchscript;
  std::optional<cnn::Network> network;
  std::optional<cnn::Classifier> classifier;
  std::vector<float> mean, std;  // TorchScript: per-channel normalisation applied before the model
  std::int64_t channels = 0, height = 0, width = 0;
  int resize_shorter = 0;  // image files: shorter side to this many pixels before the centre crop (0: as they are)
  std::string description;
  int batch_size = 50;
};

LayerModel::LayerModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LayerModel::LayerModel(LayerModel&&) noexcept = default;
LayerModel& LayerModel::operator=(LayerModel&&) noexcept = default;
LayerModel::~LayerModel() = default;

LayerModel LayerModel::load(const ClassifierInputOptions& options, RunContext& context) {
  if (options.model.empty() == options.network.empty()) {
    throw std::invalid_argument("give exactly one of --model (a TorchScript file) and --network (a 'cnn train' checkpoint)");
  }
  auto impl = std::make_unique<Impl>();
  const int threads = context.global().threads;
  if (!options.network.empty()) {
    context.provenance().add_input(options.network);
    cnn::Network network = cnn::Network::load(options.network, options.model_options.device, threads);
    impl->channels = network.spec().channels;
    impl->height = network.spec().height;
    impl->width = network.spec().width;
    impl->resize_shorter = static_cast<int>(std::min(impl->height, impl->width));
    impl->description = network.description();
    impl->classifier = network.classifier();
    impl->batch_size = 200;
    impl->network.emplace(std::move(network));
  } else {
    context.provenance().add_input(options.model);
    const cnn::Preprocessing preprocessing = preprocessing_of(options.model_options);
    if (preprocessing.crop < 1) throw std::invalid_argument("--crop: the layer analyses need a fixed input size, found " + std::to_string(preprocessing.crop));
    cnn::TorchScriptModel model = cnn::TorchScriptModel::load(options.model, options.model_options.device, threads);
    impl->channels = options.grey ? 1 : 3;
    impl->height = impl->width = preprocessing.crop;
    impl->resize_shorter = preprocessing.resize_shorter;  // --resize, as every other command reads image files for the model
    impl->mean.assign(preprocessing.mean.begin(), preprocessing.mean.begin() + impl->channels);
    impl->std.assign(preprocessing.std.begin(), preprocessing.std.begin() + impl->channels);
    impl->description = "TorchScript " + std::filesystem::path(options.model).filename().string();
    impl->classifier = model.classifier(impl->mean, impl->std, impl->description);
    impl->torchscript.emplace(std::move(model));
  }
  return LayerModel(std::move(impl));
}

std::int64_t LayerModel::channels() const { return impl_->channels; }
std::int64_t LayerModel::height() const { return impl_->height; }
std::int64_t LayerModel::width() const { return impl_->width; }
std::string LayerModel::description() const { return impl_->description; }
std::string LayerModel::device() const { return impl_->network ? impl_->network->device() : impl_->torchscript->device(); }
void LayerModel::set_batch_size(int images) {
  if (images < 1) throw std::invalid_argument("batch size: expected >= 1, found " + std::to_string(images));
  impl_->batch_size = images;
}
const cnn::Classifier& LayerModel::classifier() const { return *impl_->classifier; }

std::vector<cnn::LayerInfo> LayerModel::layers() const {
  if (impl_->network) return impl_->network->layers();
  return impl_->torchscript->layers(impl_->channels, impl_->height, impl_->width);
}

void LayerModel::require_layers(const std::vector<std::string>& names, const std::string& option) const {
  const std::vector<cnn::LayerInfo> available = layers();
  for (const std::string& name : names) {
    if (std::none_of(available.begin(), available.end(), [&](const cnn::LayerInfo& layer) { return layer.name == name; })) {
      std::string listed;
      for (const cnn::LayerInfo& layer : available) listed += (listed.empty() ? "" : ", ") + layer.name;
      throw std::invalid_argument(option + ": unknown layer \"" + name + "\"; the model's layers are: " + listed);
    }
  }
}

std::vector<Eigen::MatrixXf> LayerModel::activations(const cnn::ImageBatch& pixels, const std::vector<std::string>& names,
                                                     const std::function<void(std::size_t, std::size_t)>& progress) const {
  if (pixels.channels != impl_->channels || pixels.height != impl_->height || pixels.width != impl_->width) {
    throw std::invalid_argument("layer activations: the model takes " + std::to_string(impl_->channels) + " x " +
                                std::to_string(impl_->height) + " x " + std::to_string(impl_->width) + " images, found " +
                                std::to_string(pixels.channels) + " x " + std::to_string(pixels.height) + " x " + std::to_string(pixels.width));
  }
  if (impl_->network) return impl_->network->activations(pixels, names, impl_->batch_size, progress);
  cnn::ImageBatch normalised = pixels;
  const std::size_t plane = static_cast<std::size_t>(pixels.height * pixels.width);
  for (std::size_t start = 0; start < normalised.values.size(); start += plane) {
    const std::size_t channel = (start / plane) % static_cast<std::size_t>(pixels.channels);
    for (std::size_t i = start; i < start + plane; ++i) normalised.values[i] = (normalised.values[i] - impl_->mean[channel]) / impl_->std[channel];
  }
  return impl_->torchscript->activations(normalised, names, impl_->batch_size, progress);
}

std::vector<std::string> LayerModel::chosen_layers(const std::string& layers_option, const std::string& option) const {
  std::vector<std::string> names;
  if (layers_option.empty()) {
    for (const cnn::LayerInfo& layer : layers()) names.push_back(layer.name);
    return names;
  }
  names = split_option_list(layers_option, option.substr(option.find_first_not_of('-')));
  require_layers(names, option);
  return names;
}

std::vector<std::int64_t> LayerModel::unit_counts(const std::vector<std::string>& names, const std::string& option) const {
  require_layers(names, option);
  const std::vector<cnn::LayerInfo> available = layers();
  std::vector<std::int64_t> units;
  for (const std::string& name : names) {
    const auto found = std::find_if(available.begin(), available.end(), [&](const cnn::LayerInfo& info) { return info.name == name; });
    std::int64_t count = 1;
    for (std::int64_t extent : found->shape) count *= extent;
    units.push_back(count);
  }
  return units;
}

cnn::Preprocessing LayerModel::file_preprocessing() const {
  cnn::Preprocessing preprocessing;
  preprocessing.resize_shorter = impl_->resize_shorter;
  preprocessing.crop = static_cast<int>(std::min(impl_->height, impl_->width));
  preprocessing.mean = {0.0f, 0.0f, 0.0f};
  preprocessing.std = {1.0f, 1.0f, 1.0f};
  preprocessing.grey = impl_->channels == 1;
  return preprocessing;
}

std::vector<std::pair<std::size_t, std::size_t>> layer_groups_within_budget(const std::vector<std::int64_t>& units, std::int64_t images,
                                                                            double memory_gib) {
  if (!(memory_gib > 0)) throw std::invalid_argument("--memory-gib: expected > 0, found " + std::to_string(memory_gib));
  const double budget = memory_gib * 1024.0 * 1024.0 * 1024.0;
  const auto bytes_of = [&](std::size_t layer) { return 4.0 * static_cast<double>(images) * static_cast<double>(units[layer]); };
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::size_t start = 0;
  while (start < units.size()) {
    std::size_t end = start + 1;
    double bytes = bytes_of(start);
    while (end < units.size() && bytes + bytes_of(end) <= budget) bytes += bytes_of(end++);
    groups.emplace_back(start, end);
    start = end;
  }
  return groups;
}

void for_each_layer_activations(const LayerModel& model, const cnn::ImageBatch& images, const std::vector<std::string>& layers,
                                double memory_gib, RunContext& context,
                                const std::function<void(std::size_t, Eigen::MatrixXf&)>& use) {
  const std::vector<std::int64_t> units = model.unit_counts(layers, "--layers");
  for (const auto& [first, last] : layer_groups_within_budget(units, images.count, memory_gib)) {
    const std::vector<std::string> group(layers.begin() + static_cast<std::ptrdiff_t>(first), layers.begin() + static_cast<std::ptrdiff_t>(last));
    std::vector<Eigen::MatrixXf> activations;
    {
      ProgressBar progress = context.progress("activations " + group.front() + (group.size() > 1 ? ".." + group.back() : ""));
      activations = model.activations(images, group, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
      progress.finish();
    }
    for (std::size_t j = 0; j < group.size(); ++j) {
      use(first + j, activations[j]);
      activations[j] = Eigen::MatrixXf();  // free the layer as soon as it is used
    }
  }
}

}  // namespace visalign::apps
