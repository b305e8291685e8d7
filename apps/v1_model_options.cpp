#include "apps/v1_model_options.hpp"

namespace visalign::apps {

void declare_v1_model_options(cnn::V1ModelSpec& spec, CommandDeclaration& declaration, const std::string& prefix,
                              bool with_image_size) {
  const auto name = [&](const char* option) { return prefix + option; };
  auto options = declaration.options.add_options();
  options(name("simple-cells").c_str(), po::value(&spec.simple_cells)->default_value(spec.simple_cells),
          "simulated simple cells (half-rectified Gabor responses)");
  options(name("complex-cells").c_str(), po::value(&spec.complex_cells)->default_value(spec.complex_cells),
          "simulated complex cells (energy of a quadrature pair of Gabors)");
  if (with_image_size) {
    options(name("image-size").c_str(), po::value(&spec.image_size)->default_value(spec.image_size),
            "side of the square images the neurons see, pixels (other images are resized and centre-cropped to it)");
  }
  options(name("field-of-view").c_str(), po::value(&spec.field_of_view)->default_value(spec.field_of_view),
          "degrees of visual angle spanned by the image (METHODS: 224 px = 6.4 deg)");
  options(name("bandwidth").c_str(), po::value(&spec.bandwidth_octaves)->default_value(spec.bandwidth_octaves),
          "spatial-frequency bandwidth of every cell, octaves at half amplitude (sets the Gabor envelope: sigma = 0.416 / f at 1.4)");
  options(name("rf-jitter").c_str(), po::value(&spec.rf_jitter)->default_value(spec.rf_jitter),
          "receptive-field centres uniform within +- this many degrees of the image centre (0: all centred)");
  options(name("peak-rate").c_str(), po::value(&spec.peak_rate)->default_value(spec.peak_rate),
          "expected spike count above baseline for a full-contrast grating of a cell's preferred frequency, orientation and phase");
  options(name("baseline-rate").c_str(), po::value(&spec.baseline_rate)->default_value(spec.baseline_rate),
          "spontaneous expected spike count added to every response");
  options(name("population-seed").c_str(), po::value(&spec.seed)->default_value(spec.seed),
          "draws the population: preferred frequencies (De Valois), orientations, phases, RF positions");
}

cnn::Preprocessing v1_stimulus_preprocessing(const cnn::V1ModelSpec& spec) {
  cnn::Preprocessing preprocessing;
  preprocessing.resize_shorter = spec.image_size;
  preprocessing.crop = spec.image_size;
  preprocessing.mean = {0, 0, 0};
  preprocessing.std = {1, 1, 1};
  return preprocessing;
}

}  // namespace visalign::apps
