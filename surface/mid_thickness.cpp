#include "surface/mid_thickness.hpp"

#include "surface/format_error.hpp"

namespace visalign::surface {

Mesh mid_thickness_surface(const Mesh& white, const std::string& white_source, const Mesh& pial,
                           const std::string& pial_source) {
  if (pial.vertex_count() != white.vertex_count()) {
    throw FormatError(pial_source, "vertex count: expected " + std::to_string(white.vertex_count()) + " (as in " +
                                       white_source + "), found " + std::to_string(pial.vertex_count()));
  }
  if (pial.face_count() != white.face_count() || pial.faces != white.faces) {
    throw FormatError(pial_source, "faces: expected the same " + std::to_string(white.face_count()) +
                                       " triangles as " + white_source + ", found " +
                                       std::to_string(pial.face_count()) + " that differ");
  }
  Mesh middle;
  middle.vertices = ((white.vertices.cast<double>() + pial.vertices.cast<double>()) * 0.5).cast<float>();
  middle.faces = white.faces;
  middle.excluded = white.excluded;
  return middle;
}

}  // namespace visalign::surface
