#include "fmri/surface_map_file.hpp"

#include <stdexcept>

#include "fmri/mgh.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"
#include "surface/freesurfer_curv.hpp"
#include "surface/gifti.hpp"
#include "surface/surface_file.hpp"
#include "surface/vtk_polydata.hpp"

namespace visalign::fmri {

std::vector<surface::SurfaceMap> read_surface_maps(const std::filesystem::path& path) {
  if (has_mgh_extension(path)) return read_mgh_maps(path);
  const std::vector<char> bytes = surface::read_file_bytes(path);
  if (surface::looks_like_gifti(bytes)) return surface::read_gifti_maps(path);
  if (surface::looks_like_freesurfer_curv(bytes)) return {surface::read_freesurfer_curv(path)};
  throw surface::FormatError(path.string(), "format: expected per-vertex data (FreeSurfer curv, GIFTI or MGH/MGZ), "
                                            "found none of them");
}

void write_surface_maps(const std::vector<surface::SurfaceMap>& maps, const std::filesystem::path& path,
                        const surface::Mesh* mesh) {
  if (maps.empty()) throw std::invalid_argument(path.string() + ": no maps to write");
  for (const auto& map : maps) {
    if (map.values.size() != maps.front().values.size() || (mesh != nullptr && map.values.size() != mesh->vertex_count())) {
      throw std::invalid_argument(path.string() + ": map '" + map.name + "' has " + std::to_string(map.values.size()) +
                                  " values, expected " +
                                  std::to_string(mesh != nullptr ? mesh->vertex_count() : maps.front().values.size()));
    }
  }
  if (has_mgh_extension(path)) return write_mgh_maps(maps, path);
  switch (surface::surface_format_for_output(path)) {
    case surface::SurfaceFormat::gifti:
      return surface::write_gifti_maps(maps, path);
    case surface::SurfaceFormat::vtk_polydata:
      if (mesh == nullptr) throw std::invalid_argument(path.string() + ": a .vtp output needs the surface");
      return surface::write_vtk_polydata(*mesh, maps, path);
    case surface::SurfaceFormat::freesurfer:
      if (maps.size() != 1) {
        throw std::invalid_argument(path.string() + ": a FreeSurfer curv file holds one map, " +
                                    std::to_string(maps.size()) + " given (use .mgh, .mgz or .gii for several)");
      }
      return surface::write_freesurfer_curv(maps.front(), path, mesh != nullptr ? static_cast<std::int32_t>(mesh->face_count()) : 0);
  }
}

}  // namespace visalign::fmri
