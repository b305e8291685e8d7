#pragma once
// The images a CNN command reads: a folder (every .png/.jpg/.jpeg, sorted by name) or a TSV with a
// `file` column (paths relative to the TSV) and optional `image_id`, `image_type` and `category`
// columns (as the study's stimuli tables have: RE, AN, AI), and a class index per image from a `class`
// or `imagenet_index` column.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fmri/design.hpp"

namespace visalign::apps {

struct ImageList {
  std::vector<std::filesystem::path> files;
  fmri::Design images;  // one row per file: image_id (default: the file's stem), image_type (default RE), presentation 1
  std::vector<std::int64_t> classes;  // one per file from the `class` (else `imagenet_index`) column; empty without one
};

/// FormatError naming the TSV and the row for a missing `file` column, a listed file that does not
/// exist or a class that is not a non-negative integer; std::runtime_error for a folder without images.
ImageList read_image_list(const std::filesystem::path& folder_or_tsv);

}  // namespace visalign::apps
