#include "fmri/surface_label.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"
#include "surface/gifti.hpp"

namespace visalign::fmri {

using surface::BigEndianReader;
using surface::FormatError;

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers for ASCII labels.

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string shown(std::string_view text) {
  constexpr std::size_t kShown = 60;
  std::string out(text.substr(0, kShown));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return "'" + out + (text.size() > kShown ? "...'" : "'");
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    fields.push_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

bool parse_int(std::string_view text, std::int64_t& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [stop, error] = std::from_chars(begin, end, value);
  return begin != end && error == std::errc() && stop == end;
}

bool parse_float(std::string_view text, float& value) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [stop, error] = std::from_chars(begin, end, value);
  return begin != end && error == std::errc() && stop == end;
}

// Lines of the file without their terminators ("\n" or "\r\n"); a final newline ends the last
// line rather than starting an empty one.
std::vector<std::string_view> split_lines(const std::vector<char>& bytes) {
  std::vector<std::string_view> lines;
  const std::string_view text(bytes.data(), bytes.size());
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

[[noreturn]] void fail_at_line(const std::string& source, std::size_t line, const std::string& problem) {
  throw FormatError(source, "line " + std::to_string(line) + ": " + problem);
}

// FreeSurfer's label header: "#!ascii label <name>, from subject <subject> vox2ras=<space>".
constexpr std::string_view kAsciiLabelPrefix = "!ascii label";

// ---------------------------------------------------------------------------------------------
// Annotations.

// Annotation value of a colour-table entry, as FreeSurfer and nibabel (_pack_rgb) compute it;
// 32-bit wrap-around for out-of-range channels, as nibabel's int32 arithmetic.
std::int32_t annotation_value(std::int32_t red, std::int32_t green, std::int32_t blue) {
  const std::int64_t value = std::int64_t{red} + std::int64_t{green} * 256 + std::int64_t{blue} * 65536;
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(value)));
}

std::int32_t read_non_negative(BigEndianReader& reader, const std::string& field) {
  const std::int32_t value = reader.read_i32(field);
  if (value < 0) {
    throw FormatError(reader.source(), field + ": expected a non-negative count, found " + std::to_string(value));
  }
  return value;
}

