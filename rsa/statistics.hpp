#pragma once
// Statistics of the RSA study: resampling plans (label permutations, bootstrap samples of
// conditions or vertices, subsamples), percentile confidence intervals, the Mann-Kendall trend test,
// paired t-tests and Benjamini-Hochberg FDR. Every random plan is drawn from RandomStream(seed, i)
// for sample i, so it is the same for any number of threads or processes.

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <vector>

namespace visalign::rsa {

/// Permutation i of 0..n-1 (Fisher-Yates on RandomStream(seed, i)).
std::vector<std::int32_t> label_permutation(std::int32_t n, std::uint64_t seed, std::uint64_t index);

/// Bootstrap sample i: n draws with replacement from 0..n-1.
std::vector<std::int32_t> bootstrap_sample(std::int32_t n, std::uint64_t seed, std::uint64_t index);

/// Subsample i: `size` distinct indices of 0..n-1 (without replacement), ascending.
std::vector<std::int32_t> subsample(std::int32_t n, std::int32_t size, std::uint64_t seed, std::uint64_t index);

/// Permutation p-value p = (1 + #{null >= observed}) / (1 + #null); NaN values in the null are
/// ignored (and do not count in #null); NaN observed gives NaN.
double permutation_p_value(double observed, const std::vector<double>& null_distribution);

/// The condensed-upper-triangle comparison of two RDMs after resampling the conditions with a
/// bootstrap sample (rsatoolbox's way): entries (i, j) for every pair of sample positions a < b
/// whose conditions differ; pairs of a condition with its own copy are left out.
/// Returns the entries of `rdm` (n x n) in that order.
Eigen::VectorXd bootstrap_rdm_entries(const Eigen::Ref<const Eigen::MatrixXd>& rdm, const std::vector<std::int32_t>& sample);

/// An interval; NaN bounds until it is computed (e.g. no subsampling was asked for).
struct ConfidenceInterval {
  double lower = std::numeric_limits<double>::quiet_NaN(), upper = std::numeric_limits<double>::quiet_NaN();
};

/// Percentile interval covering `level` (e.g. 0.95: 2.5th and 97.5th percentiles, linear
/// interpolation as numpy.percentile's default); NaNs are ignored.
ConfidenceInterval percentile_interval(std::vector<double> samples, double level);

struct MannKendallResult {
  double s = 0;         // sum of sign(x_j - x_i), i < j
  double variance = 0;  // with the tie correction
  double z = 0;         // continuity-corrected normal score
  double p = 1;         // two-tailed
};

/// Mann-Kendall trend test (ties corrected: var = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18).
/// std::invalid_argument for fewer than 3 values.
MannKendallResult mann_kendall(const std::vector<double>& series);

struct PairedTTestResult {
  double t = 0, p = 1;  // two-tailed
  double degrees_of_freedom = 0;
  double mean_difference = 0;
};

/// Paired t-test of a against b (as scipy.stats.ttest_rel); std::invalid_argument for unequal
/// lengths or fewer than 2 pairs.
PairedTTestResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b);

/// Benjamini-Hochberg adjusted p-values (q-values), as statsmodels' fdr_bh: monotone, capped at 1;
/// NaN p-values stay NaN and are not counted.
Eigen::VectorXd benjamini_hochberg(const Eigen::Ref<const Eigen::VectorXd>& p_values);

}  // namespace visalign::rsa
