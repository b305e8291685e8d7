#include "surface/file_bytes.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "surface/format_error.hpp"

namespace visalign::surface {

std::vector<char> read_file_bytes(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw FormatError(name, std::string("cannot open for reading (") + std::strerror(errno) + ")");
  unsigned char magic[2] = {0, 0};
  probe.read(reinterpret_cast<char*>(magic), 2);
  const bool gzip = probe.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!gzip) {
    probe.clear();
    probe.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(probe.tellg());
    probe.seekg(0);
    std::vector<char> bytes(size);
    probe.read(bytes.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(probe.gcount()) != size) throw FormatError(name, "read error");
    return bytes;
  }
  gzFile file = gzopen(name.c_str(), "rb");
  if (file == nullptr) throw FormatError(name, "cannot open gzip stream");
  gzbuffer(file, 1 << 17);
  std::vector<char> bytes;
  std::vector<char> chunk(1 << 20);
  while (true) {
    const int got = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (got < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      throw FormatError(name, "corrupt gzip data (" + message + ")");
    }
    if (got == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
  }
  int code = Z_OK;
  const std::string message = gzerror(file, &code);
  gzclose(file);
  if (code != Z_OK && code != Z_STREAM_END) {
    throw FormatError(name, "truncated or corrupt gzip data (" + message + ")");
  }
  return bytes;
}

void BigEndianReader::require(std::size_t count, const std::string& field) const {
  if (remaining() < count) {
    throw FormatError(source_, "truncated in " + field + ": expected " + std::to_string(count) +
                                   " bytes at offset " + std::to_string(position_) + ", found " +
                                   std::to_string(remaining()));
  }
}

void BigEndianReader::seek(std::size_t position, const std::string& field) {
  if (position > bytes_.size()) {
    throw FormatError(source_, "truncated before " + field + ": expected at least " +
                                   std::to_string(position) + " bytes, found " + std::to_string(bytes_.size()));
  }
  position_ = position;
}

namespace {
template <typename Unsigned>
Unsigned load_be(const char* data) {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    value = static_cast<Unsigned>((value << 8) | static_cast<unsigned char>(data[i]));
  }
  return value;
}
}  // namespace

std::uint8_t BigEndianReader::read_u8(const std::string& field) {
  require(1, field);
  return static_cast<std::uint8_t>(bytes_[position_++]);
}

std::int16_t BigEndianReader::read_i16(const std::string& field) {
  require(2, field);
  const auto value = static_cast<std::int16_t>(load_be<std::uint16_t>(bytes_.data() + position_));
  position_ += 2;
  return value;
}

std::int32_t BigEndianReader::read_i32(const std::string& field) {
  require(4, field);
  const auto value = static_cast<std::int32_t>(load_be<std::uint32_t>(bytes_.data() + position_));
  position_ += 4;
  return value;
}

std::int64_t BigEndianReader::read_i64(const std::string& field) {
  require(8, field);
  const auto value = static_cast<std::int64_t>(load_be<std::uint64_t>(bytes_.data() + position_));
  position_ += 8;
  return value;
}

float BigEndianReader::read_f32(const std::string& field) {
  const auto bits = static_cast<std::uint32_t>(read_i32(field));
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

std::int32_t BigEndianReader::read_u24(const std::string& field) {
  require(3, field);
  const char* data = bytes_.data() + position_;
  position_ += 3;
  return (static_cast<unsigned char>(data[0]) << 16) | (static_cast<unsigned char>(data[1]) << 8) |
         static_cast<unsigned char>(data[2]);
}

void BigEndianReader::read_f32_array(float* out, std::size_t count, const std::string& field) {
  require(count * 4, field);
  const char* data = bytes_.data() + position_;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t bits = load_be<std::uint32_t>(data + 4 * i);
    std::memcpy(out + i, &bits, 4);
  }
  position_ += count * 4;
}

void BigEndianReader::read_i32_array(std::int32_t* out, std::size_t count, const std::string& field) {
  require(count * 4, field);
  const char* data = bytes_.data() + position_;
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = static_cast<std::int32_t>(load_be<std::uint32_t>(data + 4 * i));
  }
  position_ += count * 4;
}

std::string BigEndianReader::read_until(char terminator, const std::string& field) {
  const char* begin = bytes_.data() + position_;
  const char* end = bytes_.data() + bytes_.size();
  const char* found = std::find(begin, end, terminator);
  if (found == end) {
    throw FormatError(source_, "truncated in " + field + ": no end-of-line found after offset " +
                                   std::to_string(position_));
  }
  std::string text(begin, found + 1);
  position_ += text.size();
  return text;
}

void append_i32_be(std::string& out, std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((bits >> shift) & 0xff));
}

void append_i16_be(std::string& out, std::int16_t value) {
  const auto bits = static_cast<std::uint16_t>(value);
  out.push_back(static_cast<char>((bits >> 8) & 0xff));
  out.push_back(static_cast<char>(bits & 0xff));
}

void append_f32_be(std::string& out, float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, 4);
  append_i32_be(out, static_cast<std::int32_t>(bits));
}

}  // namespace visalign::surface
