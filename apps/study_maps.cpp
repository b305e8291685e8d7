#include "apps/study_maps.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "apps/offscreen_display.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/atomic_output.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/map_picture.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"

namespace visalign::apps {

namespace {

/// The largest |value| below which 99% of the finite values of the maps lie (at least 0.05).
double symmetric_range(const std::vector<const surface::SurfaceMap*>& maps) {
  std::vector<float> magnitudes;
  for (const surface::SurfaceMap* map : maps) {
    for (Eigen::Index v = 0; v < map->values.size(); ++v) {
      if (std::isfinite(map->values(v))) magnitudes.push_back(std::fabs(map->values(v)));
    }
  }
  if (magnitudes.empty()) return 1.0;
  const std::size_t at = static_cast<std::size_t>(0.99 * static_cast<double>(magnitudes.size() - 1));
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(at), magnitudes.end());
  const double high = magnitudes[at];
  return std::max(0.05, std::ceil(high * 20.0) / 20.0);  // a round number: 0.05 steps
}

const surface::SurfaceMap& named_map(const std::vector<surface::SurfaceMap>& maps, const std::string& name, const std::filesystem::path& file) {
  for (const surface::SurfaceMap& map : maps) {
    if (map.name == name) return map;
  }
  throw std::runtime_error(file.string() + ": no map named " + name);
}

}  // namespace

void render_study_maps(const StudyLayout& layout, const std::filesystem::path& folder) {
  nlohmann::json index = {{"pictures", nlohmann::json::array()}};
  OffscreenDisplay display;
  if (!display.available()) {
    index["not_rendered"] = display.why_not();
    std::cerr << "study: cortical maps not rendered: " << display.why_not() << "\n";
    surface::write_bytes_atomically(folder / "maps.json", index.dump(2) + "\n");
    return;
  }
  for (const StudySubjectLayout& subject : layout.subjects) {
    if (subject.searchlight.empty()) continue;
    // One symmetric colour range for both maps of both hemispheres of a subject.
    std::vector<std::pair<const fmri::HemisphereFiles*, std::vector<surface::SurfaceMap>>> hemispheres;
    for (const fmri::HemisphereFiles& h : subject.manifest.hemispheres) {
      hemispheres.emplace_back(&h, fmri::read_surface_maps(subject.searchlight / subject.name / (h.name + ".searchlight.func.gii")));
    }
    std::vector<const surface::SurfaceMap*> compared;
    for (const auto& [files, maps] : hemispheres) {
      const std::filesystem::path file = subject.searchlight / subject.name / (files->name + ".searchlight.func.gii");
      compared.push_back(&named_map(maps, "r_RE-AN", file));
      compared.push_back(&named_map(maps, "r_RE-AI", file));
    }
    const double range = symmetric_range(compared);
    for (const auto& [files, maps] : hemispheres) {
      const fmri::HemisphereFiles& h = *files;
      const std::filesystem::path file = subject.searchlight / subject.name / (h.name + ".searchlight.func.gii");
      const surface::Mesh white = surface::read_surface(h.white);
      const surface::Mesh inflated = h.inflated.empty() ? white : surface::read_surface(h.inflated);
      const double side = h.name == "lh" ? -1.0 : 1.0;
      struct View {
        std::string name, surface_name;
        const surface::Mesh* mesh;
        surface::MapPictureView settings;
      };
      std::vector<View> views;
      surface::Mesh flat;
      if (!h.flat_patch.empty()) {
        flat = surface::apply_patch(white, surface::read_freesurfer_patch(h.flat_patch), h.flat_patch.string());
        surface::MapPictureView settings;
        settings.parallel = true;
        settings.zoom = 1.1;
        views.push_back({"flat", "flat patch", &flat, settings});
      }
      const std::string surface_name = h.inflated.empty() ? "white" : "inflated";
      surface::MapPictureView posterior;
      posterior.direction = {0, -1, 0};
      posterior.up = {0, 0, 1};
      views.push_back({"posterior", surface_name + ", from behind", &inflated, posterior});
      surface::MapPictureView lateral;
      lateral.direction = {side, 0, 0};
      lateral.up = {0, 0, 1};
      views.push_back({"lateral", surface_name + ", from the side", &inflated, lateral});
      for (const char* measure : {"RE-AN", "RE-AI"}) {
        const surface::SurfaceMap& map = named_map(maps, std::string("r_") + measure, file);
        for (const View& view : views) {
          const std::string name = subject.name + "_" + h.name + "_" + measure + "_" + view.name + ".png";
          surface::write_bytes_atomically(folder / name, surface::render_map_png(*view.mesh, map.values, {-range, range, true}, view.settings));
          index["pictures"].push_back({{"file", name}, {"subject", subject.name}, {"hemisphere", h.name}, {"measure", measure},
                                       {"view", view.name}, {"surface", view.surface_name}, {"low", -range}, {"high", range}});
        }
      }
    }
  }
  surface::write_bytes_atomically(folder / "maps.json", index.dump(2) + "\n");
}

}  // namespace visalign::apps
