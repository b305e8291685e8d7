#pragma once
// Reliability of neural responses from repeated presentations: split-half correlation of the
// repeat-averaged responses, Spearman-Brown corrected, and the noise-corrected predictivity of a
// model, r / sqrt(reliability) per neuron (the V1 predictivity of METHODS.md).
//
// Responses with repeats are one matrix per repeat, each stimuli x neurons; NaN marks a missing
// trial, so a neuron may have fewer valid repeats for some stimuli. A split is a random order of
// the repeats: the first floor(n/2) form half A and the next floor(n/2) half B (for odd n the last
// one is left out, so that the halves are equal). The half-mean of a stimulus is the mean over
// that half's valid (non-NaN) trials.

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace visalign::encoding {

struct SplitHalfOptions {
  int splits = 10;          // random halves of the repeats; the correlations are averaged over splits
  std::uint64_t seed = 0;   // split i: rsa::label_permutation(repeats, seed, i)
};

struct SplitHalfReliability {
  Eigen::VectorXd half_correlation;           // neurons: mean over splits of Pearson r (over stimuli) between the two half-means
  Eigen::VectorXd spearman_brown;             // neurons: 2r / (1 + r) of that mean r
  std::vector<std::string> undefined_reason;  // neurons: "" when defined; else why not (both values are then NaN)
  Eigen::VectorXi valid_splits;               // neurons: the splits whose correlation was defined (and averaged)
};

/// Spearman-Brown prediction for the full set of repeats from the correlation of two halves:
/// 2r / (1 + r); NaN for NaN or r = -1.
double spearman_brown_correction(double half_correlation);

/// Split-half reliability over options.splits random splits. Per split, r is taken over the stimuli
/// that have valid trials in both halves; a split whose r is undefined (fewer than 2 such stimuli, or
/// constant half-means) is left out of the mean. A neuron is undefined, with a reason and not an
/// error, when it has no valid trial ("no valid trials"), valid trials in fewer than 2 repeats
/// ("fewer than 2 repeats"), the same value in every valid trial ("constant responses"), or no split
/// with a defined r ("undefined in every split: ...").
/// std::invalid_argument for no repeat matrices, repeats of different shapes, zero stimuli, splits < 1.
SplitHalfReliability split_half_reliability(const std::vector<Eigen::MatrixXd>& repeats, const SplitHalfOptions& options);

/// The same with the splits given as orders of the repeats (each a permutation of 0..repeats-1:
/// positions 0..h-1 are half A, h..2h-1 half B, h = floor(repeats / 2)); std::invalid_argument for an
/// order that is not a permutation.
SplitHalfReliability split_half_reliability_from_orders(const std::vector<Eigen::MatrixXd>& repeats,
                                                        const std::vector<std::vector<std::int32_t>>& repeat_orders);

/// r / sqrt(reliability) per neuron: NaN where the accuracy is NaN or the reliability is NaN or <= 0
/// (reported, not thrown). std::invalid_argument for vectors of different lengths.
Eigen::VectorXd noise_corrected_predictivity(const Eigen::Ref<const Eigen::VectorXd>& accuracy,
                                             const Eigen::Ref<const Eigen::VectorXd>& reliability);

/// Median over the finite values (numpy.median: the mean of the two middle ones for an even count);
/// NaN if there is none.
double median_of_finite(const Eigen::Ref<const Eigen::VectorXd>& values);

/// The two half-means of one random split (split index i, order rsa::label_permutation(repeats, seed,
/// i)), stimuli x neurons each, for cvPCA; NaN where a half has no valid trial of that stimulus.
std::pair<Eigen::MatrixXd, Eigen::MatrixXd> split_half_means(const std::vector<Eigen::MatrixXd>& repeats,
                                                             std::uint64_t seed, std::uint64_t split_index);

/// The half-means for a given order of the repeats (see split_half_reliability_from_orders).
std::pair<Eigen::MatrixXd, Eigen::MatrixXd> split_half_means_from_order(const std::vector<Eigen::MatrixXd>& repeats,
                                                                        const std::vector<std::int32_t>& repeat_order);

/// Mean over the valid (non-NaN) repeats of each stimulus and neuron (stimuli x neurons); NaN where
/// there is none.
Eigen::MatrixXd mean_over_repeats(const std::vector<Eigen::MatrixXd>& repeats);

/// Replaces the NaN (missing) entries of each column by the mean of its finite entries (0 for a
/// column without any), e.g. before a regression or a projection that cannot skip them.
void fill_missing_with_column_means(Eigen::MatrixXd& matrix);

}  // namespace visalign::encoding
