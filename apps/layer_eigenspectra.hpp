#pragma once
// Eigenspectra of a model's layers to natural images (seed 001, METHODS.md "Eigenspectrum and power
// law"): PCA eigenvalues of each layer's activations and the power-law exponent alpha over indices
// first..last. Layers are read in groups that fit a memory budget, one pass of the images per group.

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

#include "apps/command.hpp"
#include "apps/layer_model.hpp"
#include "cnn/image_batch.hpp"
#include "encoding/eigenspectrum.hpp"

namespace visalign::apps {

struct LayerEigenspectrum {
  std::string layer;
  std::int64_t units = 0;
  Eigen::VectorXd eigenvalues;  // images - 1 values, descending
  encoding::PowerLawFit fit;
};

struct EigenspectrumSettings {
  int fit_first = 10, fit_last = 1000;
  double memory_gib = 4.0;  // activations held at once (float), across the layers of one pass
};

/// std::invalid_argument naming --images when there are fewer images than the fit range needs (images <
/// fit_last: the spectrum has images - 1 values), or --fit-first/--fit-last when the range is empty.
void require_images_for_fit(std::int64_t images, const EigenspectrumSettings& settings);

/// The spectra of `layers` (in the order given) to `images` ([0, 1] pixels of the model's input size),
/// with progress bars from `context`.
std::vector<LayerEigenspectrum> layer_eigenspectra(const LayerModel& model, const cnn::ImageBatch& images,
                                                   const std::vector<std::string>& layers, const EigenspectrumSettings& settings,
                                                   RunContext& context);

}  // namespace visalign::apps
