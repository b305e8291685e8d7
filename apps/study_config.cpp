#include "apps/study_config.hpp"

#include <set>

#include "fmri/json_fields.hpp"

namespace visalign::apps {

namespace {

constexpr const char* kFormat = "visalign-study-1";

const nlohmann::json& object_at(const fmri::JsonFields& fields, const nlohmann::json& document, const std::string& key) {
  const nlohmann::json& value = document.at(key);
  if (!value.is_object()) fields.fail(key, "expected an object, found " + value.dump());
  return value;
}

}  // namespace

StudyConfig read_study_config(const std::filesystem::path& file) {
  const nlohmann::json document = fmri::read_json_document(file);
  const fmri::JsonFields fields(file);
  if (!document.is_object()) fields.fail("top level", "expected a JSON object");
  fields.only_known_keys(document,
                         {"format", "name", "output", "seed", "threads", "subjects", "rois", "vertex_selection", "cnn", "stimuli",
                          "adversarial", "rsa", "searchlight", "encoding", "model_versus_v1"},
                         "top level");
  if (document.contains("format") && document.at("format") != kFormat) {
    fields.fail("format", std::string("expected \"") + kFormat + "\", found " + document.at("format").dump());
  }
  StudyConfig config;
  config.file = std::filesystem::absolute(file);
  if (document.contains("name")) config.name = fields.text(document.at("name"), "name");
  config.output = document.contains("output") ? fields.path(document.at("output"), "output")
                                              : config.file.parent_path() / (config.file.stem().string() + "-output");
  if (document.contains("seed")) config.seed = static_cast<std::uint64_t>(fields.integer(document.at("seed"), "seed", 0));
  if (document.contains("threads")) config.threads = static_cast<int>(fields.integer(document.at("threads"), "threads", 1));

  const nlohmann::json& subjects = fields.member(document, "subjects", "top level");
  if (!subjects.is_array() || subjects.empty()) fields.fail("subjects", "expected a non-empty array of manifest paths, found " + subjects.dump());
  std::set<std::filesystem::path> seen;
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string field = "subjects[" + std::to_string(i) + "]";
    const std::filesystem::path manifest = std::filesystem::weakly_canonical(fields.existing_file(subjects[i], field));
    if (!seen.insert(manifest).second) fields.fail(field, "manifest " + manifest.string() + " is listed twice");
    config.subjects.push_back(manifest);
  }
  if (document.contains("rois")) {
    config.rois = fields.texts(document.at("rois"), "rois");
    std::set<std::string> names;
    for (const std::string& roi : config.rois) {
      if (!names.insert(roi).second) fields.fail("rois", "ROI '" + roi + "' is listed twice");
    }
  }

  if (document.contains("vertex_selection")) {
    const nlohmann::json& section = object_at(fields, document, "vertex_selection");
    fields.only_known_keys(section, {"per_hemisphere", "radius_mm", "disk_surface"}, "vertex_selection");
    auto& s = config.selection;
    if (section.contains("per_hemisphere")) s.per_hemisphere = static_cast<int>(fields.integer(section.at("per_hemisphere"), "vertex_selection.per_hemisphere", 2));
    if (section.contains("radius_mm")) s.radius_mm = fields.number(section.at("radius_mm"), "vertex_selection.radius_mm", 0.1, 50.0);
    if (section.contains("disk_surface")) {
      s.disk_surface = fields.text(section.at("disk_surface"), "vertex_selection.disk_surface");
      if (s.disk_surface != "flat" && s.disk_surface != "midthickness" && s.disk_surface != "white") {
        fields.fail("vertex_selection.disk_surface", "expected flat, midthickness or white, found \"" + s.disk_surface + "\"");
      }
    }
  }

  const nlohmann::json& cnn = fields.member(document, "cnn", "top level");
  if (!cnn.is_object()) fields.fail("cnn", "expected an object, found " + cnn.dump());
  fields.only_known_keys(cnn, {"model", "network", "options", "layers", "device", "class_names"}, "cnn");
  if (cnn.contains("model") == cnn.contains("network")) {
    fields.fail("cnn", std::string("expected exactly one of 'model' (TorchScript) and 'network' ('cnn train' checkpoint), found ") +
                           (cnn.contains("model") ? "both" : "neither"));
  }
  if (cnn.contains("model")) config.cnn.model = fields.existing_file(cnn.at("model"), "cnn.model");
  if (cnn.contains("network")) config.cnn.network = fields.existing_file(cnn.at("network"), "cnn.network");
  if (cnn.contains("options")) config.cnn.options = fields.text(cnn.at("options"), "cnn.options");
  if (cnn.contains("layers")) config.cnn.layers = fields.texts(cnn.at("layers"), "cnn.layers");
  if (cnn.contains("device")) config.cnn.device = fields.text(cnn.at("device"), "cnn.device");
  if (cnn.contains("class_names")) config.cnn.class_names = fields.existing_file(cnn.at("class_names"), "cnn.class_names");

  const nlohmann::json& stimuli = fields.member(document, "stimuli", "top level");
  if (!stimuli.is_object()) fields.fail("stimuli", "expected an object, found " + stimuli.dump());
  fields.only_known_keys(stimuli, {"images"}, "stimuli");
  config.stimuli.images = fields.existing_file(fields.member(stimuli, "images", "stimuli"), "stimuli.images");

