#pragma once
// The rows of an RSA results table (ROI or layer): one row per similarity and presentation
// (and their mean), one for the difference between the two compared types.

#include <string>
#include <vector>

#include "fmri/tsv_table.hpp"
#include "rsa/similarity_analysis.hpp"

namespace visalign::apps {

/// Columns: the given leading columns, then presentation, measure, value, p_permutation, ci68_low,
/// ci68_high, ci95_low, ci95_high, subsample_ci95_low, subsample_ci95_high, p_bootstrap_one_sided.
std::vector<std::string> similarity_table_columns(const std::vector<std::string>& leading);

/// Appends the analysis' rows, each starting with `leading` (e.g. subject, ROI, hemispheres, vertices).
void append_similarity_rows(fmri::TsvTable& table, const std::vector<std::string>& leading, const rsa::SimilarityAnalysis& analysis,
                            const rsa::SimilarityAnalysisOptions& options);

/// A number as the tables print it (%.6g; "nan" for NaN).
std::string table_number(double value);

}  // namespace visalign::apps
