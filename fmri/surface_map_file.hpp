#pragma once
// Per-vertex maps in whichever format they come (FreeSurfer curv, GIFTI, MGH/MGZ, recognised by
// content or name) and written in the format the output name asks for.

#include <filesystem>
#include <vector>

#include "surface/mesh.hpp"
#include "surface/surface_map.hpp"

namespace visalign::fmri {

/// Every map in the file. FormatError naming the file when it is not a per-vertex file.
std::vector<surface::SurfaceMap> read_surface_maps(const std::filesystem::path& path);

/// By the output name: .mgh/.mgz MGH; .gii/.gii.gz GIFTI (intent SHAPE for .shape.gii);
/// .vtp the mesh with the maps as point data (needs `mesh`); anything else FreeSurfer curv
/// (one map only). All maps must have one length, #V of `mesh` when it is given
/// (std::invalid_argument otherwise).
void write_surface_maps(const std::vector<surface::SurfaceMap>& maps, const std::filesystem::path& path,
                        const surface::Mesh* mesh = nullptr);

}  // namespace visalign::fmri
