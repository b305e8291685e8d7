#pragma once
// FreeSurfer curv-format per-vertex files (lh.curv, lh.sulc, lh.thickness, lh.area). New format:
// magic 0xFFFFFF, int32 vertex count, face count and values per vertex (1), then float32 values.
// Old format: 3-byte vertex and face counts, then int16 values in hundredths.

#include <filesystem>
#include <vector>

#include "surface/surface_map.hpp"

namespace visalign::surface {

/// One map named after the file (e.g. "lh.curv"); throws FormatError for truncation, bad counts
/// and more than one value per vertex.
SurfaceMap read_freesurfer_curv(const std::filesystem::path& path);

/// Writes the new format atomically; `face_count` is informational (FreeSurfer stores it).
void write_freesurfer_curv(const SurfaceMap& map, const std::filesystem::path& path, std::int32_t face_count = 0);

/// True when the bytes start with the new curv magic followed by plausible counts.
bool looks_like_freesurfer_curv(const std::vector<char>& bytes);

}  // namespace visalign::surface
