#pragma once
// V1 predictivity of a model's layers (seed 001, METHODS.md "V1 predictivity"): each layer's features of
// the recorded stimuli are reduced to their scores on the principal axes of the same layer's features
// of a SEPARATE set of natural images (the basis never sees the stimuli or the neurons), then
// encoding::compute_neural_predictivity fits PLS (or ridge) over random train/test splits and corrects
// each neuron's held-out r by its split-half reliability. Layers are read in groups that fit a memory
// budget, one pass of the images per group, as apps/layer_eigenspectra does.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "apps/command.hpp"
#include "apps/layer_model.hpp"
#include "cnn/image_batch.hpp"
#include "encoding/neural_predictivity.hpp"

namespace visalign::apps {

struct FeaturePredictivity {
  std::string layer;          // a layer's name, or the feature set's (e.g. "v1_simulator")
  std::int64_t units = 0;     // features per image before the PCA
  int components = 0;         // basis principal axes the regression saw
  encoding::NeuralPredictivity result;
};

struct LayerPredictivitySettings {
  int components = 1000;                        // basis principal axes kept (at most basis images - 1 exist)
  encoding::NeuralPredictivityOptions regression;  // its pca_components must be 0: the basis projection is done here
  double memory_gib = 4.0;                      // activations held at once (float), stimuli and basis images together
};

/// Predictivity of one feature set: `stimulus_features` (stimuli x units, rows as the repeats' rows) scored
/// on the first settings.components principal axes of `basis_features` (basis images x units), then the
/// regression. std::invalid_argument for pca_components != 0, components < 1, unequal unit counts, or what
/// encoding::basis_pca_scores and compute_neural_predictivity refuse. progress(done, total) over the splits.
FeaturePredictivity feature_predictivity(const std::string& name, const Eigen::Ref<const Eigen::MatrixXf>& stimulus_features,
                                         const Eigen::Ref<const Eigen::MatrixXf>& basis_features,
                                         const std::vector<Eigen::MatrixXd>& repeats, const LayerPredictivitySettings& settings,
                                         const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Every layer of `layers` (in the order given): `images` holds the stimuli (its first `stimuli` images, in
/// the repeats' row order) followed by the basis images, [0, 1] pixels of the model's input size. Progress
/// bars from `context`. std::invalid_argument naming --layers for an unknown layer.
std::vector<FeaturePredictivity> layer_predictivities(const LayerModel& model, const cnn::ImageBatch& images, std::int64_t stimuli,
                                                      const std::vector<std::string>& layers,
                                                      const std::vector<Eigen::MatrixXd>& repeats,
                                                      const LayerPredictivitySettings& settings, RunContext& context);

}  // namespace visalign::apps
