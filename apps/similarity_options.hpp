#pragma once
// The RSA statistics options that ROI and layer RSA share (distance, comparison, permutations,
// bootstraps), declared once and turned into the analysis options.

#include <string>

#include "apps/command.hpp"
#include "rsa/similarity_analysis.hpp"

namespace visalign::apps {

struct SimilarityStatistics {
  std::string distance = "correlation";
  std::string comparison = "spearman";
  int permutations = 1000;
  int bootstraps = 1000;
};

/// Declares --distance, --comparison, --permutations and --bootstraps.
void declare_similarity_statistics(SimilarityStatistics& statistics, CommandDeclaration& declaration);

/// The analysis options (std::invalid_argument for an unknown distance or comparison).
rsa::SimilarityAnalysisOptions similarity_analysis_options(const SimilarityStatistics& statistics, const GlobalOptions& global);

}  // namespace visalign::apps
