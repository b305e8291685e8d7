#include "apps/study_inputs.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "apps/image_list.hpp"
#include "apps/pipeline.hpp"
#include "fmri/design.hpp"

namespace visalign::apps {

namespace {

[[noreturn]] void fail(const StudyConfig& config, const std::string& field, const std::string& problem) {
  throw std::runtime_error(config.file.string() + ": " + field + ": " + problem);
}

std::string listing(const std::vector<std::string>& names, std::size_t most = 12) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < most; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > most) text += ", ... (" + std::to_string(names.size()) + " in all)";
  return text;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> result;
  for (std::string word; stream >> word;) result.push_back(word);
  return result;
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream stream(file);
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

/// The last non-empty line of a command's stderr, without the "visalign <command>: error: " prefix.
std::string error_line(const std::string& text) {
  std::istringstream stream(text);
  std::string line, last;
  while (std::getline(stream, line)) {
    if (!line.empty()) last = line;
  }
  const std::size_t at = last.find(": error: ");
  return at == std::string::npos ? last : last.substr(at + 9);
}

/// `cnn layers` of the model, parsed: its first line and every layer with its shape.
std::vector<StudyLayer> probe_model(const StudyConfig& config, const std::filesystem::path& program, std::string& description) {
  char pattern[] = "/tmp/visalign-study-XXXXXX";
  const int descriptor = mkstemp(pattern);
  if (descriptor < 0) throw std::runtime_error("study: cannot make a temporary file in /tmp");
  close(descriptor);
  const std::filesystem::path out = pattern;
  std::filesystem::path err = out;
  err += ".err";
  std::vector<std::string> arguments = {"cnn", "layers"};
  const std::vector<std::string> model = model_arguments(config);
  arguments.insert(arguments.end(), model.begin(), model.end());
  arguments.push_back("--threads");
  arguments.push_back("1");
  const int code = run_program(program, arguments, out, err);
  const std::string listing_text = slurp(out), errors = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  const std::string field = config.cnn.model.empty() ? "cnn.network" : "cnn.model";
  if (code != 0) fail(config, field, "the model does not load: " + error_line(errors));
  std::istringstream lines(listing_text);
  std::string line;
  std::getline(lines, description);
  std::getline(lines, line);  // the header
  std::vector<StudyLayer> layers;
  while (std::getline(lines, line)) {
    const std::vector<std::string> tokens = words(line);
    if (tokens.size() < 3) continue;
    StudyLayer layer{tokens.front(), {}};
    for (std::size_t i = 1; i + 1 < tokens.size(); ++i) {
      if (tokens[i] != "x") layer.shape.push_back(std::stoll(tokens[i]));
    }
    layers.push_back(layer);
  }
  if (layers.empty()) fail(config, field, "'visalign cnn layers' listed no layers for it");
  return layers;
}

std::vector<std::string> checked_layers(const StudyConfig& config, const std::string& field, const std::vector<std::string>& wanted,
                                        const std::vector<std::string>& available) {
  for (const std::string& name : wanted) {
    if (std::find(available.begin(), available.end(), name) == available.end()) {
      fail(config, field, "unknown layer \"" + name + "\"; the model's layers are: " + listing(available, 40));
    }
  }
  return wanted.empty() ? available : wanted;
}

}  // namespace

std::vector<std::string> model_arguments(const StudyConfig& config) {
  std::vector<std::string> arguments;
  if (!config.cnn.network.empty()) {
    arguments = {"--network", config.cnn.network.string()};
  } else {
    arguments = {"--model", config.cnn.model.string()};
    const std::vector<std::string> options = words(config.cnn.options);
    arguments.insert(arguments.end(), options.begin(), options.end());
  }
  arguments.insert(arguments.end(), {"--device", config.cnn.device});
  return arguments;
}

