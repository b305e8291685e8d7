#pragma once
// Geodesic distance on a triangle mesh from one source vertex, up to a radius.
//
// Two methods:
//  - dijkstra: shortest paths along mesh edges. Fast and simple, but a path along edges zig-zags,
//    so it overestimates true distances by several percent.
//  - fast_marching: Dijkstra-ordered front propagation in which every triangle whose two other
//    corners are final updates its third corner by unfolding it into the plane of a virtual
//    point source placed at the two corners' distances (circular wavefront, as in Novotni &
//    Klein 2002 and the virtual-source variants of fast marching; Kimmel & Sethian 1998 use a
//    planar front). Straight geodesics through triangle interiors are reproduced exactly on a
//    flat mesh; on curved cortex the error is a fraction of a percent (see tests).
//
// Precompute once, query many: a GeodesicGraph is built once per mesh and read by every thread;
// each thread owns a GeodesicWorkspace.

#include <cstdint>
#include <string>
#include <vector>

#include "surface/mesh.hpp"

namespace visalign::surface {

enum class GeodesicMethod { dijkstra, fast_marching };

/// "dijkstra" or "fast-marching".
std::string to_string(GeodesicMethod method);
/// Parses "dijkstra" / "fast-marching"; throws std::invalid_argument naming the accepted values.
GeodesicMethod parse_geodesic_method(const std::string& name);

struct VertexDistance {
  std::int32_t vertex;
  float distance;  // mm
};

/// The mesh as the solvers read it: edge lengths and, per vertex, its triangles' side lengths.
/// Immutable once built; excluded (patch) vertices have no edges.
class GeodesicGraph {
 public:
  /// Validates the mesh (validate_mesh) and precomputes the adjacency.
  static GeodesicGraph build(const Mesh& mesh, const std::string& source = "surface");

  std::int32_t vertex_count() const { return vertex_count_; }
  bool is_excluded(std::int32_t vertex) const {
    return !excluded_.empty() && excluded_[static_cast<std::size_t>(vertex)] != 0;
  }

  struct Edge {
    std::int32_t to;
    double length;
  };
  /// A triangle seen from one of its corners: the other two corners and the three side lengths.
  struct Corner {
    std::int32_t first, second;  // the other two corners
    double to_first, to_second;  // lengths from this corner to them
    double between;              // length from first to second
  };

 private:
  friend class GeodesicWorkspace;
  std::int32_t vertex_count_ = 0;
  std::vector<std::uint8_t> excluded_;
  std::vector<std::int64_t> edge_offsets_;    // #V+1
  std::vector<Edge> edges_;                   // both directions
  std::vector<std::int64_t> corner_offsets_;  // #V+1
  std::vector<Corner> corners_;
};

/// One thread's scratch space for repeated queries on meshes of one size. Not shared.
class GeodesicWorkspace {
 public:
  explicit GeodesicWorkspace(std::int32_t vertex_count);

  /// Distances from `source` to every vertex within `radius_mm` (inclusive), ascending, the
  /// source first at 0. The returned reference stays valid until the next call on this workspace.
  /// An excluded source, or one in no triangle, gives an empty list. std::invalid_argument for a source out of range.
  const std::vector<VertexDistance>& distances_within(const GeodesicGraph& graph, std::int32_t source,
                                                      double radius_mm, GeodesicMethod method);

 private:
  struct QueueEntry {
    double distance;
    std::int32_t vertex;
    bool operator>(const QueueEntry& other) const {
      return distance > other.distance || (distance == other.distance && vertex > other.vertex);
    }
  };
  void reset();
  void offer(std::int32_t vertex, double distance, double radius_mm);

  std::vector<double> distance_;
  std::vector<std::uint8_t> settled_;  // taken from the queue at least once
  std::vector<std::int32_t> touched_;
  std::vector<QueueEntry> queue_;
  std::vector<VertexDistance> result_;
};

/// A full distance map: every vertex's distance from `source` up to `radius_mm` (use infinity for
/// the whole surface); vertices farther away or unreachable get -1.
Eigen::VectorXf geodesic_distance_map(const GeodesicGraph& graph, std::int32_t source, double radius_mm,
                                      GeodesicMethod method);

}  // namespace visalign::surface
