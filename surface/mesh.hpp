#pragma once
// A triangle mesh of one cortical hemisphere (or a synthetic surface), in millimetres.

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace visalign::surface {

using VertexMatrix = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;        // #V by 3, mm
using FaceMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, 3, Eigen::RowMajor>;  // #F by 3, 0-based

struct Mesh {
  VertexMatrix vertices;  // #V by 3
  FaceMatrix faces;       // #F by 3, vertex indices
  /// Empty (every vertex belongs to the surface) or #V flags, 1 where a vertex lies outside
  /// this surface: a patch keeps the full surface's vertex numbering and marks the rest.
  std::vector<std::uint8_t> excluded;

  Eigen::Index vertex_count() const { return vertices.rows(); }
  Eigen::Index face_count() const { return faces.rows(); }
  bool is_excluded(Eigen::Index vertex) const {
    return !excluded.empty() && excluded[static_cast<std::size_t>(vertex)] != 0;
  }
  /// Vertices that belong to the surface (all of them unless this is a patch).
  Eigen::Index included_vertex_count() const;
};

/// Checks what every consumer relies on: finite coordinates of included vertices, face indices
/// in range and not on excluded vertices, no degenerate (repeated-vertex) faces, and a
/// consistent `excluded` size. Throws FormatError naming `source` and the first offending entry.
void validate_mesh(const Mesh& mesh, const std::string& source);

/// 64-bit FNV-1a over the vertex coordinates (float32), the faces (int32) and the exclusion
/// flags, so that a stored neighbourhood table can be matched to the surface it was made from.
std::uint64_t mesh_checksum(const Mesh& mesh);

/// FNV-1a 64 of a byte range, continuing from `hash` (the offset basis by default).
std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t hash = 14695981039346656037ull);

}  // namespace visalign::surface
