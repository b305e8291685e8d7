#pragma once
// Where the steps of `visalign study` put their outputs, for the steps done in-process (group statistics,
// pictures of the maps, derivatives, report) to find them.

#include <filesystem>
#include <string>
#include <vector>

#include "apps/command.hpp"
#include "apps/pipeline.hpp"
#include "apps/study_config.hpp"
#include "apps/study_inputs.hpp"

namespace visalign::apps {

struct StudySubjectLayout {
  std::string name;  // the manifest's subject, e.g. "sub-01"
  fmri::SubjectManifest manifest;
  std::filesystem::path selection, roi_rsa, searchlight, encoding;  // step folders ("" when the step is not run)
};

struct StudyLayout {
  StudyConfig config;
  StudyInputs inputs;
  GlobalOptions global;                   // the seed and threads the steps ran with
  std::filesystem::path output;           // the study's output folder (BIDS derivatives + report.html)
  std::filesystem::path steps;            // <output>/steps: one folder per step
  std::filesystem::path stimuli_table;    // RE, AN and AI images (given, or made by the stimuli step)
  std::filesystem::path layers_json;      // the CNN's activations (layer list)
  std::filesystem::path encoding_layers_json;  // the layers of the encoding models
  std::filesystem::path cnn_rsa, tuning, eigenspectra, group, map_pictures;  // step folders ("" when not run)
  std::vector<StudySubjectLayout> subjects;
  std::vector<StepPlan> plans;  // every step as it stood before the run
};

}  // namespace visalign::apps
