#include "surface/freesurfer_patch.hpp"

#include <cmath>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

SurfacePatch read_freesurfer_patch(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = read_file_bytes(path);
  BigEndianReader reader(bytes, source);
  const std::int32_t first = reader.read_i32("format word");
  const bool new_format = first == -1;
  const std::int32_t point_count = new_format ? reader.read_i32("point count") : first;
  if (point_count < 0) {
    throw FormatError(source, "point count: expected a non-negative number, found " + std::to_string(point_count));
  }
  const std::size_t bytes_per_point = new_format ? 16 : 10;
  reader.require(bytes_per_point * static_cast<std::size_t>(point_count),
                 "points (" + std::to_string(point_count) + " points)");
  SurfacePatch patch;
  patch.vertices.resize(static_cast<std::size_t>(point_count));
  patch.border.resize(static_cast<std::size_t>(point_count));
  patch.coordinates.resize(point_count, 3);
  for (std::int32_t point = 0; point < point_count; ++point) {
    const std::int32_t number = reader.read_i32("vertex number");
    if (number == 0) {
      throw FormatError(source, "vertex numbers: expected a non-zero (1-based, negative on the border) number, "
                                "found 0 at point " + std::to_string(point));
    }
    patch.border[static_cast<std::size_t>(point)] = number < 0 ? 1 : 0;
    patch.vertices[static_cast<std::size_t>(point)] = number < 0 ? -number - 1 : number - 1;
    for (int axis = 0; axis < 3; ++axis) {
      const float value = new_format ? reader.read_f32("coordinates") : reader.read_i16("coordinates") / 100.0f;
      if (!std::isfinite(value)) {
        throw FormatError(source, "coordinates: expected finite numbers, found " + std::to_string(value) +
                                      " at point " + std::to_string(point));
      }
      patch.coordinates(point, axis) = value;
    }
  }
  return patch;
}

void write_freesurfer_patch(const SurfacePatch& patch, const std::filesystem::path& path) {
  const auto point_count = static_cast<std::int32_t>(patch.vertices.size());
  if (patch.coordinates.rows() != point_count || patch.border.size() != patch.vertices.size()) {
    throw std::invalid_argument("write_freesurfer_patch: vertices, coordinates and border flags differ in length");
  }
  std::string out;
  out.reserve(8 + 16 * patch.vertices.size());
  append_i32_be(out, -1);
  append_i32_be(out, point_count);
  for (std::int32_t point = 0; point < point_count; ++point) {
    const std::int32_t number = patch.vertices[static_cast<std::size_t>(point)] + 1;
    append_i32_be(out, patch.border[static_cast<std::size_t>(point)] != 0 ? -number : number);
    for (int axis = 0; axis < 3; ++axis) append_f32_be(out, patch.coordinates(point, axis));
  }
  write_bytes_atomically(path, out);
}

}  // namespace visalign::surface
