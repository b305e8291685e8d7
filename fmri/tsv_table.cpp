#include "fmri/tsv_table.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "surface/atomic_output.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

namespace {
std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  std::string::size_type start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return cells;
}
}  // namespace

int TsvTable::column_index(const std::string& name) const {
  const auto found = std::find(columns.begin(), columns.end(), name);
  return found == columns.end() ? -1 : static_cast<int>(found - columns.begin());
}

TsvTable read_tsv(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<char> bytes = surface::read_file_bytes(path);
  std::istringstream stream(std::string(bytes.begin(), bytes.end()));
  TsvTable table;
  std::string line;
  int line_number = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> cells = split_tabs(line);
    if (table.columns.empty()) {
      table.columns = cells;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (std::count(cells.begin(), cells.end(), cells[i]) > 1) {
          throw surface::FormatError(source, "header: column '" + cells[i] + "' appears more than once");
        }
      }
      continue;
    }
    if (cells.size() != table.columns.size()) {
      throw surface::FormatError(source, "line " + std::to_string(line_number) + ": expected " +
                                             std::to_string(table.columns.size()) + " tab-separated cells, found " +
                                             std::to_string(cells.size()));
    }
    table.rows.push_back(std::move(cells));
  }
  if (table.columns.empty()) throw surface::FormatError(source, "header: expected a header row, found an empty file");
  return table;
}

void write_tsv(const TsvTable& table, const std::filesystem::path& path) {
  std::string out;
  auto append_row = [&](const std::vector<std::string>& cells) {
    if (cells.size() != table.columns.size()) {
      throw std::invalid_argument(path.string() + ": a row has " + std::to_string(cells.size()) + " cells for " +
                                  std::to_string(table.columns.size()) + " columns");
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].find_first_of("\t\n\r") != std::string::npos) {
        throw std::invalid_argument(path.string() + ": cell '" + cells[i] + "' contains a tab or newline");
      }
      out += cells[i];
      out += i + 1 < cells.size() ? '\t' : '\n';
    }
  };
  append_row(table.columns);
  for (const auto& row : table.rows) append_row(row);
  surface::write_bytes_atomically(path, out);
}

std::vector<std::map<std::string, std::string>> read_tsv_records(const std::filesystem::path& path) {
  const TsvTable table = read_tsv(path);
  std::vector<std::map<std::string, std::string>> records;
  records.reserve(table.rows.size());
  for (const auto& row : table.rows) {
    std::map<std::string, std::string> record;
    for (std::size_t c = 0; c < table.columns.size(); ++c) record[table.columns[c]] = row[c];
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace visalign::fmri
