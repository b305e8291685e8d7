#pragma once
// The design table: what each beta column is. One row per column of the betas, BIDS-style TSV:
//
//   column  image_id  image_type  presentation  category
//   0       dog1      RE          1             dog
//   ...
//   240     blank     blank       n/a           n/a
//
// `column` (0-based) is optional (then rows are in column order); `category` is optional.
// The blank is the row whose image_type is "blank". Every image appears once per type and
// presentation, and every type/presentation has the same images (AN and AI images are named by
// the RE image they were made from).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace visalign::fmri {

struct DesignColumn {
  std::string image_id;
  std::string image_type;  // RE, AN, AI or any other label; "blank" for the blank
  int presentation = 0;    // 1, 2, ...; 0 for the blank
  std::string category;
};

struct Design {
  std::vector<DesignColumn> columns;  // indexed by beta column

  /// Image types in order of first appearance (the blank excluded).
  std::vector<std::string> image_types() const;
  /// Presentations, ascending.
  std::vector<int> presentations() const;
  /// Image ids in order of first appearance.
  std::vector<std::string> image_ids() const;
  /// The category of every image id (first non-empty one seen).
  std::map<std::string, std::string> categories() const;
  /// The blank's column, or -1.
  std::int64_t blank_column() const;
  /// The columns of one type and presentation, ordered as image_ids(); std::invalid_argument if absent.
  std::vector<std::int64_t> columns_of(const std::string& image_type, int presentation) const;
};

/// Reads and checks a design TSV (FormatError naming the file, the row and the field).
Design read_design(const std::filesystem::path& path);

/// Checks a design against betas with `beta_columns` columns: every column described exactly once,
/// the same images in every type and presentation, no image twice in one. FormatError naming `source`.
void check_design(const Design& design, std::int64_t beta_columns, const std::string& source);

/// Writes the design as TSV (with the `column` column), atomically.
void write_design(const Design& design, const std::filesystem::path& path);

}  // namespace visalign::fmri
