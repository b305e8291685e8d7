#pragma once
// How well predicted responses match measured ones (the core study's figure 6): the Pearson r
// pooled over all (image, vertex) pairs of a ROI, per-vertex r, a permutation test over image
// labels, a percentile interval from subsamples of the vertices, and the paired comparison of two
// accuracies on the same vertices (e.g. RE->AI against RE->AN).
//
// The resampling loops are precompute-once, query-many: the centred matrices are reduced once to
// a samples x samples cross-product (permutations: O(samples) each) and to per-target sums
// (subsamples: O(subsample size) each). Permutation i and subsample i come from RandomStream
// streams (seed, i), so every result is identical for any number of OpenMP threads.

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <vector>

#include "rsa/statistics.hpp"

namespace visalign::encoding {

/// per_target (default): each target's (vertex's) mean over the test samples is removed from the
/// measured and the predicted responses before pooling, so that vertex baselines do not inflate r;
/// none: the raw values are pooled (one grand mean per side).
enum class AccuracyCentering { per_target, none };

/// Pearson r over all (sample, target) pairs of measured vs predicted (both samples x targets).
/// NaN when either side has zero variance (not an error); a NaN in either input gives NaN.
/// std::invalid_argument for different shapes or an empty matrix.
double pooled_prediction_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                  const Eigen::Ref<const Eigen::MatrixXd>& predicted,
                                  AccuracyCentering centering = AccuracyCentering::per_target);

/// Pearson r per target (column) over samples (targets); NaN for a column that is constant on
/// either side (as scipy.stats.pearsonr). std::invalid_argument for different shapes or an empty matrix.
Eigen::VectorXd per_target_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                    const Eigen::Ref<const Eigen::MatrixXd>& predicted);

/// Subsample i of the targets is rsa::subsample(targets, size, seed ^ accuracy_subsample_salt, i),
/// so that it is not the same stream as permutation i.
inline constexpr std::uint64_t accuracy_subsample_salt = 0x5ab5a3b1e0f1c2d3ull;

struct AccuracyTestOptions {
  int permutations = 1000;          // image-label permutations: rows of `predicted` shuffled together (one
                                    // permutation for all targets), r recomputed; p = (1 + #{null >= observed}) / (1 + n)
  int subsamples = 1000;            // subsamples of the targets (vertices) drawn without replacement
  double subsample_fraction = 0.8;  // in (0, 1]; subsample size round(fraction * targets), at least 1
  double interval_level = 0.95;     // in (0, 1]
  std::uint64_t seed = 0;           // permutation i: rsa::label_permutation(samples, seed, i); subsample i: see above
  AccuracyCentering centering = AccuracyCentering::per_target;
};

struct AccuracyTest {
  double accuracy = NAN;                       // pooled r
  double permutation_p = NAN;                  // NaN when accuracy is NaN or there are no permutations
  std::vector<double> null_distribution;       // permutations
  std::vector<double> subsample_distribution;  // subsamples
  rsa::ConfidenceInterval interval{NAN, NAN};  // percentile interval of the subsample distribution
  // What the subsamples were drawn from, so that two tests can be checked to be paired.
  std::int32_t samples = 0, targets = 0, subsample_size = 0;
  std::uint64_t seed = 0;
  AccuracyCentering centering = AccuracyCentering::per_target;
};

/// Pooled accuracy with its permutation test and subsample interval. measured and predicted:
/// samples x targets. std::invalid_argument (before any work) for different shapes, an empty
/// matrix, permutations < 0, subsamples < 0, a subsample fraction outside (0, 1] or an interval
/// level outside (0, 1].
AccuracyTest test_prediction_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                      const Eigen::Ref<const Eigen::MatrixXd>& predicted,
                                      const AccuracyTestOptions& options);

/// Two accuracies on the same targets (e.g. RE->AI against RE->AN): the differences of the paired
/// subsample distributions (same vertex subsets, same index i), their percentile interval and the
/// one-sided p that the first is not larger: p = (1 + #{difference <= 0}) / (1 + n), NaN
/// differences left out (NaN when none is left).
struct AccuracyComparison {
  double difference = NAN;  // first.accuracy - second.accuracy
  std::vector<double> subsample_differences;
  rsa::ConfidenceInterval interval{NAN, NAN};
  double one_sided_p = NAN;
};

/// std::invalid_argument when the two tests were not drawn on the same subsamples (different
/// numbers of subsamples, targets, subsample sizes or seeds) or interval_level is outside (0, 1].
AccuracyComparison compare_prediction_accuracies(const AccuracyTest& first, const AccuracyTest& second,
                                                 double interval_level = 0.95);

}  // namespace visalign::encoding
