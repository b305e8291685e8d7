#pragma once
// The options that describe a simulated V1 population (cnn::V1ModelSpec), declared once for every command
// that builds one: `cnn v1-simulate`, `cnn tuning`, and `cnn train --front-end v1` (with a prefix).

#include <string>

#include "apps/command.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/v1_model.hpp"

namespace visalign::apps {

/// Declares --<prefix>simple-cells, --<prefix>complex-cells, --<prefix>image-size (unless with_image_size is
/// false: a command that takes the size from its images), --<prefix>field-of-view, --<prefix>bandwidth,
/// --<prefix>rf-jitter, --<prefix>peak-rate, --<prefix>baseline-rate and --<prefix>population-seed, each
/// writing into `spec` (its values are the defaults shown). Validate with cnn::validate_v1_model_spec.
void declare_v1_model_options(cnn::V1ModelSpec& spec, CommandDeclaration& declaration, const std::string& prefix = "",
                              bool with_image_size = true);

/// How image files reach the simulator: [0, 1] pixels, shorter side resized to spec.image_size and centre-cropped
/// (the whole stimulus, as the neurons see it), no normalisation.
cnn::Preprocessing v1_stimulus_preprocessing(const cnn::V1ModelSpec& spec);

}  // namespace visalign::apps
