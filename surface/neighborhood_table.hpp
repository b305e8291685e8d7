#pragma once
// Searchlight neighbourhoods of every vertex, stored compactly: offsets + vertex indices +
// distances, with the surface checksum, radius and method they were made with, so that a table
// saved once can be checked against its surface when it is loaded and reused by later steps.
//
// File layout (little-endian): 8-byte magic "VSNBHD01", uint32 method (0 dijkstra, 1
// fast-marching), uint32 reserved (0), int64 vertex count, int64 entry count, float64 radius
// (mm), uint64 surface checksum (mesh_checksum), then int64 offsets[#V+1], int32 vertices[#E],
// float32 distances[#E].

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "surface/geodesic.hpp"
#include "surface/mesh.hpp"

namespace visalign::surface {

struct NeighborhoodTable {
  std::int64_t vertex_count = 0;
  std::uint64_t surface_checksum = 0;
  double radius_mm = 0;
  GeodesicMethod method = GeodesicMethod::fast_marching;
  std::vector<std::int64_t> offsets;   // #V+1; disk of v is [offsets[v], offsets[v+1])
  std::vector<std::int32_t> vertices;  // #E, ascending distance within a disk, centre first
  std::vector<float> distances;        // #E, mm

  std::int64_t disk_size(std::int64_t vertex) const {
    return offsets[static_cast<std::size_t>(vertex) + 1] - offsets[static_cast<std::size_t>(vertex)];
  }
  std::int64_t entry_count() const { return static_cast<std::int64_t>(vertices.size()); }
};

/// Writes the table atomically.
void save_neighborhood_table(const NeighborhoodTable& table, const std::filesystem::path& path);

/// Reads a table and checks its internal consistency (magic, sizes against the file length,
/// monotone offsets, vertex numbers in range, finite distances within the radius); throws
/// FormatError naming the file and the field.
NeighborhoodTable load_neighborhood_table(const std::filesystem::path& path);

/// Throws FormatError naming `table_source` unless the table was made from this very surface
/// (vertex count and checksum) described as `surface_source`.
void check_table_matches_surface(const NeighborhoodTable& table, const std::string& table_source, const Mesh& mesh,
                                 const std::string& surface_source);

/// Throws FormatError naming `table_source` unless the table has this radius and method.
void check_table_parameters(const NeighborhoodTable& table, const std::string& table_source, double radius_mm,
                            GeodesicMethod method);

}  // namespace visalign::surface
