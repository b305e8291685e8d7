#include "fmri/nifti.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

using surface::host_is_little_endian;
using surface::load_number;

using surface::FormatError;

namespace {

// Header layouts (byte offsets), from nifti1.h and nifti2.h.
struct HeaderLayout {
  int version;
  std::size_t header_size;      // sizeof_hdr
  std::size_t minimum_offset;   // header + the 4-byte extension flag: where single-file data may start
  std::size_t dim, dim_width;   // dim[8]: int16 (v1) or int64 (v2)
  std::size_t datatype;         // int16 in both
  std::size_t vox_offset;       // float32 (v1) or int64 (v2)
  std::size_t scl_slope, scl_inter, real_width;  // float32 (v1) or float64 (v2)
  std::size_t descrip, intent_name, intent_code, intent_code_width;
  std::size_t pixdim;
  std::size_t magic;
};

constexpr HeaderLayout kNifti1{1, 348, 352, 40, 2, 70, 108, 112, 116, 4, 148, 328, 68, 2, 76, 344};
constexpr HeaderLayout kNifti2{2, 540, 544, 16, 8, 12, 168, 176, 184, 8, 240, 508, 504, 4, 104, 4};
constexpr std::size_t kNifti1Glmin = 144;  // int32; FreeSurfer's vertex count when dim[1] is -1
constexpr std::int64_t kIco7Vertices = 163842;
constexpr std::int64_t kIco7FirstDimension = 27307, kIco7ThirdDimension = 6;

/// Stores `value` little-endian at `offset` of a header buffer that is already large enough.
template <typename T>
void store_le(std::string& buffer, std::size_t offset, T value) {
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  if (!host_is_little_endian()) std::reverse(raw, raw + sizeof(T));
  std::memcpy(&buffer[offset], raw, sizeof(T));
}

/// Bytes as readable text for error messages: printable characters as they are, others as \xNN.
std::string printable(const char* data, std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '"') {
      text.push_back(static_cast<char>(byte));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      text += escaped;
    }
  }
  return "\"" + text + "\"";
}

/// A fixed-width text field up to its first NUL.
std::string text_field(const char* data, std::size_t width) {
  return std::string(data, std::find(data, data + width, '\0'));
}

std::string number_text(double value) {
  std::ostringstream stream;
  stream.precision(9);
  stream << value;
  return stream.str();
}

struct DataType {
  int code;
  const char* name;
  std::size_t size;  // 0: not supported
};

constexpr DataType kDataTypes[] = {
    {2, "uint8", 1},       {256, "int8", 1},        {4, "int16", 2},       {512, "uint16", 2},
    {8, "int32", 4},       {768, "uint32", 4},      {1024, "int64", 8},    {1280, "uint64", 8},
    {16, "float32", 4},    {64, "float64", 8},      {1, "binary (1 bit)", 0}, {32, "complex64", 0},
    {128, "RGB24", 0},     {1536, "float128", 0},   {1792, "complex128", 0}, {2048, "complex256", 0},
    {2304, "RGBA32", 0},
};

const DataType& supported_datatype(int code, const std::string& source) {
  for (const DataType& type : kDataTypes) {
    if (type.code == code && type.size != 0) return type;
  }
  std::string found = std::to_string(code);
  bool known = false;
  for (const DataType& type : kDataTypes) {
    if (type.code == code) {
      found += std::string(" (") + type.name + ")";
      known = true;
    }
  }
  if (!known) found += " (not a NIfTI datatype code)";
  throw FormatError(source, "datatype: expected a real number type (uint8 2, int8 256, int16 4, uint16 512, int32 8, "
                            "uint32 768, int64 1024, uint64 1280, float32 16, float64 64), found " + found);
}

template <typename T>
void decode(const char* data, std::size_t count, bool big_endian, double* out) {
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<double>(load_number<T>(data + i * sizeof(T), big_endian));
}

