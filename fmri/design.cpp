#include "fmri/design.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "fmri/tsv_table.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

namespace {

constexpr const char* kBlank = "blank";

bool is_blank(const DesignColumn& column) { return column.image_type == kBlank; }

std::string listing(const std::vector<std::string>& names, std::size_t limit = 8) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > limit) text += ", ... (" + std::to_string(names.size()) + " in all)";
  return text;
}

long parse_integer(const std::string& text, const std::string& source, std::size_t row, const std::string& field) {
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    throw surface::FormatError(source, "row " + std::to_string(row) + ", " + field + ": expected an integer, found '" +
                                           text + "'");
  }
  return value;
}

}  // namespace

std::vector<std::string> Design::image_types() const {
  std::vector<std::string> types;
  for (const auto& column : columns) {
    if (!is_blank(column) && !column.image_type.empty() &&
        std::find(types.begin(), types.end(), column.image_type) == types.end()) {
      types.push_back(column.image_type);
    }
  }
  return types;
}

std::vector<int> Design::presentations() const {
  std::set<int> found;
  for (const auto& column : columns) {
    if (!is_blank(column) && !column.image_type.empty()) found.insert(column.presentation);
  }
  return {found.begin(), found.end()};
}

std::vector<std::string> Design::image_ids() const {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& column : columns) {
    if (!is_blank(column) && !column.image_type.empty() && seen.insert(column.image_id).second) ids.push_back(column.image_id);
  }
  return ids;
}

std::map<std::string, std::string> Design::categories() const {
  std::map<std::string, std::string> categories;
  for (const auto& column : columns) {
    if (is_blank(column) || column.category.empty()) continue;
    categories.emplace(column.image_id, column.category);
  }
  return categories;
}

std::int64_t Design::blank_column() const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (is_blank(columns[i])) return static_cast<std::int64_t>(i);
  }
  return -1;
}

std::vector<std::int64_t> Design::columns_of(const std::string& image_type, int presentation) const {
  std::map<std::string, std::int64_t> by_image;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].image_type == image_type && columns[i].presentation == presentation) {
      by_image[columns[i].image_id] = static_cast<std::int64_t>(i);
    }
  }
  if (by_image.empty()) {
    throw std::invalid_argument("design: no columns of type '" + image_type + "' in presentation " +
                                std::to_string(presentation));
  }
  std::vector<std::int64_t> ordered;
  for (const std::string& id : image_ids()) {
    const auto found = by_image.find(id);
    if (found == by_image.end()) {
      throw std::invalid_argument("design: image " + id + " has no column of type '" + image_type +
                                  "' in presentation " + std::to_string(presentation));
    }
    ordered.push_back(found->second);
  }
  return ordered;
}

