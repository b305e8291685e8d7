#pragma once
// VTK XML PolyData (.vtp) output for viewing in ParaView and other VTK tools.

#include <filesystem>
#include <vector>

#include "surface/mesh.hpp"
#include "surface/surface_map.hpp"

namespace visalign::surface {

/// Writes the mesh as polygons with each map as a named per-vertex (point-data) array, written
/// atomically. Every map must have one value per vertex (std::invalid_argument otherwise).
void write_vtk_polydata(const Mesh& mesh, const std::vector<SurfaceMap>& maps,
                        const std::filesystem::path& path);

}  // namespace visalign::surface
