#include "surface/freesurfer_surface.hpp"

#include <cstdio>
#include <sstream>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

namespace {

constexpr std::int32_t kTriangleMagic = 0xFFFFFE;
constexpr std::int32_t kQuadMagic = 0xFFFFFF;
constexpr std::int32_t kNewQuadMagic = 0xFFFFFD;
constexpr std::int32_t kVolumeGeometryTag = 20;

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

template <std::size_t N, typename T>
void parse_numbers(const std::string& value, std::array<T, N>& out, const std::string& source,
                   const std::string& key) {
  std::istringstream stream(value);
  for (std::size_t i = 0; i < N; ++i) {
    if (!(stream >> out[i])) {
      throw FormatError(source, "volume geometry footer: expected " + std::to_string(N) + " numbers for '" + key +
                                    "', found '" + value + "'");
    }
  }
}

FreeSurferVolumeGeometry read_volume_geometry(BigEndianReader& reader) {
  FreeSurferVolumeGeometry geometry;
  const char* keys[] = {"valid", "filename", "volume", "voxelsize", "xras", "yras", "zras", "cras"};
  for (const char* expected_key : keys) {
    const std::string line = reader.read_until('\n', std::string("volume geometry footer line '") + expected_key + "'");
    const auto equals = line.find('=');
    const std::string key = trim(line.substr(0, equals));
    if (equals == std::string::npos || key != expected_key) {
      throw FormatError(reader.source(), std::string("volume geometry footer: expected key '") + expected_key +
                                             "', found '" + trim(line) + "'");
    }
    std::string value = trim(line.substr(equals + 1));
    if (key == "valid") {
      geometry.valid = !value.empty() && value[0] == '1';
    } else if (key == "filename") {
      geometry.filename = value;
    } else if (key == "volume") {
      parse_numbers(value, geometry.volume, reader.source(), key);
    } else if (key == "voxelsize") {
      parse_numbers(value, geometry.voxel_size, reader.source(), key);
    } else if (key == "xras") {
      parse_numbers(value, geometry.x_ras, reader.source(), key);
    } else if (key == "yras") {
      parse_numbers(value, geometry.y_ras, reader.source(), key);
    } else if (key == "zras") {
      parse_numbers(value, geometry.z_ras, reader.source(), key);
    } else {
      parse_numbers(value, geometry.c_ras, reader.source(), key);
    }
  }
  return geometry;
}

}  // namespace

bool looks_like_freesurfer_surface(const std::vector<char>& bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xFF && static_cast<unsigned char>(bytes[2]) == 0xFE;
}

FreeSurferSurface read_freesurfer_surface(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = read_file_bytes(path);
  BigEndianReader reader(bytes, source);
  const std::int32_t magic = reader.read_u24("magic number");
  if (magic == kQuadMagic || magic == kNewQuadMagic) {
    throw FormatError(source, "magic number: this is a FreeSurfer quadrangle surface; only triangle surfaces "
                              "(magic 0xFFFFFE) are supported");
  }
  if (magic != kTriangleMagic) {
    char found[16];
    std::snprintf(found, sizeof found, "0x%06X", static_cast<unsigned>(magic));
    throw FormatError(source, std::string("magic number: expected 0xFFFFFE (FreeSurfer triangle surface), found ") + found);
  }
  FreeSurferSurface surface;
  surface.creator = trim(reader.read_until('\n', "creator line"));
  // The creator line ends with two newlines; tolerate files that have only one.
  if (reader.remaining() > 0 && bytes[reader.position()] == '\n') reader.read_u8("creator line");

  const std::int32_t vertex_count = reader.read_i32("vertex count");
  const std::int32_t face_count = reader.read_i32("face count");
  if (vertex_count < 0 || face_count < 0) {
    throw FormatError(source, "counts: expected non-negative vertex and face counts, found " +
                                  std::to_string(vertex_count) + " and " + std::to_string(face_count));
  }
  reader.require(12ull * static_cast<std::size_t>(vertex_count), "vertex coordinates (" +
                                                                    std::to_string(vertex_count) + " vertices)");
  surface.mesh.vertices.resize(vertex_count, 3);
  reader.read_f32_array(surface.mesh.vertices.data(), 3ull * static_cast<std::size_t>(vertex_count),
                        "vertex coordinates");
  reader.require(12ull * static_cast<std::size_t>(face_count), "faces (" + std::to_string(face_count) + " faces)");
  surface.mesh.faces.resize(face_count, 3);
  reader.read_i32_array(surface.mesh.faces.data(), 3ull * static_cast<std::size_t>(face_count), "faces");

  if (reader.remaining() >= 4) {
    const std::size_t footer_start = reader.position();
    std::int32_t tag = reader.read_i32("footer tag");
    if (tag == 2 && reader.remaining() >= 8) {  // older files: 2, 0, 20
      const std::int32_t zero = reader.read_i32("footer tag");
      tag = zero == 0 ? reader.read_i32("footer tag") : -1;
    }
    if (tag == kVolumeGeometryTag) {
      surface.volume_geometry = read_volume_geometry(reader);
    } else {
      reader.seek(footer_start, "footer");  // other FreeSurfer tags (command lines, ...) are not needed
    }
  }
  validate_mesh(surface.mesh, source);
  return surface;
}

void write_freesurfer_surface(const Mesh& mesh, const std::filesystem::path& path, const std::string& creator,
                              const std::optional<FreeSurferVolumeGeometry>& volume_geometry) {
  validate_mesh(mesh, path.string());
  std::string out;
  out.reserve(64 + 12 * static_cast<std::size_t>(mesh.vertex_count() + mesh.face_count()));
  out.push_back(static_cast<char>(0xFF));
  out.push_back(static_cast<char>(0xFF));
  out.push_back(static_cast<char>(0xFE));
  out += "created by " + creator + "\n\n";
  append_i32_be(out, static_cast<std::int32_t>(mesh.vertex_count()));
  append_i32_be(out, static_cast<std::int32_t>(mesh.face_count()));
  for (Eigen::Index i = 0; i < mesh.vertices.size(); ++i) append_f32_be(out, mesh.vertices.data()[i]);
  for (Eigen::Index i = 0; i < mesh.faces.size(); ++i) append_i32_be(out, mesh.faces.data()[i]);
  if (volume_geometry) {
    const auto& g = *volume_geometry;
    append_i32_be(out, 2);
    append_i32_be(out, 0);
    append_i32_be(out, kVolumeGeometryTag);
    char line[256];
    out += std::string("valid = ") + (g.valid ? "1" : "0") + "  # volume info valid\n";
    out += "filename = " + g.filename + "\n";
    std::snprintf(line, sizeof line, "volume = %d %d %d\n", g.volume[0], g.volume[1], g.volume[2]);
    out += line;
    const std::pair<const char*, const std::array<double, 3>*> rows[] = {
        {"voxelsize", &g.voxel_size}, {"xras  ", &g.x_ras}, {"yras  ", &g.y_ras}, {"zras  ", &g.z_ras}, {"cras  ", &g.c_ras}};
    for (const auto& [key, values] : rows) {
      std::snprintf(line, sizeof line, "%s = %.15e %.15e %.15e\n", key, (*values)[0], (*values)[1], (*values)[2]);
      out += line;
    }
  }
  write_bytes_atomically(path, out);
}

}  // namespace visalign::surface
