#pragma once
// The searchlight RSA engine: for every vertex, RDMs of its disk's response patterns for several
// condition sets (e.g. RE, AN and AI images of presentation 1 and 2), compared between sets
// (Spearman by default), with label-permutation p-values.
//
// A measure averages one or more comparisons (e.g. R(RE-AN) = mean over presentations of
// Spearman(RDM RE_p, RDM AN_p)). Its permutation null relabels the conditions of the first set of
// each comparison with the same permutation; the permutations are shared by all vertices
// (permutation k is label_permutation(n, seed, k)), and since relabelling conditions permutes the
// RDM's entries, and so the entries' ranks, each permutation costs one gathered dot product per
// comparison. Ranks are kept doubled (integers), so dot products are exact and the counts
// #{null >= observed} do not depend on summation order: results are identical for any number of
// threads or processes.

#include <Eigen/Core>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"

namespace visalign::rsa {

/// The searchlight disks: disk of vertex v is vertices[offsets[v], offsets[v+1]) (the surface
/// module's neighbourhood table). Empty disks are allowed (their results are NaN).
struct SearchlightDisks {
  const std::vector<std::int64_t>& offsets;  // #V+1
  const std::vector<std::int32_t>& vertices;
};

/// Beta columns of one condition set, in condition order (every set has the same conditions).
using ConditionSet = std::vector<Eigen::Index>;

struct SetComparison {
  int first = 0;   // index into the sets; its labels are permuted
  int second = 0;
};

struct SearchlightMeasure {
  std::string name;                        // e.g. "RE-AN"
  std::vector<SetComparison> comparisons;  // averaged
};

struct SearchlightOptions {
  RdmDistance distance = RdmDistance::correlation;
  RdmComparison comparison = RdmComparison::spearman;  // spearman or pearson (the permutation shortcut needs them)
  int permutations = 0;                                // 0: similarities only
  std::uint64_t seed = 0;
  int threads = 1;
};

struct SearchlightResult {
  Eigen::MatrixXd similarity;  // #vertices in the range by #measures (NaN where undefined)
  Eigen::MatrixXd p_value;     // same shape; NaN without permutations or where undefined
  std::vector<std::int32_t> undefined_vertices;  // empty disks, too few vertices or constant patterns
};

/// Runs the measures for vertices [first_vertex, last_vertex) (all of them by default; a range lets
/// MPI ranks split the work). `betas` is vertex-major: row v holds vertex v's betas (#V by #columns).
/// Validates everything before the parallel loop: std::invalid_argument for sets of unequal size or
/// fewer than 3 conditions, columns or disk vertices out of range, measures naming unknown sets, or
/// an unsupported comparison.
SearchlightResult searchlight_rsa(
    const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>& betas,
    const SearchlightDisks& disks, const std::vector<ConditionSet>& sets, const std::vector<SearchlightMeasure>& measures,
    const SearchlightOptions& options, std::int64_t first_vertex = 0, std::int64_t last_vertex = -1,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::rsa
