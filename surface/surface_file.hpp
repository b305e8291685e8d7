#pragma once
// Reading a surface in whichever format it comes (FreeSurfer binary or GIFTI, gzip or not,
// recognised by content), and writing one in the format its file name asks for.

#include <filesystem>
#include <string>

#include "surface/mesh.hpp"

namespace visalign::surface {

enum class SurfaceFormat { freesurfer, gifti, vtk_polydata };

/// Recognises the format from the first bytes (FreeSurfer triangle magic, or GIFTI XML);
/// throws FormatError naming the file when it is neither.
Mesh read_surface(const std::filesystem::path& path);

/// .gii / .surf.gii / .gii.gz: GIFTI; .vtp: VTK PolyData; anything else: FreeSurfer binary.
SurfaceFormat surface_format_for_output(const std::filesystem::path& path);

/// Writes in the format surface_format_for_output picks, atomically.
void write_surface(const Mesh& mesh, const std::filesystem::path& path);

/// "FreeSurfer", "GIFTI" or "VTK PolyData".
std::string to_string(SurfaceFormat format);

}  // namespace visalign::surface
