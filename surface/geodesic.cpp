#include "surface/geodesic.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace visalign::surface {

std::string to_string(GeodesicMethod method) {
  return method == GeodesicMethod::dijkstra ? "dijkstra" : "fast-marching";
}

GeodesicMethod parse_geodesic_method(const std::string& name) {
  if (name == "dijkstra") return GeodesicMethod::dijkstra;
  if (name == "fast-marching") return GeodesicMethod::fast_marching;
  throw std::invalid_argument("geodesic method: expected 'fast-marching' or 'dijkstra', found '" + name + "'");
}

GeodesicGraph GeodesicGraph::build(const Mesh& mesh, const std::string& source) {
  validate_mesh(mesh, source);
  GeodesicGraph graph;
  const auto vertex_count = static_cast<std::int32_t>(mesh.vertex_count());
  graph.vertex_count_ = vertex_count;
  graph.excluded_ = mesh.excluded;
  auto position = [&](std::int32_t v) { return mesh.vertices.row(v).cast<double>(); };
  auto length = [&](std::int32_t a, std::int32_t b) { return (position(a) - position(b)).norm(); };

  // Corners: each face seen from each of its three vertices.
  std::vector<std::int64_t> corner_count(static_cast<std::size_t>(vertex_count) + 1, 0);
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    for (int k = 0; k < 3; ++k) ++corner_count[static_cast<std::size_t>(mesh.faces(f, k)) + 1];
  }
  graph.corner_offsets_.assign(static_cast<std::size_t>(vertex_count) + 1, 0);
  for (std::int32_t v = 0; v < vertex_count; ++v) {
    graph.corner_offsets_[static_cast<std::size_t>(v) + 1] =
        graph.corner_offsets_[static_cast<std::size_t>(v)] + corner_count[static_cast<std::size_t>(v) + 1];
  }
  graph.corners_.resize(static_cast<std::size_t>(graph.corner_offsets_.back()));
  std::vector<std::int64_t> fill(graph.corner_offsets_.begin(), graph.corner_offsets_.end() - 1);
  // For corner P with other corners Q (known) and T (to update): T in the frame P = origin,
  // Q on the x axis.
  auto unfolding = [](double pq, double pt, double qt) {
    GeodesicGraph::Corner::Unfolding u;
    u.base = pq;
    u.inverse_twice_base = 1.0 / (2.0 * pq);
    u.target_x = (pt * pt - qt * qt + pq * pq) * u.inverse_twice_base;
    u.target_y = std::sqrt(std::max(0.0, pt * pt - u.target_x * u.target_x));
    u.obtuse_at_target = pt * pt + qt * qt < pq * pq;
    return u;
  };
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    const std::int32_t corners[3] = {mesh.faces(f, 0), mesh.faces(f, 1), mesh.faces(f, 2)};
    for (int k = 0; k < 3; ++k) {
      const std::int32_t p = corners[k], first = corners[(k + 1) % 3], second = corners[(k + 2) % 3];
      const double to_first = length(p, first), to_second = length(p, second), between = length(first, second);
      GeodesicGraph::Corner corner;
      corner.first = first;
      corner.second = second;
      corner.update_second = unfolding(to_first, to_second, between);
      corner.update_first = unfolding(to_second, to_first, between);
      graph.corners_[static_cast<std::size_t>(fill[static_cast<std::size_t>(p)]++)] = corner;
    }
  }

  // Edges: the unique neighbours among each vertex's corners.
  graph.edge_offsets_.assign(static_cast<std::size_t>(vertex_count) + 1, 0);
  std::vector<Edge> ring;
  for (std::int32_t v = 0; v < vertex_count; ++v) {
    ring.clear();
    for (auto i = graph.corner_offsets_[static_cast<std::size_t>(v)]; i < graph.corner_offsets_[static_cast<std::size_t>(v) + 1]; ++i) {
      const Corner& corner = graph.corners_[static_cast<std::size_t>(i)];
      ring.push_back({corner.first, corner.update_second.base});
      ring.push_back({corner.second, corner.update_first.base});
    }
    std::sort(ring.begin(), ring.end(), [](const Edge& x, const Edge& y) { return x.to < y.to; });
    ring.erase(std::unique(ring.begin(), ring.end(), [](const Edge& x, const Edge& y) { return x.to == y.to; }), ring.end());
    graph.edges_.insert(graph.edges_.end(), ring.begin(), ring.end());
    graph.edge_offsets_[static_cast<std::size_t>(v) + 1] = static_cast<std::int64_t>(graph.edges_.size());
  }
  return graph;
}

