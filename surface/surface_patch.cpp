#include "surface/surface_patch.hpp"

#include <algorithm>
#include <map>
#include <utility>

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

SurfacePatch patch_from_flat_surface(const Mesh& flat, const std::string& source) {
  if (flat.face_count() == 0) throw FormatError(source, "faces: expected the faces of a flat map, found none");
  const Eigen::Index vertex_count = flat.vertex_count();
  std::vector<std::uint8_t> used(static_cast<std::size_t>(vertex_count), 0), border(static_cast<std::size_t>(vertex_count), 0);
  std::map<std::pair<std::int32_t, std::int32_t>, int> edge_faces;  // undirected edge -> faces that have it
  for (Eigen::Index f = 0; f < flat.face_count(); ++f) {
    for (int k = 0; k < 3; ++k) {
      const std::int32_t a = flat.faces(f, k), b = flat.faces(f, (k + 1) % 3);
      used[static_cast<std::size_t>(a)] = 1;
      ++edge_faces[{std::min(a, b), std::max(a, b)}];
    }
  }
  for (const auto& [edge, faces] : edge_faces) {
    if (faces == 1) border[static_cast<std::size_t>(edge.first)] = border[static_cast<std::size_t>(edge.second)] = 1;
  }
  SurfacePatch patch;
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    if (used[static_cast<std::size_t>(v)] != 0) patch.vertices.push_back(static_cast<std::int32_t>(v));
  }
  patch.coordinates.resize(static_cast<Eigen::Index>(patch.vertices.size()), 3);
  for (std::size_t i = 0; i < patch.vertices.size(); ++i) {
    const std::int32_t v = patch.vertices[i];
    patch.coordinates.row(static_cast<Eigen::Index>(i)) << flat.vertices(v, 0), flat.vertices(v, 1), 0.0f;
    patch.border.push_back(border[static_cast<std::size_t>(v)]);
  }
  return patch;
}

}  // namespace visalign::surface
