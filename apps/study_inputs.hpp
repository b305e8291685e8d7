#pragma once
// Everything `visalign study` checks before its first step: every subject's manifest and the ROIs the
// configuration names, the stimulus table (RE images with classes, or complete RE/AN/AI sets), that every
// subject saw exactly the stimuli's images, and that the CNN loads and has the layers asked for. Each
// problem is one message naming the configuration's field.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/study_config.hpp"
#include "fmri/subject_manifest.hpp"

namespace visalign::apps {

struct StudyLayer {
  std::string name;
  std::vector<std::int64_t> shape;  // one image's output: C x H x W for convolutional layers
};

struct StudyInputs {
  std::vector<fmri::SubjectManifest> subjects;  // in the configuration's order
  bool stimuli_complete = false;                // the table has AN and AI images (else `cnn adversarial` makes them)
  std::vector<std::string> image_ids;           // the RE images, in the table's order
  std::vector<StudyLayer> model_layers;         // every layer of the model
  std::vector<std::string> layers;              // the layers analysed (cnn.layers, or every layer)
  std::vector<std::string> encoding_layers;     // encoding.layers, or `layers`
  std::string model_description;                // the first line of `cnn layers`
};

/// The flags the cnn commands take for the configured model: --model FILE <options> | --network FILE, --device.
std::vector<std::string> model_arguments(const StudyConfig& config);

/// Checks the inputs (see above) with `program` (visalign) for the model; std::runtime_error
/// "<config>: <field>: <problem>" otherwise.
StudyInputs check_study_inputs(const StudyConfig& config, const std::filesystem::path& program);

}  // namespace visalign::apps