Design read_design(const std::filesystem::path& path) {
  const std::string source = path.string();
  const TsvTable table = read_tsv(path);
  for (const char* required : {"image_id", "image_type", "presentation"}) {
    if (table.column_index(required) < 0) {
      throw surface::FormatError(source, std::string("header: expected a column named '") + required +
                                             "', found columns " + listing(table.columns, 20));
    }
  }
  const int column_field = table.column_index("column");
  const int id_field = table.column_index("image_id");
  const int type_field = table.column_index("image_type");
  const int presentation_field = table.column_index("presentation");
  const int category_field = table.column_index("category");

  Design design;
  std::vector<std::size_t> described_by;  // the row (1-based, header = row 0) that describes each column
  std::set<std::tuple<std::string, std::string, int>> seen;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& cells = table.rows[r];
    const std::size_t row = r + 1;
    DesignColumn column;
    column.image_id = cells[static_cast<std::size_t>(id_field)];
    column.image_type = cells[static_cast<std::size_t>(type_field)];
    if (category_field >= 0) column.category = cells[static_cast<std::size_t>(category_field)];
    if (column.category == "n/a") column.category.clear();  // BIDS: not applicable
    if (column.image_type.empty()) throw surface::FormatError(source, "row " + std::to_string(row) + ", image_type: empty");
    if (!is_blank(column)) {
      if (column.image_id.empty()) throw surface::FormatError(source, "row " + std::to_string(row) + ", image_id: empty");
      const long presentation = parse_integer(cells[static_cast<std::size_t>(presentation_field)], source, row, "presentation");
      if (presentation < 1) {
        throw surface::FormatError(source, "row " + std::to_string(row) + ", presentation: expected 1, 2, ..., found " +
                                               std::to_string(presentation));
      }
      column.presentation = static_cast<int>(presentation);
      if (!seen.insert({column.image_id, column.image_type, column.presentation}).second) {
        throw surface::FormatError(source, "row " + std::to_string(row) + ": image " + column.image_id + " of type " +
                                               column.image_type + " in presentation " +
                                               std::to_string(column.presentation) + " is described twice");
      }
    }
    std::size_t index = r;
    if (column_field >= 0) {
      const long value = parse_integer(cells[static_cast<std::size_t>(column_field)], source, row, "column");
      if (value < 0) {
        throw surface::FormatError(source, "row " + std::to_string(row) + ", column: expected a beta column number >= 0, found " +
                                               std::to_string(value));
      }
      index = static_cast<std::size_t>(value);
    }
    if (index >= design.columns.size()) {
      design.columns.resize(index + 1);
      described_by.resize(index + 1, 0);
    }
    if (described_by[index] != 0) {
      throw surface::FormatError(source, "column: beta column " + std::to_string(index) + " is described twice, in rows " +
                                             std::to_string(described_by[index]) + " and " + std::to_string(row));
    }
    described_by[index] = row;
    design.columns[index] = column;
  }
  if (std::count_if(design.columns.begin(), design.columns.end(), is_blank) > 1) {
    throw surface::FormatError(source, "image_type: expected at most one blank column, found " +
                                           std::to_string(std::count_if(design.columns.begin(), design.columns.end(), is_blank)));
  }
  return design;
}

void check_design(const Design& design, std::int64_t beta_columns, const std::string& source) {
  const auto described = static_cast<std::int64_t>(design.columns.size());
  if (described > beta_columns) {
    throw surface::FormatError(source, "column: the design describes column " + std::to_string(described - 1) +
                                           ", but the betas have only " + std::to_string(beta_columns) + " columns");
  }
  std::vector<std::string> missing;
  for (std::int64_t c = 0; c < beta_columns; ++c) {
    if (c >= described || design.columns[static_cast<std::size_t>(c)].image_type.empty()) missing.push_back(std::to_string(c));
  }
  if (!missing.empty()) {
    throw surface::FormatError(source, "column: expected every one of the " + std::to_string(beta_columns) +
                                           " beta columns to be described, found no row for column(s) " + listing(missing));
  }
  const std::vector<std::string> all_images = design.image_ids();
  for (const std::string& type : design.image_types()) {
    for (const int presentation : design.presentations()) {
      std::set<std::string> images;
      for (const auto& column : design.columns) {
        if (column.image_type == type && column.presentation == presentation) images.insert(column.image_id);
      }
      std::vector<std::string> lacking;
      for (const std::string& id : all_images) {
        if (images.count(id) == 0) lacking.push_back(id);
      }
      if (!lacking.empty()) {
        throw surface::FormatError(source, "images: expected the same " + std::to_string(all_images.size()) +
                                               " images in every type and presentation, found type " + type +
                                               " presentation " + std::to_string(presentation) + " without " +
                                               listing(lacking));
      }
    }
  }
}

void write_design(const Design& design, const std::filesystem::path& path) {
  TsvTable table;
  table.columns = {"column", "image_id", "image_type", "presentation", "category"};
  for (std::size_t i = 0; i < design.columns.size(); ++i) {
    const auto& column = design.columns[i];
    const bool blank = is_blank(column);
    table.rows.push_back({std::to_string(i), blank && column.image_id.empty() ? kBlank : column.image_id, column.image_type,
                          blank ? "n/a" : std::to_string(column.presentation),
                          column.category.empty() ? "n/a" : column.category});
  }
  write_tsv(table, path);
}

}  // namespace visalign::fmri