// A length-prefixed string of `length` bytes; numpy's '|S<n>' (nibabel) drops trailing NULs.
std::string read_string(BigEndianReader& reader, const std::vector<char>& bytes, std::int32_t length,
                        const std::string& field) {
  const auto size = static_cast<std::size_t>(length);
  reader.require(size, field);
  std::string text(bytes.data() + reader.position(), size);
  reader.seek(reader.position() + size, field);
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

ParcellationRegion read_colour_entry(BigEndianReader& reader, const std::vector<char>& bytes,
                                     const std::string& entry) {
  ParcellationRegion region;
  const std::int32_t name_length = read_non_negative(reader, entry + " name length");
  region.name = read_string(reader, bytes, name_length, entry + " name");
  const std::int32_t red = reader.read_i32(entry + " red");
  const std::int32_t green = reader.read_i32(entry + " green");
  const std::int32_t blue = reader.read_i32(entry + " blue");
  const std::int32_t transparency = reader.read_i32(entry + " transparency");
  region.rgba = {red, green, blue, 255 - transparency};
  region.key = annotation_value(red, green, blue);
  return region;
}

Parcellation parse_annotation(const std::vector<char>& bytes, const std::string& source) {
  BigEndianReader reader(bytes, source);
  const std::int32_t vertex_count = read_non_negative(reader, "vertex count");
  reader.require(8 * static_cast<std::size_t>(vertex_count),
                 "vertex/annotation pairs (" + std::to_string(vertex_count) + " vertices)");
  // Vertices that the file does not list keep annotation 0: unlabelled.
  std::vector<std::int32_t> values(static_cast<std::size_t>(vertex_count), 0);
  for (std::int32_t i = 0; i < vertex_count; ++i) {
    const std::int32_t vertex = reader.read_i32("vertex number");
    const std::int32_t value = reader.read_i32("annotation value");
    if (vertex < 0 || vertex >= vertex_count) {
      throw FormatError(source, "vertex number of pair " + std::to_string(i) + ": expected 0 to " +
                                    std::to_string(vertex_count - 1) + " (the vertex count is " +
                                    std::to_string(vertex_count) + "), found " + std::to_string(vertex));
    }
    values[static_cast<std::size_t>(vertex)] = value;
  }

  const std::int32_t tag = reader.read_i32("colour table tag");
  if (tag == 0) throw FormatError(source, "colour table tag: expected 1 (a colour table follows), found 0");

  Parcellation parcellation;
  const std::int32_t entries = reader.read_i32("colour table entry count");
  if (entries > 0) {
    // Old format: file name, then `entries` entries numbered by position.
    const std::int32_t length = read_non_negative(reader, "colour table file name length");
    read_string(reader, bytes, length, "colour table file name");
    for (std::int32_t e = 0; e < entries; ++e) {
      parcellation.regions.push_back(read_colour_entry(reader, bytes, "colour table entry " + std::to_string(e)));
    }
  } else {
    // New format: -entries is the version (2), then the table size, the file name and the entries
    // present, each with its structure index.
    const std::int64_t version = -std::int64_t{entries};
    if (version != 2) {
      throw FormatError(source, "colour table version: expected 2 (stored as -2; or a positive entry count for "
                                "the old format), found " + std::to_string(entries));
    }
    const std::int32_t maximum_index = read_non_negative(reader, "colour table size");
    const std::int32_t length = read_non_negative(reader, "colour table file name length");
    read_string(reader, bytes, length, "colour table file name");
    const std::int32_t present = read_non_negative(reader, "colour table entries present");
    for (std::int32_t e = 0; e < present; ++e) {
      const std::string entry = "colour table entry " + std::to_string(e);
      const std::int32_t structure = reader.read_i32(entry + " structure index");
      if (structure < 0 || structure >= maximum_index) {
        throw FormatError(source, entry + " structure index: expected 0 to " + std::to_string(maximum_index - 1) +
                                      " (the table size is " + std::to_string(maximum_index) + "), found " +
                                      std::to_string(structure));
      }
      parcellation.regions.push_back(read_colour_entry(reader, bytes, entry));
    }
  }

  // Annotation value -> first region with that value. As nibabel: value 0 is unlabelled even
  // if an entry has colour 0,0,0; values no entry has (-1, stale colours) are unlabelled too.
  std::unordered_map<std::int32_t, std::int32_t> region_of_value;
  for (std::size_t r = 0; r < parcellation.regions.size(); ++r) {
    region_of_value.emplace(parcellation.regions[r].key, static_cast<std::int32_t>(r));
  }
  parcellation.vertex_region.resize(values.size(), -1);
  for (std::size_t v = 0; v < values.size(); ++v) {
    if (values[v] == 0) continue;
    const auto found = region_of_value.find(values[v]);
    if (found != region_of_value.end()) parcellation.vertex_region[v] = found->second;
  }
  return parcellation;
}

}  // namespace

// -------------------------------------------------------------------------------------------------

