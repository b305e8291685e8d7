#pragma once
// FreeSurfer patch files (lh.cortex.patch.flat, *.patch.3d). New format: int32 -1, int32 point
// count, then per point int32 vertex number (1-based; negative marks a border point) and three
// float32 coordinates. Old format: the count first and int16 coordinates in 1/100 mm.

#include <filesystem>

#include "surface/surface_patch.hpp"

namespace visalign::surface {

/// Throws FormatError naming the file and the field for bad counts, truncation, zero vertex
/// numbers and non-finite coordinates.
SurfacePatch read_freesurfer_patch(const std::filesystem::path& path);

/// Writes the new format, atomically.
void write_freesurfer_patch(const SurfacePatch& patch, const std::filesystem::path& path);

}  // namespace visalign::surface
