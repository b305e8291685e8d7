#pragma once
// Vertex selection (core study, Methods "Vertex selection"): the split-half reliability of every
// vertex's searchlight disk (Spearman between the RE-image RDMs of presentation 1 and 2; the mean
// over pairs of presentations when there are more), and the most reliable vertices of each ROI.
// Only the RE betas are used, never AN/AI.

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fmri/design.hpp"
#include "fmri/roi.hpp"
#include "rsa/rdm.hpp"
#include "rsa/searchlight.hpp"

namespace visalign::fmri {

using VertexMajorBetas = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Per-vertex reliability (NaN where a disk is empty or its patterns are constant).
Eigen::VectorXd disk_reliability(const VertexMajorBetas& betas, const rsa::SearchlightDisks& disks, const Design& design,
                                 const std::string& reference_type, rsa::RdmDistance distance, int threads,
                                 const std::function<void(std::size_t, std::size_t)>& progress = {});

struct SelectedVertices {
  std::string roi;
  std::vector<std::int32_t> vertices;  // most reliable first (ties: lower vertex number first)
  std::vector<double> reliability;
};

/// The `count` most reliable vertices of `roi` (fewer if the ROI has fewer with a defined reliability).
SelectedVertices select_reliable_vertices(const Roi& roi, const Eigen::VectorXd& reliability, int count);

}  // namespace visalign::fmri
