#include "apps/layer_predictivity.hpp"

#include <algorithm>
#include <stdexcept>

#include "apps/progress_bar.hpp"
#include "encoding/eigenspectrum.hpp"

namespace visalign::apps {

FeaturePredictivity feature_predictivity(const std::string& name, const Eigen::Ref<const Eigen::MatrixXf>& stimulus_features,
                                         const Eigen::Ref<const Eigen::MatrixXf>& basis_features,
                                         const std::vector<Eigen::MatrixXd>& repeats, const LayerPredictivitySettings& settings,
                                         const std::function<void(std::size_t, std::size_t)>& progress) {
  if (settings.regression.pca_components != 0) {
    throw std::invalid_argument("layer predictivity: the regression's own PCA must be off (0), found " +
                                std::to_string(settings.regression.pca_components) + " components");
  }
  if (settings.components < 1) throw std::invalid_argument("--components: expected >= 1, found " + std::to_string(settings.components));
  FeaturePredictivity predictivity;
  predictivity.layer = name;
  predictivity.units = stimulus_features.cols();
  encoding::NeuralPredictivityData data;
  // Never more axes than features: the basis's centred Gram then has only rounding left beyond the features'
  // rank, and basis_pca_scores' threshold (singular values below 1e-9 of the first) keeps such axes, whose
  // scores would be rounding divided by rounding.
  const auto components = static_cast<int>(std::min<Eigen::Index>(settings.components, stimulus_features.cols()));
  data.features = encoding::basis_pca_scores(basis_features, stimulus_features, components);
  data.repeats = repeats;
  predictivity.components = static_cast<int>(data.features.cols());
  predictivity.result = encoding::compute_neural_predictivity(data, settings.regression, progress);
  return predictivity;
}

std::vector<FeaturePredictivity> layer_predictivities(const LayerModel& model, const cnn::ImageBatch& images, std::int64_t stimuli,
                                                      const std::vector<std::string>& layers,
                                                      const std::vector<Eigen::MatrixXd>& repeats,
                                                      const LayerPredictivitySettings& settings, RunContext& context) {
  if (stimuli < 1 || stimuli >= images.count) {
    throw std::invalid_argument("layer predictivity: expected stimuli followed by basis images, found " + std::to_string(stimuli) +
                                " stimuli of " + std::to_string(images.count) + " images");
  }
  const std::int64_t basis = images.count - stimuli;
  std::vector<FeaturePredictivity> result;
  for_each_layer_activations(model, images, layers, settings.memory_gib, context, [&](std::size_t index, Eigen::MatrixXf& activations) {
    ProgressBar progress = context.progress("predictivity " + layers[index]);
    result.push_back(feature_predictivity(layers[index], activations.topRows(stimuli), activations.bottomRows(basis), repeats, settings,
                                          [&](std::size_t done, std::size_t total) { progress.update(done, total); }));
    progress.finish();
  });
  return result;
}

}  // namespace visalign::apps
