#include "apps/study_derivatives.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fmri/surface_map_file.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

std::string slurp(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw std::runtime_error(file.string() + ": cannot read a step output (was the step run?)");
  std::stringstream text;
  text << stream.rdbuf();
  return text.str();
}

/// The provenance sidecar a command wrote beside `file`, or null.
nlohmann::json provenance_of(const std::filesystem::path& file) {
  const std::filesystem::path sidecar = file.string() + ".json";
  if (!std::filesystem::exists(sidecar)) return nullptr;
  try {
    return nlohmann::json::parse(slurp(sidecar));
  } catch (const std::exception&) {
    return nullptr;
  }
}

/// A copy of a table with its BIDS sidecar (same name, .json).
void publish_table(const std::filesystem::path& source, const std::filesystem::path& destination, const std::string& description) {
  std::filesystem::create_directories(destination.parent_path());
  surface::write_bytes_atomically(destination, slurp(source));
  std::filesystem::path sidecar = destination;
  sidecar.replace_extension(".json");
  const nlohmann::json record = {{"Description", description}, {"Sources", {source.string()}}, {"Provenance", provenance_of(source)}};
  surface::write_bytes_atomically(sidecar, record.dump(2) + "\n");
}

struct MapName {
  const char* source;  // the map's name in the command's GIFTI
  const char* desc;    // BIDS desc-
  const char* suffix;  // BIDS suffix
};

const std::vector<MapName> kSearchlightMaps = {{"r_RE-AN", "REAN", "sim"},       {"r_RE-AI", "REAI", "sim"}, {"r_AI_minus_AN", "AIminusAN", "sim"},
                                               {"p_RE-AN", "REAN", "p"},         {"p_RE-AI", "REAI", "p"}, {"q_RE-AN", "REAN", "q"},
                                               {"q_RE-AI", "REAI", "q"}};

}  // namespace

std::string bids_hemisphere(const std::string& hemisphere) { return hemisphere == "lh" ? "L" : hemisphere == "rh" ? "R" : hemisphere; }

void write_study_derivatives(const StudyLayout& layout) {
  const std::filesystem::path& out = layout.output;
  const nlohmann::json description = {
      {"Name", layout.config.name},
      {"BIDSVersion", "1.8.0"},
      {"DatasetType", "derivative"},
      {"GeneratedBy", {{{"Name", "visalign"}, {"Version", VISALIGN_VERSION}, {"Description", "visalign study " + layout.config.file.string()}}}}};
  std::filesystem::create_directories(out);
  surface::write_bytes_atomically(out / "dataset_description.json", description.dump(2) + "\n");

  for (const StudySubjectLayout& subject : layout.subjects) {
    const std::string s = subject.name;
    const std::filesystem::path folder = out / s;
    publish_table(subject.roi_rsa / (s + ".roi_rsa.tsv"), folder / (s + "_desc-roirsa_similarity.tsv"),
                  "ROI RSA: R(RE-AN), R(RE-AI) per ROI and presentation with permutation p, vertex-bootstrap and subsample intervals, and "
                  "the image-bootstrap test of RE-AI against RE-AN");
    publish_table(subject.selection / s / "selected_vertices.tsv", folder / (s + "_desc-selection_vertices.tsv"),
                  "the most reliable vertices of each ROI and hemisphere (split-half RDM reliability of the RE images)");
    if (!subject.encoding.empty()) {
      publish_table(subject.encoding / (s + ".encoding.tsv"), folder / (s + "_desc-encoding_accuracy.tsv"),
                    "encoding models trained on RE: accuracy for AN and AI per ROI and layer, permutation p, 95% subsample interval");
      publish_table(subject.encoding / (s + ".best_layer.tsv"), folder / (s + "_desc-bestlayer_proportion.tsv"),
                    "the share of each ROI's vertices best predicted by each layer");
    }
    for (const fmri::HemisphereFiles& h : subject.manifest.hemispheres) {
      const std::string hemi = "hemi-" + bids_hemisphere(h.name);
      const std::filesystem::path hemi_folder = folder / hemi;
      std::filesystem::create_directories(hemi_folder);
      const std::string stem = s + "_" + hemi + "_desc-";
      const auto reliability = fmri::read_surface_maps(subject.selection / s / (h.name + ".reliability.func.gii"));
      fmri::write_surface_maps(reliability, hemi_folder / (stem + "reliability_sim.func.gii"));
      if (subject.searchlight.empty()) continue;
      const std::filesystem::path source = subject.searchlight / s / (h.name + ".searchlight.func.gii");
      for (const surface::SurfaceMap& map : fmri::read_surface_maps(source)) {
        for (const MapName& name : kSearchlightMaps) {
          if (map.name == name.source) fmri::write_surface_maps({map}, hemi_folder / (stem + name.desc + "_" + name.suffix + ".func.gii"));
        }
      }
    }
  }
  publish_table(layout.cnn_rsa / "layers.tsv", out / "cnn" / "desc-layers_similarity.tsv",
                "RSA of the CNN layers: R(RE-AN), R(RE-AI) per layer with permutation p and image-bootstrap intervals");
  publish_table(layout.cnn_rsa / "layers.trends.tsv", out / "cnn" / "desc-layers_trends.tsv",
                "Mann-Kendall trend of R(RE-AN) and R(RE-AI) across the layers");
  publish_table(layout.stimuli_table, out / "cnn" / "stimuli.tsv", "the RE, AN and AI images with the CNN's classes and probabilities");
  publish_table(layout.group / "group_roi_rsa.tsv", out / "group" / "desc-roirsa_stats.tsv",
                "per ROI: R(RE-AN) and R(RE-AI) over subjects x presentations, paired t-test");
  if (layout.config.encoding.enabled) {
    publish_table(layout.group / "group_encoding.tsv", out / "group" / "desc-encoding_stats.tsv",
                  "per ROI and layer: encoding accuracy for AN and AI over subjects x presentations, paired t-test");
    publish_table(layout.group / "group_best_layer.tsv", out / "group" / "desc-bestlayer_proportion.tsv",
                  "per ROI, test and layer: the share of vertices best predicted by the layer, mean over subjects");
  }
}

}  // namespace visalign::apps
