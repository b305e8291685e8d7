#include "apps/layer_model.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "cnn/network.hpp"
#include "cnn/torchscript_model.hpp"

namespace visalign::apps {

struct LayerModel::Impl {
  std::optional<cnn::TorchScriptModel> torchscript;
  std::optional<cnn::Network> network;
  std::optional<cnn::Classifier> classifier;
  std::vector<float> mean, std;  // TorchScript: per-channel normalisation applied before the model
  std::int64_t channels = 0, height = 0, width = 0;
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

cnn::Preprocessing LayerModel::file_preprocessing() const {
  cnn::Preprocessing preprocessing;
  preprocessing.resize_shorter = static_cast<int>(std::min(impl_->height, impl_->width));
  preprocessing.crop = static_cast<int>(std::min(impl_->height, impl_->width));
  preprocessing.mean = {0.0f, 0.0f, 0.0f};
  preprocessing.std = {1.0f, 1.0f, 1.0f};
  preprocessing.grey = impl_->channels == 1;
  return preprocessing;
}

}  // namespace visalign::apps