  if (document.contains("adversarial")) {
    const nlohmann::json& section = object_at(fields, document, "adversarial");
    fields.only_known_keys(section, {"target", "threshold", "max_iterations"}, "adversarial");
    auto& a = config.adversarial;
    if (section.contains("target")) a.target = fields.text(section.at("target"), "adversarial.target");
    if (a.target != "other-category" && a.target != "runner-up" && a.target.rfind("fixed:", 0) != 0) {
      fields.fail("adversarial.target", "expected other-category, runner-up or fixed:<class>, found \"" + a.target + "\"");
    }
    if (section.contains("threshold")) a.threshold = fields.number(section.at("threshold"), "adversarial.threshold", 0.0, 1.0);
    if (section.contains("max_iterations")) a.max_iterations = static_cast<int>(fields.integer(section.at("max_iterations"), "adversarial.max_iterations", 1));
  }

  if (document.contains("rsa")) {
    const nlohmann::json& section = object_at(fields, document, "rsa");
    fields.only_known_keys(section, {"distance", "comparison", "permutations", "bootstraps"}, "rsa");
    auto& r = config.rsa;
    if (section.contains("distance")) r.distance = fields.text(section.at("distance"), "rsa.distance");
    if (r.distance != "correlation" && r.distance != "euclidean" && r.distance != "cosine") {
      fields.fail("rsa.distance", "expected correlation, euclidean or cosine, found \"" + r.distance + "\"");
    }
    if (section.contains("comparison")) r.comparison = fields.text(section.at("comparison"), "rsa.comparison");
    if (r.comparison != "spearman" && r.comparison != "pearson" && r.comparison != "kendall-tau-a" && r.comparison != "rho-a") {
      fields.fail("rsa.comparison", "expected spearman, pearson, kendall-tau-a or rho-a, found \"" + r.comparison + "\"");
    }
    if (section.contains("permutations")) r.permutations = static_cast<int>(fields.integer(section.at("permutations"), "rsa.permutations", 1));
    if (section.contains("bootstraps")) r.bootstraps = static_cast<int>(fields.integer(section.at("bootstraps"), "rsa.bootstraps", 1));
  }

  if (document.contains("searchlight")) {
    const nlohmann::json& section = object_at(fields, document, "searchlight");
    fields.only_known_keys(section, {"enabled", "permutations"}, "searchlight");
    if (section.contains("enabled")) config.searchlight.enabled = fields.boolean(section.at("enabled"), "searchlight.enabled");
    if (section.contains("permutations")) {
      config.searchlight.permutations = static_cast<int>(fields.integer(section.at("permutations"), "searchlight.permutations", 0));
    }
  }

  if (document.contains("encoding")) {
    const nlohmann::json& section = object_at(fields, document, "encoding");
    fields.only_known_keys(section, {"enabled", "method", "layers", "sparsity", "sparsity_candidates", "permutations", "subsamples"}, "encoding");
    auto& e = config.encoding;
    if (section.contains("enabled")) e.enabled = fields.boolean(section.at("enabled"), "encoding.enabled");
    if (section.contains("method")) e.method = fields.text(section.at("method"), "encoding.method");
    if (e.method != "romp" && e.method != "omp") fields.fail("encoding.method", "expected romp or omp, found \"" + e.method + "\"");
    if (section.contains("layers")) e.layers = fields.texts(section.at("layers"), "encoding.layers");
    if (section.contains("sparsity")) e.sparsity = static_cast<int>(fields.integer(section.at("sparsity"), "encoding.sparsity", 0));
    if (section.contains("sparsity_candidates")) {
      const nlohmann::json& candidates = section.at("sparsity_candidates");
      if (!candidates.is_array() || candidates.empty()) {
        fields.fail("encoding.sparsity_candidates", "expected a non-empty array of integers >= 1, found " + candidates.dump());
      }
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        e.sparsity_candidates.push_back(
            static_cast<int>(fields.integer(candidates[i], "encoding.sparsity_candidates[" + std::to_string(i) + "]", 1)));
      }
    }
    if (section.contains("permutations")) e.permutations = static_cast<int>(fields.integer(section.at("permutations"), "encoding.permutations", 1));
    if (section.contains("subsamples")) e.subsamples = static_cast<int>(fields.integer(section.at("subsamples"), "encoding.subsamples", 1));
  }

  if (document.contains("model_versus_v1")) {
    const nlohmann::json& section = object_at(fields, document, "model_versus_v1");
    fields.only_known_keys(section, {"tuning", "eigenspectrum_images"}, "model_versus_v1");
    if (section.contains("tuning")) config.model_versus_v1.tuning = fields.boolean(section.at("tuning"), "model_versus_v1.tuning");
    if (section.contains("eigenspectrum_images")) {
      config.model_versus_v1.eigenspectrum_images = fields.existing_file(section.at("eigenspectrum_images"), "model_versus_v1.eigenspectrum_images");
    }
  }
  return config;
}

}  // namespace visalign::apps