void decode_values(int datatype, const char* data, std::size_t count, bool big_endian, double* out) {
  switch (datatype) {
    case 2: return decode<std::uint8_t>(data, count, big_endian, out);
    case 256: return decode<std::int8_t>(data, count, big_endian, out);
    case 4: return decode<std::int16_t>(data, count, big_endian, out);
    case 512: return decode<std::uint16_t>(data, count, big_endian, out);
    case 8: return decode<std::int32_t>(data, count, big_endian, out);
    case 768: return decode<std::uint32_t>(data, count, big_endian, out);
    case 1024: return decode<std::int64_t>(data, count, big_endian, out);
    case 1280: return decode<std::uint64_t>(data, count, big_endian, out);
    case 16: return decode<float>(data, count, big_endian, out);
    case 64: return decode<double>(data, count, big_endian, out);
    default: throw std::logic_error("decode_values: unchecked NIfTI datatype " + std::to_string(datatype));
  }
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? " x " : "") + std::to_string(shape[i]);
  return text;
}

/// Which layout and byte order the file has, from sizeof_hdr read both ways.
const HeaderLayout& detect_layout(const std::vector<char>& bytes, const std::string& source, bool& big_endian) {
  if (bytes.size() < 4) {
    throw FormatError(source, "truncated in header: expected 348 (NIfTI-1) or 540 (NIfTI-2) bytes, found " +
                                  std::to_string(bytes.size()));
  }
  const auto little = load_number<std::int32_t>(bytes.data(), false);
  const auto big = load_number<std::int32_t>(bytes.data(), true);
  for (const HeaderLayout* layout : {&kNifti1, &kNifti2}) {
    const auto expected = static_cast<std::int32_t>(layout->header_size);
    if (little == expected || big == expected) {
      big_endian = little != expected;
      if (bytes.size() < layout->header_size) {
        throw FormatError(source, "truncated in header: expected " + std::to_string(layout->header_size) +
                                      " bytes (NIfTI-" + std::to_string(layout->version) + "), found " +
                                      std::to_string(bytes.size()));
      }
      return *layout;
    }
  }
  throw FormatError(source, "sizeof_hdr: expected 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order, found " +
                                std::to_string(little) + " (little-endian) or " + std::to_string(big) + " (big-endian)");
}

void check_magic(const std::vector<char>& bytes, const HeaderLayout& layout, const std::string& source) {
  const char* magic = bytes.data() + layout.magic;
  const char version = static_cast<char>('0' + layout.version);
  const std::string single = std::string("n+") + version;
  const std::string pair = std::string("ni") + version;
  if (std::memcmp(magic, pair.data(), 3) == 0 && magic[3] == '\0') {
    throw FormatError(source, "magic: found " + printable(magic, 4) + ", the header of a NIfTI-" +
                                  std::to_string(layout.version) +
                                  " .hdr/.img pair; only single files (.nii, .nii.gz, magic " + printable(single.data(), 3) +
                                  ") are supported: convert the pair, e.g. with nibabel or FSL's fslchfiletype NIFTI");
  }
  if (std::memcmp(magic, single.data(), 3) != 0 || magic[3] != '\0') {
    static const char kZeros[4] = {0, 0, 0, 0};
    const bool analyze = layout.version == 1 && std::memcmp(magic, kZeros, 4) == 0;
    throw FormatError(source, "magic: expected " + printable(single.data(), 3) + " followed by a zero byte (NIfTI-" +
                                  std::to_string(layout.version) + " single file), found " + printable(magic, 4) +
                                  (analyze ? " (an ANALYZE 7.5 header, which is not supported)" : ""));
  }
  if (layout.version == 2) {
    // nibabel, like the standard, expects \r\n\032\n here; all zeros is tolerated (old writers).
    static const char kEndOfLineCheck[4] = {'\r', '\n', '\032', '\n'};
    static const char kZeros[4] = {0, 0, 0, 0};
    if (std::memcmp(magic + 4, kEndOfLineCheck, 4) != 0 && std::memcmp(magic + 4, kZeros, 4) != 0) {
      throw FormatError(source, "magic: expected \"n+2\\x00\\r\\n\\x1a\\n\", found " + printable(magic, 8) +
                                    " (the file was altered by an end-of-line conversion)");
    }
  }
}

}  // namespace

bool has_nifti_extension(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  auto ends_with = [&name](const std::string& suffix) {
    return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".nii") || ends_with(".nii.gz");
}

