#include "fmri/subject_rois.hpp"

#include <stdexcept>

#include "fmri/betas.hpp"
#include "fmri/surface_label.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

Roi read_label_roi(const std::filesystem::path& path, const std::string& name, std::int64_t vertex_count) {
  const SurfaceLabel label = read_freesurfer_label(path);
  for (const std::int32_t vertex : label.vertices) {
    if (vertex >= vertex_count) {
      throw surface::FormatError(path.string(), "vertices: expected vertex numbers below the surface's " +
                                                    std::to_string(vertex_count) + ", found " + std::to_string(vertex));
    }
  }
  return make_roi(name, label.vertices);
}

std::map<std::string, Roi> load_hemisphere_rois(const HemisphereFiles& files, std::int64_t vertex_count,
                                                const std::string& manifest_source) {
  std::map<std::string, Roi> rois;
  const std::string field = "hemispheres." + files.name + ".rois.";
  // Files first: they depend on nothing.
  for (const auto& [name, source] : files.rois) {
    if (source.kind == RoiSource::Kind::label) {
      rois[name] = read_label_roi(source.file, name, vertex_count);
    } else if (source.kind == RoiSource::Kind::annotation) {
      const Parcellation parcellation = read_parcellation(source.file);
      if (static_cast<std::int64_t>(parcellation.vertex_region.size()) != vertex_count) {
        throw surface::FormatError(source.file.string(), "vertices: expected " + std::to_string(vertex_count) +
                                                             " (the surface's), found " +
                                                             std::to_string(parcellation.vertex_region.size()));
      }
      rois[name] = make_roi(name, parcellation_region_vertices(parcellation, source.region, source.file.string()));
    }
  }
  // Then localizers (their masks may use file ROIs) and expressions, until nothing more resolves.
  std::map<std::string, const RoiSource*> pending;
  for (const auto& [name, source] : files.rois) {
    if (source.kind == RoiSource::Kind::localizer || source.kind == RoiSource::Kind::expression) pending[name] = &source;
  }
  while (!pending.empty()) {
    bool progress = false;
    std::string last_problem;
    for (auto it = pending.begin(); it != pending.end();) {
      const std::string& name = it->first;
      const RoiSource& source = *it->second;
      try {
        if (source.kind == RoiSource::Kind::expression) {
          rois[name] = evaluate_roi_expression(source.expression, rois);
        } else {
          std::optional<Roi> mask;
          if (!source.mask.empty()) mask = evaluate_roi_expression(source.mask, rois);
          const LocalizerSource& localizer = files.localizers.at(source.localizer);
          const Eigen::MatrixXf betas = read_betas(localizer.betas);
          check_betas(betas, vertex_count, localizer.betas.string(), files.white.string(), false);
          rois[name] = localize(betas, read_localizer_design(localizer.design), localizer.design.string(),
                                localizer.contrast, name, mask)
                           .roi;
        }
        rois[name].name = name;
        require_nonempty(rois[name], manifest_source + ": " + field + name);
        it = pending.erase(it);
        progress = true;
      } catch (const std::invalid_argument& error) {  // an unknown name: maybe defined later
        last_problem = field + name + ": " + error.what();
        ++it;
      }
    }
    if (!progress) throw surface::FormatError(manifest_source, last_problem);
  }
  return rois;
}

}  // namespace visalign::fmri