StudyInputs check_study_inputs(const StudyConfig& config, const std::filesystem::path& program) {
  StudyInputs inputs;
  if (!config.cnn.network.empty() && !config.cnn.options.empty()) {
    fail(config, "cnn.options", "a 'cnn train' network takes no input options (it has its own size and normalisation)");
  }
  if (config.searchlight.enabled && config.rsa.comparison != "spearman" && config.rsa.comparison != "pearson") {
    fail(config, "rsa.comparison", "the searchlight compares RDMs by spearman or pearson, found \"" + config.rsa.comparison +
                                       "\" (or set searchlight.enabled to false)");
  }

  // The stimuli: RE images with their classes (AN and AI are made from them), or every image of all three types.
  const ImageList stimuli = read_image_list(config.stimuli.images);
  std::map<std::string, std::set<std::string>> types_of;  // image_id -> types
  for (const fmri::DesignColumn& column : stimuli.images.columns) {
    if (column.image_type != "RE" && column.image_type != "AN" && column.image_type != "AI") {
      fail(config, "stimuli.images", config.stimuli.images.string() + ": image " + column.image_id + ": image_type: expected RE, AN or AI, found " +
                                         column.image_type);
    }
    if (!types_of[column.image_id].insert(column.image_type).second) {
      fail(config, "stimuli.images", config.stimuli.images.string() + ": image " + column.image_id + " (" + column.image_type + ") is listed twice");
    }
    if (column.image_type == "RE") inputs.image_ids.push_back(column.image_id);
  }
  if (inputs.image_ids.size() < 3) {
    fail(config, "stimuli.images", config.stimuli.images.string() + ": expected at least 3 RE images, found " + std::to_string(inputs.image_ids.size()));
  }
  std::size_t complete = 0;
  for (const auto& [id, types] : types_of) {
    if (types.count("RE") == 0) fail(config, "stimuli.images", config.stimuli.images.string() + ": image " + id + " has no RE row");
    complete += types.size() == 3 ? 1 : 0;
  }
  inputs.stimuli_complete = complete == types_of.size();
  if (!inputs.stimuli_complete) {
    if (complete > 0 || stimuli.images.columns.size() != inputs.image_ids.size()) {
      fail(config, "stimuli.images", config.stimuli.images.string() + ": expected either RE images only (AN and AI are then made) or RE, AN and AI "
                                         "rows for every image, found " + std::to_string(complete) + " of " + std::to_string(types_of.size()) +
                                         " images complete");
    }
    if (stimuli.classes.empty()) {
      fail(config, "stimuli.images", config.stimuli.images.string() + ": making AN and AI images needs each RE image's class (a 'class' or "
                                         "'imagenet_index' column)");
    }
  }

  // Every subject: its manifest, the ROIs in every hemisphere, and exactly the stimuli's images in its design.
  std::set<std::string> names;
  for (std::size_t s = 0; s < config.subjects.size(); ++s) {
    const std::string field = "subjects[" + std::to_string(s) + "]";
    fmri::SubjectManifest manifest;
    try {
      manifest = fmri::read_subject_manifest(config.subjects[s]);
    } catch (const std::exception& error) {
      fail(config, field, error.what());
    }
    if (!names.insert(manifest.subject).second) fail(config, field, "subject " + manifest.subject + " is listed twice");
    for (const fmri::HemisphereFiles& hemisphere : manifest.hemispheres) {
      std::vector<std::string> defined;
      for (const auto& [name, source] : hemisphere.rois) defined.push_back(name);
      for (const std::string& roi : config.rois) {
        if (hemisphere.rois.count(roi) == 0) {
          fail(config, "rois", "ROI '" + roi + "' is not defined for " + manifest.subject + " (" + hemisphere.name + " of " +
                                   manifest.file.string() + " defines " + (defined.empty() ? "none" : listing(defined, 40)) + ")");
        }
      }
      if (config.selection.disk_surface == "flat" && hemisphere.flat_patch.empty()) {
        fail(config, "vertex_selection.disk_surface", "flat needs a flat_patch, and " + manifest.subject + " (" + hemisphere.name + ") has none");
      }
      if (config.selection.disk_surface == "midthickness" && hemisphere.pial.empty()) {
        fail(config, "vertex_selection.disk_surface", "midthickness needs a pial surface, and " + manifest.subject + " (" + hemisphere.name +
                                                          ") has none");
      }
      const fmri::Design design = fmri::read_design(hemisphere.design);
      std::set<std::pair<std::string, std::string>> seen, expected;
      for (const fmri::DesignColumn& column : design.columns) {
        if (column.image_type == "RE" || column.image_type == "AN" || column.image_type == "AI") seen.insert({column.image_id, column.image_type});
      }
      for (const std::string& id : inputs.image_ids) {
        for (const char* type : {"RE", "AN", "AI"}) expected.insert({id, type});
      }
      std::vector<std::string> missing, extra;
      for (const auto& item : expected) {
        if (seen.count(item) == 0) missing.push_back(item.first + " (" + item.second + ")");
      }
      for (const auto& item : seen) {
        if (expected.count(item) == 0) extra.push_back(item.first + " (" + item.second + ")");
      }
      if (!missing.empty() || !extra.empty()) {
        fail(config, field, "the images of " + manifest.subject + " (" + hemisphere.design.string() + ") and of stimuli.images differ: " +
                                (missing.empty() ? "" : "the design lacks " + listing(missing, 4)) + (!missing.empty() && !extra.empty() ? "; " : "") +
                                (extra.empty() ? "" : "the stimuli lack " + listing(extra, 4)));
      }
    }
    inputs.subjects.push_back(std::move(manifest));
  }

  // The model loads and has the layers asked for.
  inputs.model_layers = probe_model(config, program, inputs.model_description);
  std::vector<std::string> available;
  for (const StudyLayer& layer : inputs.model_layers) available.push_back(layer.name);
  inputs.layers = checked_layers(config, "cnn.layers", config.cnn.layers, available);
  inputs.encoding_layers = checked_layers(config, "encoding.layers", config.encoding.layers, inputs.layers);
  if (inputs.layers.size() < 3) fail(config, "cnn.layers", "the layer trend tests need at least 3 layers, found " + std::to_string(inputs.layers.size()));
  if (config.encoding.enabled && config.encoding.sparsity >= static_cast<int>(inputs.image_ids.size())) {
    fail(config, "encoding.sparsity", "expected fewer than the " + std::to_string(inputs.image_ids.size()) + " RE images, found " +
                                          std::to_string(config.encoding.sparsity));
  }
  return inputs;
}

}  // namespace visalign::apps
