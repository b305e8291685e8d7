#pragma once
// Regions of interest as vertex sets, and ROI algebra: union, intersection, difference, and
// expressions over named ROIs such as "LO - hMT" or "(V1 | V2) & mask".

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace visalign::fmri {

struct Roi {
  std::string name;
  std::vector<std::int32_t> vertices;  // ascending, unique
};

/// A ROI from any list of vertex numbers (sorted and de-duplicated).
Roi make_roi(std::string name, std::vector<std::int32_t> vertices);

Roi roi_union(const Roi& a, const Roi& b);
Roi roi_intersection(const Roi& a, const Roi& b);
Roi roi_difference(const Roi& a, const Roi& b);

/// Evaluates an expression over named ROIs: `|` or `+` union, `&` intersection, `-` difference,
/// left to right, parentheses group. Names are letters, digits, '_', '.'. std::invalid_argument
/// for a syntax error or an unknown name (listing the known ones). The result may be empty: callers
/// that need vertices check (see require_nonempty).
Roi evaluate_roi_expression(const std::string& expression, const std::map<std::string, Roi>& rois);

/// Throws std::runtime_error "ROI '<name>' is empty" (with `context`) when it has no vertices.
void require_nonempty(const Roi& roi, const std::string& context);

}  // namespace visalign::fmri
