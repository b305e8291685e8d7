#include "surface/neighborhood_table.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

namespace {

constexpr char kMagic[8] = {'V', 'S', 'N', 'B', 'H', 'D', '0', '1'};
constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 8 + 8 + 8 + 8;

template <typename T>
void append_raw(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
T load_raw(const std::vector<char>& bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

void save_neighborhood_table(const NeighborhoodTable& table, const std::filesystem::path& path) {
  if (table.offsets.size() != static_cast<std::size_t>(table.vertex_count) + 1 ||
      table.vertices.size() != table.distances.size()) {
    throw std::invalid_argument("save_neighborhood_table: offsets, vertices and distances are inconsistent");
  }
  std::string header;
  header.append(kMagic, 8);
  append_raw<std::uint32_t>(header, table.method == GeodesicMethod::dijkstra ? 0u : 1u);
  append_raw<std::uint32_t>(header, 0u);
  append_raw<std::int64_t>(header, table.vertex_count);
  append_raw<std::int64_t>(header, table.entry_count());
  append_raw<double>(header, table.radius_mm);
  append_raw<std::uint64_t>(header, table.surface_checksum);
  // Streamed rather than assembled in memory: a 10 mm table on fsaverage is over half a gigabyte.
  AtomicOutputFile output(path);
  std::ofstream stream(output.temporary_path(), std::ios::binary);
  stream.write(header.data(), static_cast<std::streamsize>(header.size()));
  stream.write(reinterpret_cast<const char*>(table.offsets.data()),
               static_cast<std::streamsize>(table.offsets.size() * sizeof(std::int64_t)));
  stream.write(reinterpret_cast<const char*>(table.vertices.data()),
               static_cast<std::streamsize>(table.vertices.size() * sizeof(std::int32_t)));
  stream.write(reinterpret_cast<const char*>(table.distances.data()),
               static_cast<std::streamsize>(table.distances.size() * sizeof(float)));
  stream.close();
  if (!stream) throw std::runtime_error(path.string() + ": writing the neighbourhood table failed");
  output.commit();
}

NeighborhoodTable load_neighborhood_table(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = read_file_bytes(path);
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    throw FormatError(source, "header: expected a visalign neighbourhood table (magic VSNBHD01), found " +
                                  (bytes.size() < 8 ? std::string("a file of ") + std::to_string(bytes.size()) + " bytes"
                                                    : "'" + std::string(bytes.data(), 8) + "'"));
  }
  NeighborhoodTable table;
  const auto method_code = load_raw<std::uint32_t>(bytes, 8);
  if (method_code > 1) throw FormatError(source, "method: expected 0 or 1, found " + std::to_string(method_code));
  table.method = method_code == 0 ? GeodesicMethod::dijkstra : GeodesicMethod::fast_marching;
  table.vertex_count = load_raw<std::int64_t>(bytes, 16);
  const auto entry_count = load_raw<std::int64_t>(bytes, 24);
  table.radius_mm = load_raw<double>(bytes, 32);
  table.surface_checksum = load_raw<std::uint64_t>(bytes, 40);
  if (table.vertex_count < 0 || entry_count < 0 || table.vertex_count > (1ll << 31) || entry_count > (1ll << 40)) {
    throw FormatError(source, "counts: expected non-negative vertex and entry counts, found " +
                                  std::to_string(table.vertex_count) + " and " + std::to_string(entry_count));
  }
  if (!(table.radius_mm > 0) || !std::isfinite(table.radius_mm)) {
    throw FormatError(source, "radius: expected a positive number of mm, found " + std::to_string(table.radius_mm));
  }
  const std::size_t expected = kHeaderSize + 8 * (static_cast<std::size_t>(table.vertex_count) + 1) +
                               8 * static_cast<std::size_t>(entry_count);
  if (bytes.size() != expected) {
    throw FormatError(source, "size: expected " + std::to_string(expected) + " bytes for " +
                                  std::to_string(table.vertex_count) + " vertices and " + std::to_string(entry_count) +
                                  " entries, found " + std::to_string(bytes.size()));
  }
  table.offsets.resize(static_cast<std::size_t>(table.vertex_count) + 1);
  table.vertices.resize(static_cast<std::size_t>(entry_count));
  table.distances.resize(static_cast<std::size_t>(entry_count));
  std::size_t position = kHeaderSize;
  std::memcpy(table.offsets.data(), bytes.data() + position, table.offsets.size() * 8);
  position += table.offsets.size() * 8;
  std::memcpy(table.vertices.data(), bytes.data() + position, table.vertices.size() * 4);
  position += table.vertices.size() * 4;
  std::memcpy(table.distances.data(), bytes.data() + position, table.distances.size() * 4);

  if (table.offsets.front() != 0 || table.offsets.back() != entry_count) {
    throw FormatError(source, "offsets: expected to run from 0 to " + std::to_string(entry_count) + ", found " +
                                  std::to_string(table.offsets.front()) + " to " + std::to_string(table.offsets.back()));
  }
  for (std::size_t v = 0; v + 1 < table.offsets.size(); ++v) {
    if (table.offsets[v + 1] < table.offsets[v]) {
      throw FormatError(source, "offsets: expected non-decreasing offsets, found a decrease at vertex " + std::to_string(v));
    }
  }
  for (std::size_t i = 0; i < table.vertices.size(); ++i) {
    if (table.vertices[i] < 0 || table.vertices[i] >= table.vertex_count) {
      throw FormatError(source, "vertices: expected vertex numbers in [0, " + std::to_string(table.vertex_count) +
                                    "), found " + std::to_string(table.vertices[i]) + " at entry " + std::to_string(i));
    }
    const float distance = table.distances[i];
    if (!(distance >= 0.0f) || distance > table.radius_mm * (1 + 1e-6)) {
      throw FormatError(source, "distances: expected values in [0, " + std::to_string(table.radius_mm) + "] mm, found " +
                                    std::to_string(distance) + " at entry " + std::to_string(i));
    }
  }
  return table;
}

void check_table_matches_surface(const NeighborhoodTable& table, const std::string& table_source, const Mesh& mesh,
                                 const std::string& surface_source) {
  if (table.vertex_count != mesh.vertex_count()) {
    throw FormatError(table_source, "vertex count: expected " + std::to_string(mesh.vertex_count()) + " (as in " +
                                        surface_source + "), found " + std::to_string(table.vertex_count));
  }
  const std::uint64_t checksum = mesh_checksum(mesh);
  if (table.surface_checksum != checksum) {
    throw FormatError(table_source, "surface checksum: expected " + hex(checksum) + " (" + surface_source +
                                        "), found " + hex(table.surface_checksum) +
                                        ": the table was made from a different surface");
  }
}

void check_table_parameters(const NeighborhoodTable& table, const std::string& table_source, double radius_mm,
                            GeodesicMethod method) {
  if (std::abs(table.radius_mm - radius_mm) > 1e-9 * std::max(1.0, radius_mm)) {
    throw FormatError(table_source, "radius: expected " + std::to_string(radius_mm) + " mm, found " +
                                        std::to_string(table.radius_mm) + " mm");
  }
  if (table.method != method) {
    throw FormatError(table_source, "method: expected " + to_string(method) + ", found " + to_string(table.method));
  }
}

}  // namespace visalign::surface
