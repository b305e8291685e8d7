#pragma once
// Principal component analysis with the basis fitted on one set of samples and applied to another
// (the V1-predictivity pipeline of METHODS.md: PCA to 1000 dimensions, basis from a separate image
// set). Samples are rows. The results equal sklearn.decomposition.PCA(svd_solver="full") (1.2.1):
// the mean, the components, explained_variance_ (divided by samples - 1) and its ratio to the total
// variance; transform is `project`. One difference, by design: the sign of each component makes its
// largest |loading| positive (sklearn >= 1.5's convention; 1.2.1 makes the largest |score| of the
// training samples positive), so that the sign is a property of the basis alone.
//
// The exact solver eigen-decomposes the Gram matrix of the smaller side of the centred data in
// double (features x features when samples >= features, samples x samples otherwise), formed in
// fixed tiles in parallel (OpenMP) without a centred copy of the data: it is fast for 4688 x 1000 and
// for 1000 x 290400. The randomized solver is Halko et al.'s range finder with power iterations (as
// sklearn's randomized_svd) with random draws from rsa::RandomStream(seed, column).
//
// Accuracy: eigenvalues are exact to about eps * (largest eigenvalue) * size, so the variance of a
// component is accurate relative to the largest one (not to itself when it is ~1e-12 of it).
// Directions the centred data do not span (e.g. beyond samples - 1) get variance exactly 0 and an
// arbitrary unit vector orthogonal to the others, as sklearn's SVD gives them arbitrary vectors.

#include <Eigen/Core>

#include <cstdint>

namespace visalign::encoding {

enum class PcaSolver { exact, randomized };

struct PcaOptions {
  int components = 0;              // 0: min(samples, features)
  PcaSolver solver = PcaSolver::exact;
  int oversamples = 10;            // randomized: extra sketch columns (sklearn's n_oversamples)
  int power_iterations = 7;        // randomized: sklearn's iterated_power ("auto" is 7 for few components)
  std::uint64_t seed = 0;          // randomized: column j of the sketch from rsa::RandomStream(seed, j)
};

struct PrincipalComponents {
  Eigen::VectorXd mean;                      // features
  Eigen::MatrixXd components;                // features x components (unit columns; largest |loading| positive)
  Eigen::VectorXd explained_variance;        // components (divided by samples - 1, as sklearn)
  Eigen::VectorXd explained_variance_ratio;  // components: explained_variance / total_variance
  double total_variance = 0;                 // sum over features of the variance (ddof 1)
};

/// PCA of `samples` (samples x features), at least 2 samples.
/// Randomized: when components + oversamples >= min(samples, features) the sketch would span the whole
/// space, and the exact solver is used instead (same result, cheaper).
/// std::invalid_argument for an empty matrix, fewer than 2 samples, a NaN or infinity, components
/// outside 0..min(samples, features), oversamples < 0 or power_iterations < 0.
PrincipalComponents fit_pca(const Eigen::Ref<const Eigen::MatrixXd>& samples, const PcaOptions& options);

/// (samples - mean) * components: samples x components. std::invalid_argument when the number of
/// features differs from the fit's, or for a NaN or infinity.
Eigen::MatrixXd project(const PrincipalComponents& pca, const Eigen::Ref<const Eigen::MatrixXd>& samples);


}  // namespace visalign::encoding
