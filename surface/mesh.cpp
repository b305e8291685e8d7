#include "surface/mesh.hpp"

#include <cmath>

#include "surface/format_error.hpp"

namespace visalign::surface {

Eigen::Index Mesh::included_vertex_count() const {
  if (excluded.empty()) return vertex_count();
  Eigen::Index count = 0;
  for (const std::uint8_t flag : excluded) count += flag == 0 ? 1 : 0;
  return count;
}

void validate_mesh(const Mesh& mesh, const std::string& source) {
  const Eigen::Index vertex_count = mesh.vertex_count();
  if (!mesh.excluded.empty() && static_cast<Eigen::Index>(mesh.excluded.size()) != vertex_count) {
    throw FormatError(source, "exclusion flags: expected " + std::to_string(vertex_count) + " entries, found " +
                                  std::to_string(mesh.excluded.size()));
  }
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    if (mesh.is_excluded(v)) continue;
    for (int axis = 0; axis < 3; ++axis) {
      if (!std::isfinite(mesh.vertices(v, axis))) {
        throw FormatError(source, "vertex coordinates: expected finite numbers, found " +
                                      std::to_string(mesh.vertices(v, axis)) + " at vertex " + std::to_string(v));
      }
    }
  }
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    for (int corner = 0; corner < 3; ++corner) {
      const std::int32_t vertex = mesh.faces(f, corner);
      if (vertex < 0 || vertex >= vertex_count) {
        throw FormatError(source, "faces: expected vertex indices in [0, " + std::to_string(vertex_count) +
                                      "), found " + std::to_string(vertex) + " in face " + std::to_string(f));
      }
      if (mesh.is_excluded(vertex)) {
        throw FormatError(source, "faces: face " + std::to_string(f) + " uses vertex " + std::to_string(vertex) +
                                      ", which is outside the surface");
      }
    }
    if (mesh.faces(f, 0) == mesh.faces(f, 1) || mesh.faces(f, 1) == mesh.faces(f, 2) ||
        mesh.faces(f, 0) == mesh.faces(f, 2)) {
      throw FormatError(source, "faces: expected three distinct vertices, found face " + std::to_string(f) + " = (" +
                                    std::to_string(mesh.faces(f, 0)) + ", " + std::to_string(mesh.faces(f, 1)) +
                                    ", " + std::to_string(mesh.faces(f, 2)) + ")");
    }
  }
}

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t hash) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

std::uint64_t mesh_checksum(const Mesh& mesh) {
  std::uint64_t hash = fnv1a64(mesh.vertices.data(), sizeof(float) * static_cast<std::size_t>(mesh.vertices.size()));
  hash = fnv1a64(mesh.faces.data(), sizeof(std::int32_t) * static_cast<std::size_t>(mesh.faces.size()), hash);
  if (!mesh.excluded.empty()) hash = fnv1a64(mesh.excluded.data(), mesh.excluded.size(), hash);
  return hash;
}

}  // namespace visalign::surface
