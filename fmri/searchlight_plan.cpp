#include "fmri/searchlight_plan.hpp"

namespace visalign::fmri {

SearchlightPlan type_similarity_plan(const Design& design, const std::string& reference, const std::vector<std::string>& compared) {
  SearchlightPlan plan;
  for (const auto& type : compared) plan.measures.push_back({reference + "-" + type, {}});
  for (const int presentation : design.presentations()) {
    auto add_set = [&](const std::string& type) {
      const auto columns = design.columns_of(type, presentation);
      plan.sets.emplace_back(columns.begin(), columns.end());
      return static_cast<int>(plan.sets.size() - 1);
    };
    const int reference_set = add_set(reference);
    for (std::size_t t = 0; t < compared.size(); ++t) {
      plan.measures[t].comparisons.push_back({reference_set, add_set(compared[t])});
    }
  }
  return plan;
}

}  // namespace visalign::fmri
