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
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    const std::int32_t a = mesh.faces(f, 0), b = mesh.faces(f, 1), c = mesh.faces(f, 2);
    const double ab = length(a, b), bc = length(b, c), ca = length(c, a);
    graph.corners_[static_cast<std::size_t>(fill[static_cast<std::size_t>(a)]++)] = {b, c, ab, ca, bc};
    graph.corners_[static_cast<std::size_t>(fill[static_cast<std::size_t>(b)]++)] = {c, a, bc, ab, ca};
    graph.corners_[static_cast<std::size_t>(fill[static_cast<std::size_t>(c)]++)] = {a, b, ca, bc, ab};
  }

  // Edges: the unique neighbours among each vertex's corners.
  graph.edge_offsets_.assign(static_cast<std::size_t>(vertex_count) + 1, 0);
  std::vector<Edge> ring;
  for (std::int32_t v = 0; v < vertex_count; ++v) {
    ring.clear();
    for (auto i = graph.corner_offsets_[static_cast<std::size_t>(v)]; i < graph.corner_offsets_[static_cast<std::size_t>(v) + 1]; ++i) {
      const Corner& corner = graph.corners_[static_cast<std::size_t>(i)];
      ring.push_back({corner.first, corner.to_first});
      ring.push_back({corner.second, corner.to_second});
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
      settled_(static_cast<std::size_t>(vertex_count), 0) {}

void GeodesicWorkspace::reset() {
  for (const std::int32_t v : touched_) {
    distance_[static_cast<std::size_t>(v)] = std::numeric_limits<double>::infinity();
    settled_[static_cast<std::size_t>(v)] = 0;
  }
  touched_.clear();
  queue_.clear();
  result_.clear();
}

inline void GeodesicWorkspace::offer(std::int32_t vertex, double distance, double radius_mm) {
  if (distance > radius_mm) return;
  double& current = distance_[static_cast<std::size_t>(vertex)];
  if (current == std::numeric_limits<double>::infinity()) {
    touched_.push_back(vertex);
  } else if (distance >= current * (1 - 1e-12)) {
    return;  // no real improvement (the tolerance stops endless corrections by rounding noise)
  }
  current = distance;
  queue_.push_back({distance, vertex});
  std::push_heap(queue_.begin(), queue_.end(), std::greater<QueueEntry>());
}

namespace {

/// Distance at `target` of a point source seen at distance d_known from corner P and d_other
/// from corner Q, unfolded into the plane of triangle (P, Q, target); infinity when the straight
/// line from the virtual source to the target does not cross the side PQ (then the geodesic
/// passes through P or Q, which the edge relaxation covers).
inline double unfolded_distance(double d_p, double d_q, double pq, double p_target, double q_target) {
  // Frame: P at the origin, Q at (pq, 0), target above the x axis, source below it.
  const double inverse = 1.0 / (2.0 * pq);
  const double tx = (p_target * p_target - q_target * q_target + pq * pq) * inverse;
  const double ty_squared = p_target * p_target - tx * tx;
  const double sx = (d_p * d_p - d_q * d_q + pq * pq) * inverse;
  const double sy_squared = d_p * d_p - sx * sx;
  if (sy_squared < 0.0 || ty_squared <= 0.0) return std::numeric_limits<double>::infinity();
  const double ty = std::sqrt(ty_squared);
  const double sy = -std::sqrt(sy_squared);
  // Where the segment source -> target crosses y = 0.
  const double crossing = sx + (tx - sx) * (-sy) / (ty - sy);
  if (crossing < 0.0 || crossing > pq) return std::numeric_limits<double>::infinity();
  const double dx = tx - sx, dy = ty - sy;
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
  while (!queue_.empty()) {
    std::pop_heap(queue_.begin(), queue_.end(), std::greater<QueueEntry>());
    const QueueEntry top = queue_.back();
    queue_.pop_back();
    const auto u = static_cast<std::size_t>(top.vertex);
    if (top.distance > distance_[u]) continue;  // stale entry
    settled_[u] = 1;
    const double d_u = top.distance;

    for (auto i = graph.edge_offsets_[u]; i < graph.edge_offsets_[u + 1]; ++i) {
      const GeodesicGraph::Edge& edge = graph.edges_[static_cast<std::size_t>(i)];
      offer(edge.to, d_u + edge.length, radius_mm);
    }
    if (!fast_marching) continue;
    for (auto i = graph.corner_offsets_[u]; i < graph.corner_offsets_[u + 1]; ++i) {
      const GeodesicGraph::Corner& corner = graph.corners_[static_cast<std::size_t>(i)];
      if (settled_[static_cast<std::size_t>(corner.first)] != 0) {
        const double d_first = distance_[static_cast<std::size_t>(corner.first)];
        offer(corner.second, unfolded_distance(d_u, d_first, corner.to_first, corner.to_second, corner.between),
              radius_mm);
      }
      if (settled_[static_cast<std::size_t>(corner.second)] != 0) {
        const double d_second = distance_[static_cast<std::size_t>(corner.second)];
        offer(corner.first, unfolded_distance(d_u, d_second, corner.to_second, corner.to_first, corner.between),
              radius_mm);
      }
    }
  }
  result_.reserve(touched_.size());
  for (const std::int32_t v : touched_) result_.push_back({v, static_cast<float>(distance_[static_cast<std::size_t>(v)])});
  std::sort(result_.begin(), result_.end(), [source](const VertexDistance& a, const VertexDistance& b) {
    if ((a.vertex == source) != (b.vertex == source)) return a.vertex == source;
    return a.distance < b.distance || (a.distance == b.distance && a.vertex < b.vertex);
  });
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
