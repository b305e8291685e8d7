#pragma once
// FreeSurfer binary triangle surfaces (lh.white, lh.pial, lh.inflated, lh.sphere, ...):
// magic 0xFFFFFE, a creator line, big-endian counts, coordinates and faces, and the optional
// volume-geometry footer that FreeSurfer and nibabel append.

#include <array>
#include <filesystem>
#include <optional>
#include <string>

#include "surface/mesh.hpp"

namespace visalign::surface {

/// The scanner-space geometry that FreeSurfer keeps after the faces (tag 20, "volume info").
struct FreeSurferVolumeGeometry {
  bool valid = false;
  std::string filename;
  std::array<int, 3> volume{};
  std::array<double, 3> voxel_size{};
  std::array<double, 3> x_ras{}, y_ras{}, z_ras{}, c_ras{};
};

struct FreeSurferSurface {
  Mesh mesh;
  std::string creator;  // the "created by ..." line
  std::optional<FreeSurferVolumeGeometry> volume_geometry;
};

/// Reads a triangle surface; throws FormatError naming the file and the bad field (magic,
/// counts, truncation, NaN coordinates, faces past the vertex list, garbled footer).
FreeSurferSurface read_freesurfer_surface(const std::filesystem::path& path);

/// Writes a triangle surface (atomically), with the volume-geometry footer when given.
void write_freesurfer_surface(const Mesh& mesh, const std::filesystem::path& path,
                              const std::string& creator = "visalign",
                              const std::optional<FreeSurferVolumeGeometry>& volume_geometry = std::nullopt);

/// True when the bytes start with the FreeSurfer triangle-surface magic number.
bool looks_like_freesurfer_surface(const std::vector<char>& bytes);

}  // namespace visalign::surface
