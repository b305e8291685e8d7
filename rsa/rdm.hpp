#pragma once
// Representational dissimilarity matrices from response patterns.

#include <Eigen/Core>

#include <string>

namespace visalign::rsa {

enum class RdmDistance {
  correlation,  // 1 - Pearson r between two conditions' patterns (default)
  euclidean,    // Euclidean distance between the patterns
  cosine,       // 1 - cosine similarity
};

/// "correlation" / "euclidean" / "cosine"; std::invalid_argument otherwise.
RdmDistance parse_rdm_distance(const std::string& name);
std::string to_string(RdmDistance distance);

/// The #conditions by #conditions RDM of `patterns` (#conditions by #features; rows are conditions),
/// symmetric with a zero diagonal, as scipy.spatial.distance.pdist/squareform. A constant row under
/// `correlation` (or an all-zero row under `cosine`) gives NaN entries in its row and column.
/// std::invalid_argument for fewer than 2 conditions or no features.
Eigen::MatrixXd compute_rdm(const Eigen::Ref<const Eigen::MatrixXd>& patterns, RdmDistance distance = RdmDistance::correlation);

/// The condensed RDM of patterns held features x conditions (each condition a contiguous column,
/// overwritten: centred and scaled in place). compute_rdm and the searchlight both compute through
/// it, so that equal inputs give bit-identical distances, and so the same rank ties.
void condensed_rdm_of_columns(Eigen::Ref<Eigen::MatrixXd> columns, RdmDistance distance, Eigen::Ref<Eigen::VectorXd> condensed);

/// The strict upper triangle, row by row ((0,1), (0,2), ..., (1,2), ...): scipy's condensed form.
Eigen::VectorXd upper_triangle(const Eigen::Ref<const Eigen::MatrixXd>& rdm);

/// Index of entry (i, j), i < j, of an n x n matrix in the condensed upper triangle.
inline Eigen::Index condensed_index(Eigen::Index i, Eigen::Index j, Eigen::Index n) {
  return i * n - i * (i + 1) / 2 + (j - i - 1);
}

}  // namespace visalign::rsa
