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
  /// A triangle seen from one of its corners P: the other two corners and, for updating each of
  /// them from P and the other, that corner's position in the plane where P is the origin and
  /// the other corner lies on the positive x axis at `base`.
  struct Corner {
    struct Unfolding {
      double base;                   // length from P to the known corner
      double inverse_twice_base;     // 1 / (2 * base)
      double target_x, target_y;     // the corner to update, target_y > 0
      bool obtuse_at_target;         // the triangle's angle at the target exceeds 90 degrees
    };
    std::int32_t first, second;  // the other two corners (counter-clockwise for a consistent mesh)
    Unfolding update_second;     // second from P and first
    Unfolding update_first;      // first from P and second
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
  void reset();
  void offer(std::int32_t vertex, double distance, double radius_mm);
  std::int32_t pop_nearest();
  bool nearer(std::int32_t a, std::int32_t b) const {
    const double da = distance_[static_cast<std::size_t>(a)], db = distance_[static_cast<std::size_t>(b)];
    return da < db || (da == db && a < b);
  }
  void sift_up(std::size_t slot);
  void sift_down(std::size_t slot);

  std::vector<double> distance_;         // #V, infinity when not reached
  std::vector<std::uint8_t> settled_;    // #V, taken from the queue at least once
  std::vector<std::int32_t> heap_slot_;  // #V, the vertex's place in heap_, or -1
  std::vector<std::int32_t> heap_;       // binary min-heap of vertices by distance (decrease-key)
  std::vector<std::int32_t> touched_;    // vertices reached in this query, for reset
  std::vector<VertexDistance> result_;
};

/// A full distance map: every vertex's distance from `source` up to `radius_mm` (use infinity for
/// the whole surface); vertices farther away or unreachable get -1.
Eigen::VectorXf geodesic_distance_map(const GeodesicGraph& graph, std::int32_t source, double radius_mm,
                                      GeodesicMethod method);

}  // namespace visalign::surface
