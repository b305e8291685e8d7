#include "surface/surface_patch.hpp"

#include "surface/format_error.hpp"

namespace visalign::surface {

Mesh apply_patch(const Mesh& full_surface, const SurfacePatch& patch, const std::string& patch_source) {
  const Eigen::Index vertex_count = full_surface.vertex_count();
  Mesh patched;
  patched.vertices = full_surface.vertices;
  patched.excluded.assign(static_cast<std::size_t>(vertex_count), 1);
  for (std::size_t point = 0; point < patch.vertices.size(); ++point) {
    const std::int32_t vertex = patch.vertices[point];
    if (vertex < 0 || vertex >= vertex_count) {
      throw FormatError(patch_source, "vertex numbers: expected vertices below the surface's " +
                                          std::to_string(vertex_count) + ", found vertex " + std::to_string(vertex) +
                                          " at point " + std::to_string(point));
    }
    if (patched.excluded[static_cast<std::size_t>(vertex)] == 0) {
      throw FormatError(patch_source, "vertex numbers: vertex " + std::to_string(vertex) + " appears twice");
    }
    patched.excluded[static_cast<std::size_t>(vertex)] = 0;
    patched.vertices.row(vertex) = patch.coordinates.row(static_cast<Eigen::Index>(point));
  }
  std::vector<Eigen::Index> kept;
  for (Eigen::Index f = 0; f < full_surface.face_count(); ++f) {
    const auto face = full_surface.faces.row(f);
    if (!patched.is_excluded(face(0)) && !patched.is_excluded(face(1)) && !patched.is_excluded(face(2))) {
      kept.push_back(f);
    }
  }
  patched.faces.resize(static_cast<Eigen::Index>(kept.size()), 3);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    patched.faces.row(static_cast<Eigen::Index>(i)) = full_surface.faces.row(kept[i]);
  }
  return patched;
}

}  // namespace visalign::surface
