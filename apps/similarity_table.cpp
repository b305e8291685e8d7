#include "apps/similarity_table.hpp"

#include <cmath>
#include <cstdio>

namespace visalign::apps {

std::string table_number(double value) {
  if (std::isnan(value)) return "nan";
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

std::vector<std::string> similarity_table_columns(const std::vector<std::string>& leading) {
  std::vector<std::string> columns = leading;
  for (const char* column : {"presentation", "measure", "value", "p_permutation", "ci68_low", "ci68_high", "ci95_low", "ci95_high",
                             "subsample_ci95_low", "subsample_ci95_high", "p_bootstrap_one_sided"}) {
    columns.push_back(column);
  }
  return columns;
}

namespace {

/// An interval's bound, or n/a where the interval was not computed.
std::string bound_cell(double bound) { return std::isnan(bound) ? "n/a" : table_number(bound); }

}  // namespace

void append_similarity_rows(fmri::TsvTable& table, const std::vector<std::string>& leading, const rsa::SimilarityAnalysis& analysis,
                            const rsa::SimilarityAnalysisOptions& options) {
  const std::string na = "n/a";
  for (const auto& similarity : analysis.similarities) {
    const std::string measure = options.reference + "-" + similarity.type;
    for (std::size_t p = 0; p < similarity.per_presentation.size(); ++p) {
      std::vector<std::string> row = leading;
      for (const std::string& cell : {std::to_string(p + 1), measure, table_number(similarity.per_presentation[p]),
                                      table_number(similarity.p_per_presentation[p]), na, na, na, na, na, na, na}) {
        row.push_back(cell);
      }
      table.rows.push_back(row);
    }
    std::vector<std::string> row = leading;
    for (const std::string& cell :
         {std::string("mean"), measure, table_number(similarity.mean), table_number(similarity.p_mean),
          bound_cell(similarity.feature_ci68.lower), bound_cell(similarity.feature_ci68.upper),
          bound_cell(similarity.feature_ci95.lower), bound_cell(similarity.feature_ci95.upper),
          bound_cell(similarity.subsample_ci95.lower), bound_cell(similarity.subsample_ci95.upper), na}) {
      row.push_back(cell);
    }
    table.rows.push_back(row);
  }
  if (analysis.similarities.size() >= 2) {
    const auto& d = analysis.difference;
    std::vector<std::string> row = leading;
    for (const std::string& cell : {std::string("mean"), options.reference + "-" + d.larger + " minus " + options.reference + "-" + d.smaller,
                                    table_number(d.difference), na, na, na, bound_cell(d.ci95.lower), bound_cell(d.ci95.upper), na,
                                    na, table_number(d.p_one_sided)}) {
      row.push_back(cell);
    }
    table.rows.push_back(row);
  }
}

}  // namespace visalign::apps
