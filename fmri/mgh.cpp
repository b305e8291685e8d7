#include "fmri/mgh.hpp"

#include <stdexcept>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

using surface::BigEndianReader;
using surface::FormatError;

namespace {
constexpr std::size_t kHeaderSize = 284;
}

bool has_mgh_extension(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".mgh" || extension == ".mgz";
}

MghVolume read_mgh(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = surface::read_file_bytes(path);
  BigEndianReader reader(bytes, source);
  const std::int32_t version = reader.read_i32("version");
  if (version != 1) throw FormatError(source, "version: expected 1 (MGH), found " + std::to_string(version));
  MghVolume volume;
  const char* names[] = {"width", "height", "depth", "frames"};
  std::int64_t voxel_count = 1;
  for (int i = 0; i < 4; ++i) {
    volume.dimensions[static_cast<std::size_t>(i)] = reader.read_i32(names[i]);
    if (volume.dimensions[static_cast<std::size_t>(i)] < 1) {
      throw FormatError(source, std::string(names[i]) + ": expected a positive size, found " +
                                    std::to_string(volume.dimensions[static_cast<std::size_t>(i)]));
    }
    if (i < 3) voxel_count *= volume.dimensions[static_cast<std::size_t>(i)];
  }
  volume.data_type = reader.read_i32("data type");
  std::size_t element_size = 0;
  switch (volume.data_type) {
    case 0: element_size = 1; break;
    case 1: case 3: element_size = 4; break;
    case 4: element_size = 2; break;
    default:
      throw FormatError(source, "data type: expected 0 (uchar), 1 (int), 3 (float) or 4 (short), found " +
                                    std::to_string(volume.data_type));
  }
  const std::int32_t frames = volume.dimensions[3];
  reader.seek(std::min(kHeaderSize, bytes.size()), "data");
  reader.require(element_size * static_cast<std::size_t>(voxel_count) * static_cast<std::size_t>(frames),
                 "data (" + std::to_string(voxel_count) + " voxels x " + std::to_string(frames) + " frames)");
  volume.data.resize(voxel_count, frames);
  for (std::int32_t frame = 0; frame < frames; ++frame) {
    for (std::int64_t voxel = 0; voxel < voxel_count; ++voxel) {
      float value = 0;
      switch (volume.data_type) {
        case 0: value = reader.read_u8("data"); break;
        case 1: value = static_cast<float>(reader.read_i32("data")); break;
        case 3: value = reader.read_f32("data"); break;
        default: value = reader.read_i16("data"); break;
      }
      volume.data(voxel, frame) = value;
    }
  }
  return volume;
}

std::vector<surface::SurfaceMap> read_mgh_maps(const std::filesystem::path& path) {
  const MghVolume volume = read_mgh(path);
  std::vector<surface::SurfaceMap> maps;
  for (Eigen::Index frame = 0; frame < volume.data.cols(); ++frame) {
    maps.push_back({path.filename().string() + "[" + std::to_string(frame) + "]", "", volume.data.col(frame)});
  }
  return maps;
}

void write_mgh_maps(const std::vector<surface::SurfaceMap>& maps, const std::filesystem::path& path) {
  if (maps.empty()) throw std::invalid_argument("write_mgh_maps: no maps to write to " + path.string());
  const Eigen::Index length = maps.front().values.size();
  for (const auto& map : maps) {
    if (map.values.size() != length) {
      throw std::invalid_argument("write_mgh_maps: maps differ in length (" + std::to_string(length) + " and " +
                                  std::to_string(map.values.size()) + ")");
    }
  }
  std::string out;
  out.reserve(kHeaderSize + 4 * static_cast<std::size_t>(length) * maps.size());
  surface::append_i32_be(out, 1);
  surface::append_i32_be(out, static_cast<std::int32_t>(length));
  surface::append_i32_be(out, 1);
  surface::append_i32_be(out, 1);
  surface::append_i32_be(out, static_cast<std::int32_t>(maps.size()));
  surface::append_i32_be(out, 3);  // float
  surface::append_i32_be(out, 0);  // degrees of freedom
  surface::append_i16_be(out, 0);  // no RAS geometry: a surface overlay
  out.resize(kHeaderSize, '\0');
  for (const auto& map : maps) {
    for (Eigen::Index v = 0; v < length; ++v) surface::append_f32_be(out, map.values(v));
  }
  surface::write_bytes_atomically(path, out, path.extension() == ".mgz");
}

}  // namespace visalign::fmri
