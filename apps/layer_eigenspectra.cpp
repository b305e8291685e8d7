#include "apps/layer_eigenspectra.hpp"

#include <algorithm>
#include <stdexcept>

#include "apps/progress_bar.hpp"

namespace visalign::apps {

void require_images_for_fit(std::int64_t images, const EigenspectrumSettings& settings) {
  if (settings.fit_first < 1 || settings.fit_last <= settings.fit_first) {
    throw std::invalid_argument("--fit-first/--fit-last: expected 1 <= first < last, found " + std::to_string(settings.fit_first) + ".." +
                                std::to_string(settings.fit_last));
  }
  if (images < settings.fit_last) {
    throw std::invalid_argument("--images: " + std::to_string(images) + " images give " + std::to_string(std::max<std::int64_t>(images - 1, 0)) +
                                " eigenvalues, fewer than the fit range " + std::to_string(settings.fit_first) + ".." +
                                std::to_string(settings.fit_last) + " needs (at least " + std::to_string(settings.fit_last) +
                                " images); give more images or a smaller --fit-last");
  }
}

std::vector<LayerEigenspectrum> layer_eigenspectra(const LayerModel& model, const cnn::ImageBatch& images,
                                                   const std::vector<std::string>& layers, const EigenspectrumSettings& settings,
                                                   RunContext& context) {
  require_images_for_fit(images.count, settings);
  model.require_layers(layers, "--layers");
  if (!(settings.memory_gib > 0)) throw std::invalid_argument("--memory-gib: expected > 0, found " + std::to_string(settings.memory_gib));
  std::vector<LayerEigenspectrum> result(layers.size());
  const std::vector<cnn::LayerInfo> available = model.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto found = std::find_if(available.begin(), available.end(), [&](const cnn::LayerInfo& info) { return info.name == layers[i]; });
    std::int64_t units = 1;
    for (std::int64_t extent : found->shape) units *= extent;
    result[i].layer = layers[i];
    result[i].units = units;
  }
  // Groups of consecutive layers whose activations fit the budget together (a layer larger than the budget alone).
  const double budget = settings.memory_gib * 1024.0 * 1024.0 * 1024.0;
  std::size_t start = 0;
  while (start < layers.size()) {
    std::size_t end = start + 1;
    double bytes = 4.0 * static_cast<double>(images.count) * static_cast<double>(result[start].units);
    while (end < layers.size() && bytes + 4.0 * static_cast<double>(images.count) * static_cast<double>(result[end].units) <= budget) {
      bytes += 4.0 * static_cast<double>(images.count) * static_cast<double>(result[end].units);
      ++end;
    }
    const std::vector<std::string> group(layers.begin() + static_cast<std::ptrdiff_t>(start), layers.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<Eigen::MatrixXf> activations;
    {
      ProgressBar progress = context.progress("activations " + group.front() + (group.size() > 1 ? ".." + group.back() : ""));
      activations = model.activations(images, group, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
      progress.finish();
    }
    for (std::size_t j = 0; j < group.size(); ++j) {
      LayerEigenspectrum& spectrum = result[start + j];
      ProgressBar progress = context.progress("PCA " + spectrum.layer);
      spectrum.eigenvalues = encoding::covariance_eigenvalues(activations[j], 2048,
                                                              [&](std::size_t done, std::size_t total) { progress.update(done, total); });
      progress.finish();
      activations[j] = Eigen::MatrixXf();  // free the layer as soon as its spectrum is known
      spectrum.fit = encoding::fit_power_law(spectrum.eigenvalues, settings.fit_first, settings.fit_last);
    }
    start = end;
  }
  return result;
}

}  // namespace visalign::apps