NiftiImage read_nifti(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = surface::read_file_bytes(path);
  bool big_endian = false;
  const HeaderLayout& layout = detect_layout(bytes, source, big_endian);
  check_magic(bytes, layout, source);
  const char* header = bytes.data();
  auto integer = [&](std::size_t offset, std::size_t width) -> std::int64_t {
    switch (width) {
      case 2: return load_number<std::int16_t>(header + offset, big_endian);
      case 4: return load_number<std::int32_t>(header + offset, big_endian);
      default: return load_number<std::int64_t>(header + offset, big_endian);
    }
  };
  auto real = [&](std::size_t offset) -> double {
    return layout.real_width == 4 ? static_cast<double>(load_number<float>(header + offset, big_endian))
                                  : load_number<double>(header + offset, big_endian);
  };

  NiftiImage image;
  image.version = layout.version;
  const std::int64_t dimension_count = integer(layout.dim, layout.dim_width);
  if (dimension_count < 1 || dimension_count > 7) {
    throw FormatError(source, "dim[0]: expected a number of dimensions from 1 to 7, found " +
                                  std::to_string(dimension_count));
  }
  image.dimension_count = static_cast<int>(dimension_count);
  for (std::size_t i = 0; i < 7; ++i) {
    image.dimensions[i] = static_cast<std::int64_t>(i) < dimension_count
                              ? integer(layout.dim + layout.dim_width * (i + 1), layout.dim_width)
                              : 1;
  }

  // The element count, with FreeSurfer's NIfTI-1 convention for long vectors (nibabel's
  // Nifti1Header.get_data_shape): dim[1..3] = -1, 1, 1 means glmin vertices.
  std::vector<std::int64_t> counted(image.dimensions.begin(), image.dimensions.begin() + dimension_count);
  if (layout.version == 1 && dimension_count >= 3 && counted[0] == -1 && counted[1] == 1 && counted[2] == 1) {
    const std::int64_t glmin = integer(kNifti1Glmin, 4);
    if (glmin <= 0) {
      throw FormatError(source, "glmin: expected the vertex count (FreeSurfer's convention for dim[1] = -1), found " +
                                    std::to_string(glmin));
    }
    counted[0] = glmin;
  }
  const DataType& type = supported_datatype(static_cast<int>(integer(layout.datatype, 2)), source);
  image.datatype = type.code;

  const std::size_t available = bytes.size();
  for (std::size_t i = 0; i < counted.size(); ++i) {
    if (counted[i] < 0) {
      throw FormatError(source, "dim[" + std::to_string(i + 1) + "]: expected a non-negative size, found " +
                                    std::to_string(counted[i]));
    }
  }
  const bool empty = std::find(counted.begin(), counted.end(), 0) != counted.end();
  std::size_t count = empty ? 0 : 1;
  for (std::size_t i = 0; i < counted.size() && !empty; ++i) {
    const auto size = static_cast<std::uint64_t>(counted[i]);
    if (count > available / size) {  // more elements than bytes in the file; checked so the product cannot overflow
      throw FormatError(source, "truncated in data: dim " + shape_text(counted) + " of " + type.name +
                                    " needs more bytes than the file's " + std::to_string(available));
    }
    count *= static_cast<std::size_t>(size);
  }

  std::size_t offset = layout.minimum_offset;
  if (layout.version == 1) {
    const double stored = real(layout.vox_offset);
    if (!std::isfinite(stored) || stored < 0) {
      throw FormatError(source, "vox_offset: expected a byte offset of at least 352, found " + number_text(stored));
    }
    // As nibabel does, an offset below the minimum (0: unset) reads the data right after the header.
    if (stored >= static_cast<double>(layout.minimum_offset)) {
      if (stored > static_cast<double>(available)) {
        throw FormatError(source, "truncated before data: vox_offset is " + number_text(stored) + ", the file has " +
                                      std::to_string(available) + " bytes");
      }
      offset = static_cast<std::size_t>(stored);
    }
  } else {
    const std::int64_t stored = integer(layout.vox_offset, 8);
    if (stored < 0) {
      throw FormatError(source, "vox_offset: expected a byte offset of at least 544, found " + std::to_string(stored));
    }
    if (static_cast<std::uint64_t>(stored) > available) {
      throw FormatError(source, "truncated before data: vox_offset is " + std::to_string(stored) + ", the file has " +
                                    std::to_string(available) + " bytes");
    }
    if (static_cast<std::size_t>(stored) >= layout.minimum_offset) offset = static_cast<std::size_t>(stored);
  }
  const std::size_t remaining = available >= offset ? available - offset : 0;
  if (count > remaining / type.size) {
    throw FormatError(source, "truncated in data: expected " + std::to_string(count) + " " + type.name + " values (" +
                                  shape_text(counted) + ", " + std::to_string(count * type.size) + " bytes) at offset " +
                                  std::to_string(offset) + ", found " + std::to_string(remaining) + " bytes");
  }

  // Scaling as nibabel's get_slope_inter and apply_read_scaling: a zero or non-finite slope
  // means none; a valid slope with a non-finite intercept is an error. Computed in double.
  const double slope = real(layout.scl_slope);
  const double intercept = real(layout.scl_inter);
  if (slope != 0 && std::isfinite(slope)) {
    if (!std::isfinite(intercept)) {
      throw FormatError(source, "scl_inter: expected a finite intercept with scl_slope " + number_text(slope) +
                                    ", found " + number_text(intercept));
    }
    image.scale_slope = slope;
    image.scale_intercept = intercept;
  }

  image.description = text_field(header + layout.descrip, 80);
  image.intent_name = text_field(header + layout.intent_name, 16);
  image.intent_code = static_cast<int>(integer(layout.intent_code, layout.intent_code_width));

  image.values.resize(count);
  decode_values(type.code, bytes.data() + offset, count, big_endian, image.values.data());
  if (image.scale_slope != 1.0) {
    for (double& value : image.values) value *= image.scale_slope;
  }
  if (image.scale_intercept != 0.0) {
    for (double& value : image.values) value += image.scale_intercept;
  }
  return image;
}

