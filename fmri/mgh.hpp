#pragma once
// FreeSurfer MGH / MGZ (gzip) volumes as used for surface overlays: width = #vertices,
// height = depth = 1, one frame per map. Big-endian header of 284 bytes, then the data with the
// first dimension fastest and frames slowest.

#include <array>
#include <filesystem>
#include <vector>

#include <Eigen/Core>

#include "surface/surface_map.hpp"

namespace visalign::fmri {

struct MghVolume {
  std::array<std::int32_t, 4> dimensions{};  // width, height, depth, frames
  std::int32_t data_type = 3;                // 0 uchar, 1 int32, 3 float32, 4 int16
  Eigen::MatrixXf data;                      // (width*height*depth) by frames
};

/// Reads an .mgh or .mgz file; FormatError naming the file for a bad version, an unknown data
/// type, negative sizes or truncated data.
MghVolume read_mgh(const std::filesystem::path& path);

/// The frames of a surface overlay (all voxels of a frame form one map), named "<file>[k]".
std::vector<surface::SurfaceMap> read_mgh_maps(const std::filesystem::path& path);

/// Writes maps of equal length as float32 frames of a width x 1 x 1 volume (gzip for .mgz), atomically.
void write_mgh_maps(const std::vector<surface::SurfaceMap>& maps, const std::filesystem::path& path);

/// True for .mgh / .mgz file names.
bool has_mgh_extension(const std::filesystem::path& path);

}  // namespace visalign::fmri