GeodesicWorkspace::GeodesicWorkspace(std::int32_t vertex_count)
    : distance_(static_cast<std::size_t>(vertex_count), std::numeric_limits<double>::infinity()),
      settled_(static_cast<std::size_t>(vertex_count), 0),
      heap_slot_(static_cast<std::size_t>(vertex_count), -1) {}

void GeodesicWorkspace::reset() {
  for (const std::int32_t v : touched_) {
    distance_[static_cast<std::size_t>(v)] = std::numeric_limits<double>::infinity();
    settled_[static_cast<std::size_t>(v)] = 0;
    heap_slot_[static_cast<std::size_t>(v)] = -1;
  }
  touched_.clear();
  heap_.clear();
  result_.clear();
}

void GeodesicWorkspace::sift_up(std::size_t slot) {
  const std::int32_t vertex = heap_[slot];
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / 2;
    if (!nearer(vertex, heap_[parent])) break;
    heap_[slot] = heap_[parent];
    heap_slot_[static_cast<std::size_t>(heap_[slot])] = static_cast<std::int32_t>(slot);
    slot = parent;
  }
  heap_[slot] = vertex;
  heap_slot_[static_cast<std::size_t>(vertex)] = static_cast<std::int32_t>(slot);
}

void GeodesicWorkspace::sift_down(std::size_t slot) {
  const std::int32_t vertex = heap_[slot];
  const std::size_t size = heap_.size();
  while (true) {
    std::size_t child = 2 * slot + 1;
    if (child >= size) break;
    if (child + 1 < size && nearer(heap_[child + 1], heap_[child])) ++child;
    if (!nearer(heap_[child], vertex)) break;
    heap_[slot] = heap_[child];
    heap_slot_[static_cast<std::size_t>(heap_[slot])] = static_cast<std::int32_t>(slot);
    slot = child;
  }
  heap_[slot] = vertex;
  heap_slot_[static_cast<std::size_t>(vertex)] = static_cast<std::int32_t>(slot);
}

std::int32_t GeodesicWorkspace::pop_nearest() {
  const std::int32_t nearest = heap_.front();
  heap_slot_[static_cast<std::size_t>(nearest)] = -1;
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
  return nearest;
}

inline void GeodesicWorkspace::offer(std::int32_t vertex, double distance, double radius_mm) {
  if (distance > radius_mm) return;
  const auto index = static_cast<std::size_t>(vertex);
  double& current = distance_[index];
  if (current == std::numeric_limits<double>::infinity()) {
    touched_.push_back(vertex);
  } else if (distance >= current * (1 - 1e-12)) {
    return;  // no real improvement (the tolerance stops endless corrections by rounding noise)
  }
  current = distance;
  if (heap_slot_[index] < 0) {
    heap_.push_back(vertex);
    sift_up(heap_.size() - 1);
  } else {
    sift_up(static_cast<std::size_t>(heap_slot_[index]));
  }
}

namespace {

/// Distance at a triangle corner T of a point source seen at distance d_p from corner P and d_q
/// from corner Q, the triangle unfolded into the plane (P at the origin, Q on the x axis, T above
/// it, the source below); infinity when the straight line from the source to T does not cross
/// the side PQ (then the geodesic passes through P or Q, which the edge relaxation covers).
inline double unfolded_distance(double d_p, double d_q, const GeodesicGraph::Corner::Unfolding& u) {
  const double sx = (d_p * d_p - d_q * d_q + u.base * u.base) * u.inverse_twice_base;
  const double sy_squared = d_p * d_p - sx * sx;
  if (sy_squared < 0.0 || u.target_y <= 0.0) return std::numeric_limits<double>::infinity();
  const double depth = std::sqrt(sy_squared);  // the source is at (sx, -depth)
  // Where the segment source -> target crosses y = 0.
  const double crossing = sx + (u.target_x - sx) * depth / (u.target_y + depth);
  if (crossing < 0.0 || crossing > u.base) return std::numeric_limits<double>::infinity();
  const double dx = u.target_x - sx, dy = u.target_y + depth;
  return std::sqrt(dx * dx + dy * dy);
}

}  // namespace

