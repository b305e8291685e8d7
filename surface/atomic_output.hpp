#pragma once
// Outputs are written under a temporary name beside the destination and renamed when
// complete, so an interrupted or failed run never leaves a half-written file that looks finished.

#include <filesystem>
#include <string>
#include <string_view>

namespace visalign::surface {

/// A destination path and the temporary path that is written first.
/// If commit() is never called, the temporary file is removed when this object goes away.
class AtomicOutputFile {
 public:
  explicit AtomicOutputFile(std::filesystem::path destination);
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();

  const std::filesystem::path& destination() const { return destination_; }
  const std::filesystem::path& temporary_path() const { return temporary_; }
  /// Renames the temporary file to the destination (throws std::runtime_error on failure).
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  bool committed_ = false;
};

/// Writes `bytes` to `destination` atomically; gzip-compresses them when `gzip` is true.
void write_bytes_atomically(const std::filesystem::path& destination, std::string_view bytes,
                            bool gzip = false);

/// True when the path names a gzip-compressed output (.gz, .mgz).
bool has_gzip_extension(const std::filesystem::path& path);

}  // namespace visalign::surface