SurfaceLabel read_freesurfer_label(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = surface::read_file_bytes(path);
  const std::vector<std::string_view> lines = split_lines(bytes);
  auto fail = [&source](std::size_t line, const std::string& problem) { fail_at_line(source, line, problem); };
  if (lines.empty() || lines[0].empty() || lines[0][0] != '#') {
    fail(1, "expected a comment line starting with '#' (\"#!ascii label ...\"), found " +
                (lines.empty() ? std::string("an empty file") : shown(lines[0])));
  }
  SurfaceLabel label;
  label.comment = std::string(lines[0].substr(1));
  if (lines.size() < 2) fail(2, "expected the vertex count, found the end of the file");
  const std::vector<std::string_view> count_fields = split_fields(lines[1]);
  std::int64_t count = 0;
  if (count_fields.size() != 1 || !parse_int(count_fields[0], count) || count < 0 ||
      count > std::numeric_limits<std::int32_t>::max()) {
    fail(2, "expected the vertex count (one non-negative integer), found " + shown(lines[1]));
  }

  // Every non-blank line after the count is a vertex line: "vno x y z value".
  std::size_t vertex_lines = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    if (!split_fields(lines[i]).empty()) ++vertex_lines;
  }
  if (vertex_lines != static_cast<std::size_t>(count)) {
    fail(2, "expected " + std::to_string(count) + " vertex lines (the count on line 2), found " +
                std::to_string(vertex_lines));
  }
  label.vertices.reserve(vertex_lines);
  label.values.reserve(vertex_lines);
  label.coordinates.resize(static_cast<Eigen::Index>(count), 3);
  const char* const names[] = {"vertex number", "x", "y", "z", "value"};
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::vector<std::string_view> fields = split_fields(lines[i]);
    if (fields.empty()) continue;
    const std::size_t line = i + 1;
    if (fields.size() != 5) {
      fail(line, "expected 5 fields (vertex number, x, y, z, value), found " + std::to_string(fields.size()) +
                     " in " + shown(lines[i]));
    }
    std::int64_t vertex = 0;
    if (!parse_int(fields[0], vertex) || vertex > std::numeric_limits<std::int32_t>::max()) {
      fail(line, "vertex number: expected an integer, found " + shown(fields[0]));
    }
    if (vertex < 0) fail(line, "vertex number: expected a non-negative integer, found " + shown(fields[0]));
    const auto row = static_cast<Eigen::Index>(label.vertices.size());
    float numbers[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int k = 0; k < 4; ++k) {
      if (!parse_float(fields[static_cast<std::size_t>(k) + 1], numbers[k])) {
        fail(line, std::string(names[k + 1]) + ": expected a number, found " +
                       shown(fields[static_cast<std::size_t>(k) + 1]));
      }
    }
    label.vertices.push_back(static_cast<std::int32_t>(vertex));
    label.coordinates.row(row) << numbers[0], numbers[1], numbers[2];
    label.values.push_back(numbers[3]);
  }
  return label;
}

void write_freesurfer_label(const SurfaceLabel& label, const std::filesystem::path& path) {
  const std::size_t count = label.vertices.size();
  if (static_cast<std::size_t>(label.coordinates.rows()) != count || label.values.size() != count) {
    throw std::invalid_argument("write_freesurfer_label: " + path.string() + ": " + std::to_string(count) +
                                " vertices but " + std::to_string(label.coordinates.rows()) +
                                " coordinate rows and " + std::to_string(label.values.size()) + " values");
  }
  if (label.comment.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("write_freesurfer_label: " + path.string() + ": the comment must be one line");
  }
  std::string out = "#";
  // A comment read from a FreeSurfer label already carries "!ascii label"; any other gets it.
  if (label.comment.compare(0, kAsciiLabelPrefix.size(), kAsciiLabelPrefix) != 0) {
    out += std::string(kAsciiLabelPrefix) + " ";
  }
  out += label.comment + "\n" + std::to_string(count) + "\n";
  char line[160];
  for (std::size_t i = 0; i < count; ++i) {
    if (label.vertices[i] < 0) {
      throw std::invalid_argument("write_freesurfer_label: " + path.string() + ": vertex " + std::to_string(i) +
                                  " has the negative number " + std::to_string(label.vertices[i]));
    }
    const auto row = static_cast<Eigen::Index>(i);
    // FreeSurfer's LabelWrite layout.
    const int length = std::snprintf(line, sizeof line, "%d  %.3f  %.3f  %.3f %.10f\n", label.vertices[i],
                                     static_cast<double>(label.coordinates(row, 0)),
                                     static_cast<double>(label.coordinates(row, 1)),
                                     static_cast<double>(label.coordinates(row, 2)),
                                     static_cast<double>(label.values[i]));
    if (length < 0 || static_cast<std::size_t>(length) >= sizeof line) {
      throw std::invalid_argument("write_freesurfer_label: " + path.string() + ": vertex " + std::to_string(i) +
                                  " has a coordinate or value too large to write");
    }
    out.append(line, static_cast<std::size_t>(length));
  }
  surface::write_bytes_atomically(path, out, surface::has_gzip_extension(path));
}

Parcellation read_freesurfer_annotation(const std::filesystem::path& path) {
  return parse_annotation(surface::read_file_bytes(path), path.string());
}