const std::vector<VertexDistance>& GeodesicWorkspace::distances_within(const GeodesicGraph& graph, std::int32_t source,
                                                                       double radius_mm, GeodesicMethod method) {
  if (source < 0 || source >= graph.vertex_count()) {
    throw std::invalid_argument("geodesic source vertex: expected a vertex in [0, " +
                                std::to_string(graph.vertex_count()) + "), found " + std::to_string(source));
  }
  if (distance_.size() != static_cast<std::size_t>(graph.vertex_count())) {
    throw std::invalid_argument("geodesic workspace: made for " + std::to_string(distance_.size()) +
                                " vertices, used on a mesh of " + std::to_string(graph.vertex_count()));
  }
  reset();
  // A vertex outside the surface, or in no triangle (e.g. the medial wall of a cut surface), has no
  // neighbourhood on the surface.
  if (graph.is_excluded(source) || graph.corner_offsets_[static_cast<std::size_t>(source)] ==
                                       graph.corner_offsets_[static_cast<std::size_t>(source) + 1]) {
    return result_;
  }
  const bool fast_marching = method == GeodesicMethod::fast_marching;
  offer(source, 0.0, radius_mm);
  // Label-correcting: a vertex whose distance drops after it was settled (an update through an
  // obtuse triangle can arrive late) is queued again and passes the improvement on.
  while (!heap_.empty()) {
    const std::int32_t vertex = pop_nearest();
    const auto u = static_cast<std::size_t>(vertex);
    const double d_u = distance_[u];
    if (settled_[u] == 0) {
      settled_[u] = 1;
      result_.push_back({vertex, 0.0f});  // settling order: ascending unless corrected later
    }

    for (auto i = graph.edge_offsets_[u]; i < graph.edge_offsets_[u + 1]; ++i) {
      const GeodesicGraph::Edge& edge = graph.edges_[static_cast<std::size_t>(i)];
      // A settled neighbour is at most d_u away already: the edge cannot shorten it.
      if (settled_[static_cast<std::size_t>(edge.to)] == 0) offer(edge.to, d_u + edge.length, radius_mm);
    }
    if (!fast_marching) continue;
    for (auto i = graph.corner_offsets_[u]; i < graph.corner_offsets_[u + 1]; ++i) {
      const GeodesicGraph::Corner& corner = graph.corners_[static_cast<std::size_t>(i)];
      const auto first = static_cast<std::size_t>(corner.first), second = static_cast<std::size_t>(corner.second);
      // Update the third corner from this one and a settled one. A settled third corner can only
      // improve through an obtuse angle (the front reaches it late), so only then is it revisited.
      if (settled_[first] != 0 && (settled_[second] == 0 || corner.update_second.obtuse_at_target)) {
        offer(corner.second, unfolded_distance(d_u, distance_[first], corner.update_second), radius_mm);
      }
      if (settled_[second] != 0 && (settled_[first] == 0 || corner.update_first.obtuse_at_target)) {
        offer(corner.first, unfolded_distance(d_u, distance_[second], corner.update_first), radius_mm);
      }
    }
  }
  for (VertexDistance& entry : result_) entry.distance = static_cast<float>(distance_[static_cast<std::size_t>(entry.vertex)]);
  auto closer = [source](const VertexDistance& a, const VertexDistance& b) {
    if ((a.vertex == source) != (b.vertex == source)) return a.vertex == source;
    return a.distance < b.distance || (a.distance == b.distance && a.vertex < b.vertex);
  };
  if (!std::is_sorted(result_.begin(), result_.end(), closer)) std::sort(result_.begin(), result_.end(), closer);
  return result_;
}

Eigen::VectorXf geodesic_distance_map(const GeodesicGraph& graph, std::int32_t source, double radius_mm,
                                      GeodesicMethod method) {
  GeodesicWorkspace workspace(graph.vertex_count());
  Eigen::VectorXf map = Eigen::VectorXf::Constant(graph.vertex_count(), -1.0f);
  for (const VertexDistance& entry : workspace.distances_within(graph, source, radius_mm, method)) {
    map(entry.vertex) = entry.distance;
  }
  return map;
}

}  // namespace visalign::surface
