#include "surface/topology.hpp"

#include <algorithm>
#include <map>

namespace visalign::surface {

namespace {
std::uint64_t edge_key(std::int32_t a, std::int32_t b) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}
}  // namespace

MeshTopology mesh_topology(const Mesh& mesh) {
  MeshTopology topology;
  const Eigen::Index vertex_count = mesh.vertex_count();
  const Eigen::Index face_count = mesh.face_count();

  // Every directed half-edge (a -> b) of every face, sorted by its undirected key.
  struct HalfEdge {
    std::uint64_t undirected;
    std::int32_t from, to;
  };
  std::vector<HalfEdge> half_edges;
  half_edges.reserve(static_cast<std::size_t>(3 * face_count));
  for (Eigen::Index f = 0; f < face_count; ++f) {
    for (int corner = 0; corner < 3; ++corner) {
      const std::int32_t a = mesh.faces(f, corner);
      const std::int32_t b = mesh.faces(f, (corner + 1) % 3);
      half_edges.push_back({edge_key(std::min(a, b), std::max(a, b)), a, b});
    }
  }
  std::sort(half_edges.begin(), half_edges.end(), [](const HalfEdge& x, const HalfEdge& y) {
    return x.undirected < y.undirected || (x.undirected == y.undirected && x.from < y.from);
  });

  std::multimap<std::int32_t, std::int32_t> boundary_next;  // from -> to, for boundary half-edges
  for (std::size_t i = 0; i < half_edges.size();) {
    std::size_t j = i;
    while (j < half_edges.size() && half_edges[j].undirected == half_edges[i].undirected) ++j;
    const auto a = static_cast<std::int32_t>(half_edges[i].undirected >> 32);
    const auto b = static_cast<std::int32_t>(half_edges[i].undirected & 0xffffffffu);
    topology.edges.push_back({a, b});
    const std::size_t faces_on_edge = j - i;
    if (faces_on_edge == 1) {
      ++topology.boundary_edge_count;
      boundary_next.emplace(half_edges[i].from, half_edges[i].to);
    } else if (faces_on_edge > 2) {
      ++topology.nonmanifold_edge_count;
    }
    i = j;
  }

  std::vector<std::int64_t> degree(static_cast<std::size_t>(vertex_count) + 1, 0);
  for (const auto& edge : topology.edges) {
    ++degree[static_cast<std::size_t>(edge[0]) + 1];
    ++degree[static_cast<std::size_t>(edge[1]) + 1];
  }
  topology.neighbor_offsets.assign(static_cast<std::size_t>(vertex_count) + 1, 0);
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    topology.neighbor_offsets[static_cast<std::size_t>(v) + 1] =
        topology.neighbor_offsets[static_cast<std::size_t>(v)] + degree[static_cast<std::size_t>(v) + 1];
  }
  topology.neighbors.resize(static_cast<std::size_t>(topology.neighbor_offsets.back()));
  std::vector<std::int64_t> fill(topology.neighbor_offsets.begin(), topology.neighbor_offsets.end() - 1);
  for (const auto& edge : topology.edges) {
    topology.neighbors[static_cast<std::size_t>(fill[static_cast<std::size_t>(edge[0])]++)] = edge[1];
    topology.neighbors[static_cast<std::size_t>(fill[static_cast<std::size_t>(edge[1])]++)] = edge[0];
  }
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    std::sort(topology.neighbors.begin() + topology.neighbor_offsets[static_cast<std::size_t>(v)],
              topology.neighbors.begin() + topology.neighbor_offsets[static_cast<std::size_t>(v) + 1]);
  }

  // Boundary loops: follow boundary half-edges head to tail until the loop closes.
  while (!boundary_next.empty()) {
    std::vector<std::int32_t> loop;
    auto current = boundary_next.begin();
    const std::int32_t start = current->first;
    while (current != boundary_next.end()) {
      loop.push_back(current->first);
      const std::int32_t next = current->second;
      boundary_next.erase(current);
      if (next == start) break;
      current = boundary_next.find(next);
    }
    topology.boundary_loops.push_back(std::move(loop));
  }

  std::int64_t vertices_in_faces = 0;
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    if (degree[static_cast<std::size_t>(v) + 1] > 0) {
      ++vertices_in_faces;
    } else if (!mesh.is_excluded(v)) {
      ++topology.isolated_vertex_count;
    }
  }
  topology.euler_characteristic = vertices_in_faces -
                                  static_cast<std::int64_t>(topology.edges.size()) + static_cast<std::int64_t>(face_count);
  return topology;
}

}  // namespace visalign::surface
