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
  const std::vector<std::int64_t> units = model.unit_counts(layers, "--layers");
  std::vector<LayerEigenspectrum> result(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    result[i].layer = layers[i];
    result[i].units = units[i];
  }
  for_each_layer_activations(model, images, layers, settings.memory_gib, context, [&](std::size_t index, Eigen::MatrixXf& activations) {
    LayerEigenspectrum& spectrum = result[index];
    ProgressBar progress = context.progress("PCA " + spectrum.layer);
    spectrum.eigenvalues =
        encoding::covariance_eigenvalues(activations, 2048, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
    spectrum.fit = encoding::fit_power_law(spectrum.eigenvalues, settings.fit_first, settings.fit_last);
  });
  return result;
}

}  // namespace visalign::apps
