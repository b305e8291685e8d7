#pragma once
// The study's outputs in the layout of BIDS derivatives, from its step folders:
//   dataset_description.json
//   sub-XX/sub-XX_desc-roirsa_similarity.tsv, _desc-encoding_accuracy.tsv, _desc-bestlayer_proportion.tsv,
//          _desc-selection_vertices.tsv (each with a BIDS .json sidecar: description, sources, provenance)
//   sub-XX/hemi-L/sub-XX_hemi-L_desc-REAN_sim.func.gii, _desc-REAI_sim, _desc-AIminusAN_sim, _desc-REAN_p, _desc-REAI_p,
//          _desc-REAN_q, _desc-REAI_q, _desc-reliability_sim (one map each, named, for Workbench, freeview and nilearn)
//   cnn/desc-layers_similarity.tsv, cnn/desc-layers_trends.tsv, cnn/stimuli.tsv
//   group/desc-roirsa_stats.tsv, group/desc-encoding_stats.tsv, group/desc-bestlayer_proportion.tsv
// Every file is written under a temporary name and renamed.

#include <filesystem>
#include <string>

#include "apps/study_layout.hpp"

namespace visalign::apps {

/// "L" for lh, "R" for rh.
std::string bids_hemisphere(const std::string& hemisphere);

/// Writes (or rewrites) the derivatives under layout.output.
void write_study_derivatives(const StudyLayout& layout);

}  // namespace visalign::apps
