#include "surface/freesurfer_curv.hpp"

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

namespace {
constexpr std::int32_t kNewCurvMagic = 0xFFFFFF;
}

bool looks_like_freesurfer_curv(const std::vector<char>& bytes) {
  return bytes.size() >= 15 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xFF && static_cast<unsigned char>(bytes[2]) == 0xFF;
}

SurfaceMap read_freesurfer_curv(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = read_file_bytes(path);
  BigEndianReader reader(bytes, source);
  SurfaceMap map;
  map.name = path.filename().string();
  const std::int32_t magic = reader.read_u24("magic number");
  if (magic == kNewCurvMagic) {
    const std::int32_t vertex_count = reader.read_i32("vertex count");
    reader.read_i32("face count");
    const std::int32_t values_per_vertex = reader.read_i32("values per vertex");
    if (vertex_count < 0) {
      throw FormatError(source, "vertex count: expected a non-negative number, found " + std::to_string(vertex_count));
    }
    if (values_per_vertex != 1) {
      throw FormatError(source, "values per vertex: expected 1, found " + std::to_string(values_per_vertex));
    }
    reader.require(4ull * static_cast<std::size_t>(vertex_count), "values (" + std::to_string(vertex_count) + " vertices)");
    map.values.resize(vertex_count);
    reader.read_f32_array(map.values.data(), static_cast<std::size_t>(vertex_count), "values");
  } else {
    // Old format: the magic bytes were the vertex count.
    const std::int32_t vertex_count = magic;
    reader.read_u24("face count");
    reader.require(2ull * static_cast<std::size_t>(vertex_count), "values (" + std::to_string(vertex_count) + " vertices)");
    map.values.resize(vertex_count);
    for (std::int32_t v = 0; v < vertex_count; ++v) map.values(v) = reader.read_i16("values") / 100.0f;
  }
  if (reader.remaining() != 0) {
    // FreeSurfer never writes anything after the values; extra bytes mean a wrong count or file.
    throw FormatError(source, "values: expected the file to end after " + std::to_string(map.values.size()) +
                                  " values, found " + std::to_string(reader.remaining()) + " more bytes");
  }
  return map;
}

void write_freesurfer_curv(const SurfaceMap& map, const std::filesystem::path& path, std::int32_t face_count) {
  std::string out;
  out.reserve(15 + 4 * static_cast<std::size_t>(map.values.size()));
  out.append(3, static_cast<char>(0xFF));
  append_i32_be(out, static_cast<std::int32_t>(map.values.size()));
  append_i32_be(out, face_count);
  append_i32_be(out, 1);
  for (Eigen::Index v = 0; v < map.values.size(); ++v) append_f32_be(out, map.values(v));
  write_bytes_atomically(path, out);
}

}  // namespace visalign::surface