Eigen::MatrixXf nifti_surface_data(const NiftiImage& image, const std::string& source) {
  if (image.dimension_count < 1 || image.dimension_count > 7) {
    throw std::invalid_argument(source + ": NiftiImage has dimension_count " + std::to_string(image.dimension_count) +
                                ", expected 1 to 7");
  }
  std::vector<std::int64_t> shape(image.dimensions.begin(), image.dimensions.begin() + image.dimension_count);
  std::int64_t frames = 1;
  for (std::size_t i = 3; i < shape.size(); ++i) frames *= shape[i];
  std::vector<std::int64_t> first(shape.begin(), shape.begin() + std::min<std::size_t>(3, shape.size()));
  first.resize(3, 1);
  // FreeSurfer's NIfTI-1 conventions, exactly as nibabel 5 applies them (Nifti1Header.get_data_shape).
  if (image.version == 1 && image.dimension_count >= 3) {
    if (first[0] == -1 && first[1] == 1 && first[2] == 1) {
      // The vertex count was in glmin: read_nifti counted the values with it.
      first[0] = frames > 0 ? static_cast<std::int64_t>(image.values.size()) / frames : 0;
    } else if (first[0] == kIco7FirstDimension && first[1] == 1 && first[2] == kIco7ThirdDimension) {
      first = {kIco7Vertices, 1, 1};
    }
    std::copy(first.begin(), first.end(), shape.begin());
  }
  if (first[1] != 1 || first[2] != 1 || first[0] < 0 || frames < 0) {
    throw surface::FormatError(source, "dim: expected vertices x 1 x 1 x frames, found " + shape_text(shape));
  }
  const std::int64_t vertices = first[0];
  if (static_cast<std::uint64_t>(vertices) * static_cast<std::uint64_t>(frames) != image.values.size()) {
    throw std::invalid_argument(source + ": NiftiImage has " + std::to_string(image.values.size()) +
                                " values, its dimensions " + shape_text(shape) + " need " +
                                std::to_string(vertices * frames));
  }
  Eigen::MatrixXf data(vertices, frames);
  // File order has the vertex fastest, as Eigen's column-major storage.
  for (std::size_t i = 0; i < image.values.size(); ++i) data.data()[i] = static_cast<float>(image.values[i]);
  return data;
}

