// visalign rsa select: split-half reliability of every searchlight disk and the most reliable
// vertices of each ROI (core study, "Vertex selection").

#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/subject_data.hpp"
#include "fmri/surface_label.hpp"
#include "fmri/surface_map_file.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/surface_file.hpp"

namespace visalign::apps {

namespace {

struct RsaSelectOptions {
  SubjectInput input;
  std::string rois = "V1,V2,V3,V4,LO";
  int per_hemisphere = 100;
  std::string reference = "RE";
  std::string distance = "correlation";
  std::string out;
};

void declare(RsaSelectOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("rois", po::value(&options.rois)->default_value(options.rois), "comma-separated ROI names of the manifest")
      ("per-hemisphere", po::value(&options.per_hemisphere)->default_value(options.per_hemisphere),
       "vertices kept per ROI and hemisphere (the study: 100, i.e. 200 per ROI; 200 as a check)")
      ("reference", po::value(&options.reference)->default_value(options.reference),
       "image type whose RDMs of two presentations give the reliability (only these betas are used)")
      ("distance", po::value(&options.distance)->default_value(options.distance), "RDM distance: correlation, euclidean or cosine")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <subject>/<hemi>.reliability.func.gii and .mgz, <subject>/selected_vertices.tsv, "
       "<subject>/label/<hemi>.<roi>.selected.label");
  declare_subject_input(options.input, declaration);
}

void run(const RsaSelectOptions& options, RunContext& context) {
  const rsa::RdmDistance distance = rsa::parse_rdm_distance(options.distance);
  for (const std::string& manifest_path : options.input.manifests) {
    const LoadedSubject subject = load_subject(manifest_path, options.input, context);
    const fmri::SubjectManifest& manifest = subject.manifest;
    const std::vector<HemisphereData>& hemispheres = subject.hemispheres;
    const std::vector<std::string> rois = roi_names(options.rois, hemispheres, manifest_path);
    const auto folder = std::filesystem::path(options.out) / manifest.subject;
    std::filesystem::create_directories(folder / "label");
    const auto selections = select_vertices(hemispheres, rois, options.per_hemisphere, options.reference, distance, context);

    fmri::TsvTable table;
    table.columns = {"subject", "hemisphere", "roi", "rank", "vertex", "reliability"};
    for (std::size_t h = 0; h < hemispheres.size(); ++h) {
      const auto& hemisphere = hemispheres[h];
      const std::string name = hemisphere.files.name;
      const surface::Mesh white = surface::read_surface(hemisphere.files.white);
      const surface::SurfaceMap map{"split_half_reliability_" + options.reference, "Spearman rho",
                                    selections[h].reliability.cast<float>()};
      for (const char* extension : {".reliability.func.gii", ".reliability.mgz"}) {
        const auto path = folder / (name + extension);
        fmri::write_surface_maps({map}, path, &white);
        context.finished_output(path);
      }
      for (const auto& roi : rois) {
        const auto& selected = selections[h].selected.at(roi);
        fmri::SurfaceLabel label;
        label.comment = "visalign rsa select: " + std::to_string(selected.vertices.size()) + " most reliable vertices of " + roi;
        label.coordinates.resize(static_cast<Eigen::Index>(selected.vertices.size()), 3);
        for (std::size_t i = 0; i < selected.vertices.size(); ++i) {
          table.rows.push_back({manifest.subject, name, roi, std::to_string(i + 1), std::to_string(selected.vertices[i]),
                                std::to_string(selected.reliability[i])});
          label.vertices.push_back(selected.vertices[i]);
          label.coordinates.row(static_cast<Eigen::Index>(i)) = white.vertices.row(selected.vertices[i]);
          label.values.push_back(static_cast<float>(selected.reliability[i]));
        }
        const auto path = folder / "label" / (name + "." + roi + ".selected.label");
        fmri::write_freesurfer_label(label, path);
        context.record_output(path);
        std::printf("%s %s %-6s %3zu vertices, reliability %.3f to %.3f\n", manifest.subject.c_str(), name.c_str(), roi.c_str(),
                    selected.vertices.size(), selected.reliability.empty() ? 0.0 : selected.reliability.front(),
                    selected.reliability.empty() ? 0.0 : selected.reliability.back());
      }
    }
    const auto table_path = folder / "selected_vertices.tsv";
    fmri::write_tsv(table, table_path);
    context.finished_output(table_path);
  }
}

}  // namespace

Command rsa_select_command() {
  return make_command<RsaSelectOptions>(
      {"rsa", "select", "vertex selection: split-half reliability of every searchlight disk, top vertices per ROI",
       "For every vertex, the Spearman correlation between the RDMs (1 - Pearson by default) of its searchlight\n"
       "disk's patterns in presentation 1 and 2 of the RE images; then the --per-hemisphere most reliable\n"
       "vertices of each ROI. Writes the reliability maps, a TSV of the selected vertices and one label per\n"
       "ROI and hemisphere. Only RE betas are used, never AN/AI."},
      declare, run);
}

}  // namespace visalign::apps
