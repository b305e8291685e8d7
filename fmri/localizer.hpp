#pragma once
// Functional localizers: a two-tailed two-sample t-test per vertex between two condition groups
// of localizer betas (intact vs scrambled objects for LO, moving vs static for hMT+), and the ROI
// of vertices where the first group responds more at p below a threshold, optionally inside a mask.
//
// The localizer design is a TSV with a `condition` column (and optionally `column`, 0-based),
// one row per localizer beta column.

#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fmri/roi.hpp"
#include "rsa/t_test.hpp"

namespace visalign::fmri {

struct LocalizerDesign {
  std::vector<std::string> conditions;  // one per beta column
};

/// FormatError naming the file for a missing `condition` column or columns described twice or not at all.
LocalizerDesign read_localizer_design(const std::filesystem::path& path);
void write_localizer_design(const LocalizerDesign& design, const std::filesystem::path& path);

struct LocalizerContrast {
  std::string preferred;   // e.g. "intact"
  std::string baseline;    // e.g. "scrambled"
  double p_threshold = 0.05;
};

struct LocalizerResult {
  rsa::TTestResult test;  // per vertex, positive t: preferred > baseline
  Roi roi;                // t > 0 and p < threshold (inside the mask when one is given)
};

/// Runs the contrast. FormatError naming `design_source` when a condition does not occur in the
/// design (listing the ones that do) or the design and betas differ in column count.
LocalizerResult localize(const Eigen::Ref<const Eigen::MatrixXf>& betas, const LocalizerDesign& design,
                         const std::string& design_source, const LocalizerContrast& contrast, const std::string& roi_name,
                         const std::optional<Roi>& mask = std::nullopt);

}  // namespace visalign::fmri
