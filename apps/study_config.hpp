#pragma once
// The configuration of `visalign study` (README "The study"): one JSON file naming the subjects, the ROIs,
// the CNN, the stimuli and the settings of every analysis of the core study, with paths relative to the
// file. Reading it checks the syntax, the types and ranges, unknown keys and that every named file
// exists; each problem is a FormatError naming the file and the field ("rsa.permutations: expected an
// integer >= 1, found 0"). What needs the data itself (the ROIs of each subject, the image sets, the
// model's layers) is checked by the study before any step runs.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace visalign::apps {

struct StudyConfig {
  std::filesystem::path file;    // the configuration, absolute
  std::string name = "study";    // shown in the report
  std::filesystem::path output;  // absolute; default: <config folder>/<config stem>-output
  std::optional<std::uint64_t> seed;  // absent: the command line's --seed
  std::optional<int> threads;         // absent: the command line's --threads

  std::vector<std::filesystem::path> subjects;  // manifests, absolute
  std::vector<std::string> rois = {"V1", "V2", "V3", "V4", "LO"};

  struct VertexSelection {
    int per_hemisphere = 100;
    double radius_mm = 3.0;
    std::string disk_surface = "flat";  // flat, midthickness or white
  } selection;

  struct Cnn {
    std::filesystem::path model;    // TorchScript, or
    std::filesystem::path network;  // a `cnn train` checkpoint
    std::string options;            // the model's input flags as the cnn commands take them ("--grey --resize 28 --crop 28")
    std::vector<std::string> layers;  // empty: every layer
    std::string device = "auto";
    std::filesystem::path class_names;  // optional TSV (index, label) for `cnn adversarial --class-names`
  } cnn;

  struct Stimuli {
    std::filesystem::path images;  // a TSV: file, image_id, image_type (RE, AN, AI), category, class
  } stimuli;

  struct Adversarial {  // when the stimuli have RE images only: `cnn adversarial` makes AN and AI
    std::string target = "other-category";
    double threshold = 0.99;
    int max_iterations = 0;  // 0: the command's default
  } adversarial;

  struct Rsa {
    std::string distance = "correlation", comparison = "spearman";
    int permutations = 1000, bootstraps = 1000;
  } rsa;

  struct Searchlight {
    bool enabled = true;
    int permutations = 1000;
  } searchlight;

  struct Encoding {
    bool enabled = true;
    std::string method = "romp";
    std::vector<std::string> layers;       // empty: the CNN layers
    int sparsity = 0;                      // 0: leave-one-out choice among the candidates
    std::vector<int> sparsity_candidates;  // empty: the command's default
    int permutations = 1000, subsamples = 1000;
  } encoding;

  struct ModelVersusV1 {
    bool tuning = false;                       // `cnn tuning` of the CNN's convolutional layers
    std::filesystem::path eigenspectrum_images;  // `cnn eigenspectra` on these natural images (empty: none)
  } model_versus_v1;
};

/// Reads and checks the configuration (see above).
StudyConfig read_study_config(const std::filesystem::path& file);

}  // namespace visalign::apps