void write_nifti_surface_data(const Eigen::MatrixXf& data, const std::filesystem::path& path, int version) {
  if (version != 1 && version != 2) {
    throw std::invalid_argument(path.string() + ": NIfTI version " + std::to_string(version) + " requested, expected 1 or 2");
  }
  const HeaderLayout& layout = version == 1 ? kNifti1 : kNifti2;
  const std::int64_t vertices = data.rows(), frames = data.cols();
  // dim[1..4] = vertices, 1, 1, frames; NIfTI-1 needs FreeSurfer's conventions past 32767 vertices
  // (nibabel's Nifti1Header.set_data_shape: ico7 as 27307 x 1 x 6, otherwise -1 with glmin).
  std::int64_t dims[4] = {vertices, 1, 1, frames};
  std::int32_t glmin = 0;
  if (version == 1) {
    constexpr std::int64_t kMaxDim = std::numeric_limits<std::int16_t>::max();
    if (frames > kMaxDim) {
      throw std::invalid_argument(path.string() + ": " + std::to_string(frames) +
                                  " frames do not fit NIfTI-1's 16-bit dim[4] (at most 32767); write NIfTI-2");
    }
    if (vertices == kIco7Vertices) {
      dims[0] = kIco7FirstDimension;
      dims[2] = kIco7ThirdDimension;
    } else if (vertices > kMaxDim) {
      if (vertices > std::numeric_limits<std::int32_t>::max()) {
        throw std::invalid_argument(path.string() + ": " + std::to_string(vertices) +
                                    " vertices do not fit NIfTI-1's glmin; write NIfTI-2");
      }
      glmin = static_cast<std::int32_t>(vertices);
      dims[0] = -1;
    }
  }

  const std::size_t value_count = static_cast<std::size_t>(data.size());
  std::string out(layout.minimum_offset + 4 * value_count, '\0');  // includes the zero extension flag
  store_le<std::int32_t>(out, 0, static_cast<std::int32_t>(layout.header_size));
  const char* magic = version == 1 ? "n+1\0" : "n+2\0\r\n\032\n";
  std::memcpy(&out[layout.magic], magic, version == 1 ? 4 : 8);
  store_le<std::int16_t>(out, layout.datatype, 16);                  // float32
  store_le<std::int16_t>(out, layout.datatype + 2, 32);              // bitpix
  auto store_integer = [&](std::size_t offset, std::int64_t value) {
    if (layout.dim_width == 2) {
      store_le<std::int16_t>(out, offset, static_cast<std::int16_t>(value));
    } else {
      store_le<std::int64_t>(out, offset, value);
    }
  };
  store_integer(layout.dim, 4);
  for (std::size_t i = 0; i < 7; ++i) store_integer(layout.dim + layout.dim_width * (i + 1), i < 4 ? dims[i] : 1);
  for (std::size_t i = 0; i < 8; ++i) {
    if (version == 1) {
      store_le<float>(out, layout.pixdim + 4 * i, 1.0f);
    } else {
      store_le<double>(out, layout.pixdim + 8 * i, 1.0);
    }
  }
  if (version == 1) {
    store_le<float>(out, layout.vox_offset, static_cast<float>(layout.minimum_offset));
    store_le<float>(out, layout.scl_slope, 1.0f);
    store_le<float>(out, layout.scl_inter, 0.0f);
    store_le<std::int32_t>(out, kNifti1Glmin, glmin);
  } else {
    store_le<std::int64_t>(out, layout.vox_offset, static_cast<std::int64_t>(layout.minimum_offset));
    store_le<double>(out, layout.scl_slope, 1.0);
    store_le<double>(out, layout.scl_inter, 0.0);
  }
  // qform_code, sform_code and the transforms stay zero: surface data has no voxel grid.
  for (std::size_t i = 0; i < value_count; ++i) store_le<float>(out, layout.minimum_offset + 4 * i, data.data()[i]);
  surface::write_bytes_atomically(path, out, path.extension() == ".gz");
}

}  // namespace visalign::fmri
