#include "fmri/vertex_selection.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace visalign::fmri {

Eigen::VectorXd disk_reliability(const VertexMajorBetas& betas, const rsa::SearchlightDisks& disks, const Design& design,
                                 const std::string& reference_type, rsa::RdmDistance distance, int threads,
                                 const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::vector<int> presentations = design.presentations();
  if (presentations.size() < 2) {
    throw std::invalid_argument("vertex selection: expected at least two presentations of the " + reference_type +
                                " images, found " + std::to_string(presentations.size()));
  }
  std::vector<rsa::ConditionSet> sets;
  for (const int presentation : presentations) {
    const auto columns = design.columns_of(reference_type, presentation);
    sets.emplace_back(columns.begin(), columns.end());
  }
  rsa::SearchlightMeasure measure{"reliability", {}};
  for (int a = 0; a < static_cast<int>(sets.size()); ++a) {
    for (int b = a + 1; b < static_cast<int>(sets.size()); ++b) measure.comparisons.push_back({a, b});
  }
  rsa::SearchlightOptions options;
  options.distance = distance;
  options.threads = threads;
  return rsa::searchlight_rsa(betas, disks, sets, {measure}, options, 0, -1, progress).similarity.col(0);
}

SelectedVertices select_reliable_vertices(const Roi& roi, const Eigen::VectorXd& reliability, int count) {
  if (count < 1) throw std::invalid_argument("vertex selection: expected a positive number of vertices, found " + std::to_string(count));
  std::vector<std::int32_t> candidates;
  for (const std::int32_t v : roi.vertices) {
    if (v < 0 || v >= reliability.size()) {
      throw std::invalid_argument("vertex selection: ROI " + roi.name + " has vertex " + std::to_string(v) + " outside the " +
                                  std::to_string(reliability.size()) + " vertices");
    }
    if (std::isfinite(reliability(v))) candidates.push_back(v);
  }
  std::sort(candidates.begin(), candidates.end(), [&](std::int32_t a, std::int32_t b) {
    return reliability(a) > reliability(b) || (reliability(a) == reliability(b) && a < b);
  });
  if (static_cast<int>(candidates.size()) > count) candidates.resize(static_cast<std::size_t>(count));
  SelectedVertices selected;
  selected.roi = roi.name;
  selected.vertices = candidates;
  for (const std::int32_t v : candidates) selected.reliability.push_back(reliability(v));
  return selected;
}

}  // namespace visalign::fmri
