#include "fmri/localizer.hpp"

#include <algorithm>
#include <set>

#include "fmri/tsv_table.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

LocalizerDesign read_localizer_design(const std::filesystem::path& path) {
  const std::string source = path.string();
  const TsvTable table = read_tsv(path);
  const int condition_field = table.column_index("condition");
  if (condition_field < 0) throw surface::FormatError(source, "header: expected a column named 'condition'");
  const int column_field = table.column_index("column");
  LocalizerDesign design;
  design.conditions.resize(table.rows.size());
  std::vector<bool> described(table.rows.size(), false);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    std::size_t index = r;
    if (column_field >= 0) {
      const std::string& text = table.rows[r][static_cast<std::size_t>(column_field)];
      std::size_t used = 0;
      long value = -1;
      try {
        value = std::stol(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != text.size() || value < 0 || static_cast<std::size_t>(value) >= table.rows.size()) {
        throw surface::FormatError(source, "row " + std::to_string(r + 1) + ", column: expected a number in 0.." +
                                               std::to_string(table.rows.size() - 1) + ", found '" + text + "'");
      }
      index = static_cast<std::size_t>(value);
    }
    if (described[index]) {
      throw surface::FormatError(source, "column: beta column " + std::to_string(index) + " is described twice");
    }
    described[index] = true;
    design.conditions[index] = table.rows[r][static_cast<std::size_t>(condition_field)];
  }
  return design;
}

void write_localizer_design(const LocalizerDesign& design, const std::filesystem::path& path) {
  TsvTable table;
  table.columns = {"column", "condition"};
  for (std::size_t i = 0; i < design.conditions.size(); ++i) table.rows.push_back({std::to_string(i), design.conditions[i]});
  write_tsv(table, path);
}

LocalizerResult localize(const Eigen::Ref<const Eigen::MatrixXf>& betas, const LocalizerDesign& design,
                         const std::string& design_source, const LocalizerContrast& contrast, const std::string& roi_name,
                         const std::optional<Roi>& mask) {
  if (static_cast<Eigen::Index>(design.conditions.size()) != betas.cols()) {
    throw surface::FormatError(design_source, "rows: expected one per localizer beta column (" +
                                                  std::to_string(betas.cols()) + "), found " +
                                                  std::to_string(design.conditions.size()));
  }
  auto columns_of = [&](const std::string& condition) {
    std::vector<Eigen::Index> columns;
    for (std::size_t i = 0; i < design.conditions.size(); ++i) {
      if (design.conditions[i] == condition) columns.push_back(static_cast<Eigen::Index>(i));
    }
    if (columns.empty()) {
      std::set<std::string> known(design.conditions.begin(), design.conditions.end());
      std::string listing;
      for (const auto& name : known) listing += (listing.empty() ? "" : ", ") + name;
      throw surface::FormatError(design_source, "condition: expected one of " + listing + ", found '" + condition + "'");
    }
    return columns;
  };
  LocalizerResult result;
  result.test = rsa::two_sample_t_test(betas, columns_of(contrast.preferred), columns_of(contrast.baseline));
  std::vector<std::int32_t> selected;
  for (Eigen::Index v = 0; v < betas.rows(); ++v) {
    if (result.test.t(v) > 0 && result.test.p(v) < contrast.p_threshold) selected.push_back(static_cast<std::int32_t>(v));
  }
  result.roi = make_roi(roi_name, std::move(selected));
  if (mask) {
    result.roi = roi_intersection(result.roi, *mask);
    result.roi.name = roi_name;
  }
  return result;
}

}  // namespace visalign::fmri
