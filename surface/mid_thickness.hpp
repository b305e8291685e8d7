#pragma once
// The mid-thickness surface: halfway between the white and pial surfaces, vertex by vertex.

#include <string>

#include "surface/mesh.hpp"

namespace visalign::surface {

/// Average of white and pial coordinates. The two must have the same vertex count and faces;
/// otherwise FormatError names `pial_source` (the second file) with both counts.
Mesh mid_thickness_surface(const Mesh& white, const std::string& white_source, const Mesh& pial,
                           const std::string& pial_source);

}  // namespace visalign::surface
