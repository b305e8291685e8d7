#include "surface/atomic_output.hpp"

#include <zlib.h>

#include <atomic>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace visalign::surface {

namespace {
std::filesystem::path temporary_name_for(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temporary = destination;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return temporary;
}
}  // namespace

AtomicOutputFile::AtomicOutputFile(std::filesystem::path destination)
    : destination_(std::move(destination)), temporary_(temporary_name_for(destination_)) {}

AtomicOutputFile::~AtomicOutputFile() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicOutputFile::commit() {
  std::error_code error;
  std::filesystem::rename(temporary_, destination_, error);
  if (error) {
    throw std::runtime_error(destination_.string() + ": cannot move the finished output into place (" +
                             error.message() + ")");
  }
  committed_ = true;
}

bool has_gzip_extension(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".gz" || extension == ".mgz";
}

void write_bytes_atomically(const std::filesystem::path& destination, std::string_view bytes,
                            bool gzip) {
  AtomicOutputFile output(destination);
  const std::string temporary = output.temporary_path().string();
  if (gzip) {
    gzFile file = gzopen(temporary.c_str(), "wb6");
    if (file == nullptr) {
      throw std::runtime_error(destination.string() + ": cannot open for writing (" +
                               std::strerror(errno) + ")");
    }
    std::size_t written = 0;
    bool ok = true;
    while (written < bytes.size() && ok) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes.size() - written, 1u << 30));
      ok = gzwrite(file, bytes.data() + written, chunk) == static_cast<int>(chunk);
      written += chunk;
    }
    ok = (gzclose(file) == Z_OK) && ok;
    if (!ok) throw std::runtime_error(destination.string() + ": writing the compressed output failed");
  } else {
    std::ofstream stream(temporary, std::ios::binary);
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    stream.close();
    if (!stream) {
      throw std::runtime_error(destination.string() + ": writing the output failed (" +
                               std::strerror(errno) + ")");
    }
  }
  output.commit();
}

}  // namespace visalign::surface
