#pragma once
// Tab-separated tables with a header row (BIDS style): reading with clear errors, and writing.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace visalign::fmri {

struct TsvTable {
  std::vector<std::string> columns;             // header names
  std::vector<std::vector<std::string>> rows;   // each row has one cell per column

  /// Index of a column, or -1.
  int column_index(const std::string& name) const;
};

/// Reads a TSV file; FormatError naming the file and line for a missing header, a row with a
/// different number of cells, or duplicate column names. Empty lines and trailing '\r' are ignored.
TsvTable read_tsv(const std::filesystem::path& path);

/// The rows of a TSV file as column name -> cell maps (read_tsv's errors).
std::vector<std::map<std::string, std::string>> read_tsv_records(const std::filesystem::path& path);

/// Writes the table atomically (cells must not contain tabs or newlines: std::invalid_argument).
void write_tsv(const TsvTable& table, const std::filesystem::path& path);

}  // namespace visalign::fmri
