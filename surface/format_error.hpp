#pragma once
// The error thrown for a file that cannot be read as what it claims to be.

#include <stdexcept>
#include <string>

namespace visalign::surface {

/// An unreadable or inconsistent input file. The message starts with the file name and
/// says which field was wrong, what was expected and what was found.
class FormatError : public std::runtime_error {
 public:
  FormatError(const std::string& file, const std::string& problem)
      : std::runtime_error(file + ": " + problem), file_(file) {}
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace visalign::surface