Parcellation read_gifti_label(const std::filesystem::path& path) {
  const std::string source = path.string();
  const surface::GiftiFile gifti = surface::read_gifti(path);
  std::size_t array_index = gifti.arrays.size();
  for (std::size_t i = 0; i < gifti.arrays.size(); ++i) {
    if (gifti.arrays[i].intent == "NIFTI_INTENT_LABEL") {
      array_index = i;
      break;
    }
  }
  if (array_index == gifti.arrays.size()) {
    std::string intents;
    for (const auto& array : gifti.arrays) intents += (intents.empty() ? "" : ", ") + array.intent;
    throw FormatError(source, "expected a NIFTI_INTENT_LABEL data array, found " +
                                  (intents.empty() ? std::string("no data arrays") : "only " + intents));
  }
  const surface::GiftiArray& array = gifti.arrays[array_index];
  const std::string where = "DataArray " + std::to_string(array_index) + ": ";
  if (!(array.dimensions.size() == 1 || (array.dimensions.size() == 2 && array.dimensions[1] == 1))) {
    std::string shape;
    for (const auto extent : array.dimensions) shape += (shape.empty() ? "" : "x") + std::to_string(extent);
    throw FormatError(source, where + "Dim: expected one key per vertex (#V, or #V by 1), found " + shape);
  }

  Parcellation parcellation;
  std::unordered_map<std::int32_t, std::int32_t> region_of_key;
  for (std::size_t r = 0; r < gifti.labels.size(); ++r) {
    const surface::GiftiLabel& label = gifti.labels[r];
    const auto [existing, inserted] = region_of_key.emplace(label.key, static_cast<std::int32_t>(r));
    if (!inserted) {
      throw FormatError(source, "LabelTable entry " + std::to_string(r) + " Key: expected a key not used before, found " +
                                    std::to_string(label.key) + " (also entry " + std::to_string(existing->second) +
                                    ")");
    }
    ParcellationRegion region;
    region.name = label.name;
    region.key = label.key;
    for (std::size_t c = 0; c < 4; ++c) {
      region.rgba[c] = static_cast<int>(std::lround(std::clamp(label.rgba[c], 0.0f, 1.0f) * 255.0f));
    }
    parcellation.regions.push_back(std::move(region));
  }

  parcellation.vertex_region.resize(array.values.size(), -1);
  for (std::size_t v = 0; v < array.values.size(); ++v) {
    const double key = array.values[v];
    if (!(key == std::floor(key) && key >= std::numeric_limits<std::int32_t>::min() &&
          key <= std::numeric_limits<std::int32_t>::max())) {
      throw FormatError(source, where + "Data: expected integer label keys, found " + std::to_string(key) +
                                    " at vertex " + std::to_string(v));
    }
    const auto found = region_of_key.find(static_cast<std::int32_t>(key));
    if (found != region_of_key.end()) parcellation.vertex_region[v] = found->second;
  }
  return parcellation;
}

Parcellation read_parcellation(const std::filesystem::path& path) {
  std::vector<char> bytes = surface::read_file_bytes(path);
  if (surface::looks_like_gifti(bytes)) {
    bytes.clear();
    return read_gifti_label(path);
  }
  return parse_annotation(bytes, path.string());
}

std::vector<std::int32_t> parcellation_region_vertices(const Parcellation& parcellation, const std::string& name,
                                                       const std::string& source) {
  std::vector<char> matches(parcellation.regions.size(), 0);
  bool any = false;
  for (std::size_t r = 0; r < parcellation.regions.size(); ++r) {
    if (parcellation.regions[r].name == name) matches[r] = any = true;
  }
  if (!any) {
    std::string names;
    for (const ParcellationRegion& region : parcellation.regions) {
      names += (names.empty() ? "" : ", ") + region.name;
    }
    throw FormatError(source, "region: expected one of " + (names.empty() ? std::string("(no regions)") : names) +
                                  " ; found '" + name + "'");
  }
  std::vector<std::int32_t> vertices;
  for (std::size_t v = 0; v < parcellation.vertex_region.size(); ++v) {
    const std::int32_t region = parcellation.vertex_region[v];
    if (region >= 0 && static_cast<std::size_t>(region) < matches.size() && matches[static_cast<std::size_t>(region)]) {
      vertices.push_back(static_cast<std::int32_t>(v));
    }
  }
  return vertices;
}

}  // namespace visalign::fmri
