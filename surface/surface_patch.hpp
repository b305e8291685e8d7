#pragma once
// A patch: a subset of a surface's vertices with their own coordinates (a flattened cortex,
// or a cut 3-D piece), applied to the full surface it was cut from.

#include <cstdint>
#include <string>
#include <vector>

#include "surface/mesh.hpp"

namespace visalign::surface {

struct SurfacePatch {
  std::vector<std::int32_t> vertices;  // #P full-surface vertex numbers (0-based), in file order
  VertexMatrix coordinates;            // #P by 3 (z = 0 for a flat patch)
  std::vector<std::uint8_t> border;    // #P, 1 for points on the patch border
};

/// The full surface with the patch's coordinates for the patch's vertices and its full-surface
/// numbering kept: faces whose three vertices are all in the patch are kept, the other vertices
/// are marked excluded. Throws FormatError naming `patch_source` if a patch vertex number is
/// past the surface's vertex count or appears twice.
Mesh apply_patch(const Mesh& full_surface, const SurfacePatch& patch, const std::string& patch_source);

/// A patch from a flat surface that keeps every vertex but only the faces of the flat map (as nilearn's and
/// Workbench's flat GIFTI files of fsaverage): the vertices of its faces, their x, y coordinates (z = 0) and
/// border points on edges that only one face has. FormatError naming `source` for a surface without faces.
SurfacePatch patch_from_flat_surface(const Mesh& flat, const std::string& source);

}  // namespace visalign::surface
