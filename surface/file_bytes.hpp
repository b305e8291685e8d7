#pragma once
// Whole-file reading (gzip-compressed files are decompressed transparently) and a
// bounds-checked big-endian reader over the bytes, shared by the binary formats.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace visalign::surface {

/// The file's contents; a gzip file (.gz, .mgz, or any file starting with the gzip magic)
/// is decompressed. Throws FormatError naming the file if it cannot be opened or is corrupt.
std::vector<char> read_file_bytes(const std::filesystem::path& path);

/// Reads big-endian numbers from a byte buffer; running past the end throws a FormatError
/// that names the source, the field being read and how many bytes were expected and found.
class BigEndianReader {
 public:
  BigEndianReader(const std::vector<char>& bytes, std::string source)
      : bytes_(bytes), source_(std::move(source)) {}

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  const std::string& source() const { return source_; }
  void seek(std::size_t position, const std::string& field);

  std::uint8_t read_u8(const std::string& field);
  std::int16_t read_i16(const std::string& field);
  std::int32_t read_i32(const std::string& field);
  std::int64_t read_i64(const std::string& field);
  float read_f32(const std::string& field);
  /// Reads a 3-byte unsigned integer (FreeSurfer magic numbers, old curv counts).
  std::int32_t read_u24(const std::string& field);
  void read_f32_array(float* out, std::size_t count, const std::string& field);
  void read_i32_array(std::int32_t* out, std::size_t count, const std::string& field);
  /// Reads up to and including `terminator`; throws if it never comes.
  std::string read_until(char terminator, const std::string& field);

  /// Throws unless `count` more bytes are there.
  void require(std::size_t count, const std::string& field) const;

 private:
  const std::vector<char>& bytes_;
  std::string source_;
  std::size_t position_ = 0;
};

/// True on little-endian machines (x86-64, most ARM).
inline bool host_is_little_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

/// A number of type T stored at `data` in the given byte order (no alignment needed).
template <typename T>
T load_number(const char* data, bool big_endian) {
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, data, sizeof(T));
  if (big_endian == host_is_little_endian()) std::reverse(raw, raw + sizeof(T));
  T value;
  std::memcpy(&value, raw, sizeof(T));
  return value;
}

/// Big-endian encoding helpers for the writers.
void append_i32_be(std::string& out, std::int32_t value);
void append_i16_be(std::string& out, std::int16_t value);
void append_f32_be(std::string& out, float value);

}  // namespace visalign::surface
