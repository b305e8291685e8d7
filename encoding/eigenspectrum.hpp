#pragma once
// Eigenspectra and their power-law exponent (METHODS.md, "Eigenspectrum and power law"): PCA
// eigenvalues of layer activations or neural responses, alpha = minus the slope of log(eigenvalue)
// against log(index) over indices 10..1000 (or the range that exists), and for neural data with two
// halves of repeats the cross-validated PCA of Stringer et al. (2019, Nature 571:361), whose
// eigenvalues are the covariance of the two halves along half 1's eigenvectors: noise independent
// between the halves cancels in expectation, so the spectrum is that of the stimulus-related signal.

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <functional>

namespace visalign::encoding {

/// Cross-validated PCA (Stringer et al. 2019): responses of two halves of repeats, stimuli x neurons each.
/// Eigenvectors from half 1 (PCA of half 1, centred over stimuli), eigenvalue j = sum over stimuli of
/// (projection of centred half 1 on eigenvector j) * (projection of centred half 2 on eigenvector j), divided by
/// (stimuli - 1) so it is comparable to PCA variances. Returns min(stimuli - 1, neurons) values (may be negative).
/// Each half is centred with its own stimulus means. Eigenvectors of half 1 that its centred data do
/// not span (a half with fewer independent neurons than that) are arbitrary unit vectors orthogonal to
/// the others, as in fit_pca.
/// std::invalid_argument for halves of different shapes, fewer than 2 stimuli, empty halves, a NaN or infinity.
Eigen::VectorXd cross_validated_eigenspectrum(const Eigen::Ref<const Eigen::MatrixXd>& first_half,
                                              const Eigen::Ref<const Eigen::MatrixXd>& second_half);

/// PCA eigenvalues (sample covariance, divided by samples - 1, descending) of samples x features data with
/// far more features than samples (a CNN layer's units to 1000 images): from the centred Gram matrix,
/// accumulated in double over blocks of `block_columns` features, so memory beyond the float input is
/// samples^2 + samples x block_columns doubles. Returns samples - 1 values (the centred data have rank <=
/// samples - 1; values that rounding makes slightly negative are kept). progress(done, total) over the blocks.
/// std::invalid_argument for fewer than 2 samples, no features, a NaN or infinity.
Eigen::VectorXd covariance_eigenvalues(const Eigen::Ref<const Eigen::MatrixXf>& samples, Eigen::Index block_columns = 2048,
                                       const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Scores of `samples` on the first `components` principal axes of `basis` (both images x features, the
/// same features), without forming the axes, which for a CNN layer would be features x components doubles:
/// with the centred basis B_c = U S V^T the axes are V = B_c^T U S^-1, so the scores (x - mean) V are the
/// cross-Gram (x - mean) B_c^T times U S^-1, accumulated in double over blocks of features. Equal to
/// PCA-then-project up to the sign of each axis (which no regression on the scores depends on). At most
/// min(basis images - 1, features) axes (the centred basis's rank), and axes whose singular value is below
/// 1e-6 of the first are left out (rounding noise); returns samples x used components.
/// std::invalid_argument for fewer than 2 basis images, different feature counts, components < 1, NaN/Inf.
Eigen::MatrixXd basis_pca_scores(const Eigen::Ref<const Eigen::MatrixXf>& basis, const Eigen::Ref<const Eigen::MatrixXf>& samples,
                                 int components, Eigen::Index block_columns = 2048);

struct PowerLawFit {
  double alpha = NAN;          // minus the slope of log(eigenvalue) against log(index), least squares
  double log_intercept = NAN;  // natural log of the fitted eigenvalue at index 1
  int first_index = 0, last_index = 0;  // 1-based index range actually used (clipped to what exists)
  int points_used = 0;         // positive eigenvalues inside the range (non-positive ones are left out and counted)
  int nonpositive_left_out = 0;
  double r_squared = NAN;      // of the log-log fit (NaN with fewer than 2 points; 1 when the fit is exact)
};

/// Fit over 1-based indices first..last (defaults 10..1000, clipped to the spectrum's length).
/// Fewer than 2 usable points: alpha NaN and points_used tells why (status, not an error).
/// Natural logarithms; NaN eigenvalues in the range are left out like non-positive ones (counted there).
/// std::invalid_argument for first_index < 1 or last_index < first_index.
PowerLawFit fit_power_law(const Eigen::Ref<const Eigen::VectorXd>& eigenvalues, int first_index = 10, int last_index = 1000);

}  // namespace visalign::encoding
