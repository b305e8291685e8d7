#pragma once
// The study's statistics over subjects (seed 000: paired t-tests across subjects x presentations), from the
// subjects' ROI RSA and encoding tables:
//   group_roi_rsa.tsv     per ROI: mean R(RE-AN) and R(RE-AI), paired t-test of RE-AI against RE-AN
//   group_encoding.tsv    per ROI and layer: mean accuracy for AN and AI, paired t-test of AI against AN
//   group_best_layer.tsv  per ROI, test and layer: the mean share of vertices best predicted by the layer

#include <filesystem>

#include "apps/study_layout.hpp"

namespace visalign::apps {

/// Writes the three tables (each with a provenance-style .json sidecar) into `folder`.
void write_group_statistics(const StudyLayout& layout, const std::filesystem::path& folder);

}  // namespace visalign::apps
