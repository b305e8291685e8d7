#pragma once
// The searchlight's condition sets and measures for the study's comparisons: per presentation, the
// reference type's images (RE) against each compared type's (AN, AI), averaged over presentations.

#include <string>
#include <vector>

#include "fmri/design.hpp"
#include "rsa/searchlight.hpp"

namespace visalign::fmri {

struct SearchlightPlan {
  std::vector<rsa::ConditionSet> sets;
  std::vector<rsa::SearchlightMeasure> measures;  // "RE-AN", "RE-AI", ... in the order of `compared`
};

/// One set per type and presentation; measure "<reference>-<type>" compares the reference set with
/// the type's set in every presentation (std::invalid_argument if the design lacks one).
SearchlightPlan type_similarity_plan(const Design& design, const std::string& reference, const std::vector<std::string>& compared);

}  // namespace visalign::fmri
