#pragma once
// Mesh topology: unique edges, one-ring neighbours, boundary loops and the Euler characteristic.

#include <array>
#include <cstdint>
#include <vector>

#include "surface/mesh.hpp"

namespace visalign::surface {

struct MeshTopology {
  std::vector<std::array<std::int32_t, 2>> edges;   // #E unique edges (a < b), sorted
  std::vector<std::int64_t> neighbor_offsets;       // #V+1: one-ring of v is neighbors[offsets[v], offsets[v+1])
  std::vector<std::int32_t> neighbors;              // sorted within each one-ring
  std::vector<std::vector<std::int32_t>> boundary_loops;  // closed chains of boundary edges, in face orientation
  std::int64_t boundary_edge_count = 0;             // edges in exactly one face
  std::int64_t nonmanifold_edge_count = 0;          // edges in more than two faces
  std::int64_t isolated_vertex_count = 0;           // included vertices in no face (e.g. a cut-out medial wall)
  std::int64_t euler_characteristic = 0;            // V - E + F, V counting the vertices of faces only
};

MeshTopology mesh_topology(const Mesh& mesh);

}  // namespace visalign::surface
