#pragma once
// Searchlight disks: for every vertex, all vertices within a geodesic radius.

#include <cstddef>
#include <functional>
#include <string>

#include "surface/mesh.hpp"
#include "surface/neighborhood_table.hpp"

namespace visalign::surface {

struct GeodesicDiskOptions {
  double radius_mm = 3.0;
  GeodesicMethod method = GeodesicMethod::fast_marching;
  int threads = 1;
};

/// Called now and then from one thread with the number of disks done so far and the total.
using DiskProgress = std::function<void(std::size_t done, std::size_t total)>;

/// The disk of every vertex (excluded patch vertices and vertices in no triangle get empty disks). The mesh is validated
/// first (FormatError naming `source`); the result does not depend on the thread count.
NeighborhoodTable geodesic_disks(const Mesh& mesh, const GeodesicDiskOptions& options,
                                 const DiskProgress& progress = {}, const std::string& source = "surface");

}  // namespace visalign::surface
