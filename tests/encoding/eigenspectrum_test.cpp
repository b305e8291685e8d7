// Cross-validated PCA (Stringer et al. 2019) and power-law fits of eigenspectra: analytic checks.
// A signal with a planted power-law spectrum (eigenvalue j = 1/j exactly, alpha 1) plus independent
// noise in each half: the cvPCA spectrum's fit recovers alpha ~ 1 while the plain PCA of one half is
// flatter; noise-only halves give a cvPCA spectrum of mean ~ 0; identical noise-free halves give the
// PCA eigenvalues exactly. The power-law fit is exact on an exact power law, clips the index range,
// leaves out and counts non-positive eigenvalues, and reports fewer than 2 points as a status.

#include <gtest/gtest.h>

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>

#include "encoding/eigenspectrum.hpp"
#include "encoding/principal_components.hpp"
#include "rsa/random_stream.hpp"

#include "tests/encoding/regression_fixtures.hpp"

namespace visalign::encoding {
namespace {

using namespace visalign::encoding::regression_fixture;
using visalign::testing::fixture_matrix;
using visalign::testing::fixture_vector;

using Eigen::Index;

Eigen::MatrixXd orthonormal_columns(Eigen::MatrixXd matrix) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(matrix);
  return qr.householderQ() * Eigen::MatrixXd::Identity(matrix.rows(), matrix.cols());
}

/// stimuli x neurons signal whose PCA eigenvalues are exactly 1/j (j = 1..neurons): U diag(sqrt((n-1)/j))
/// V^T with U's columns orthonormal and orthogonal to the constant (so already centred), V orthogonal.
Eigen::MatrixXd planted_power_law_signal(Index stimuli, Index neurons, std::uint64_t seed) {
  Eigen::MatrixXd left = random_matrix(stimuli, neurons, seed);
  left.rowwise() -= left.colwise().mean();
  const Eigen::MatrixXd u = orthonormal_columns(left), v = orthonormal_columns(random_matrix(neurons, neurons, seed + 1));
  Eigen::VectorXd singular(neurons);
  for (Index j = 0; j < neurons; ++j) singular(j) = std::sqrt(static_cast<double>(stimuli - 1) / static_cast<double>(j + 1));
  return u * singular.asDiagonal() * v.transpose();
}

Eigen::VectorXd pca_eigenvalues(const Eigen::MatrixXd& responses) {
  PcaOptions options;
  options.components = static_cast<int>(std::min(responses.rows() - 1, responses.cols()));
  return fit_pca(responses, options).explained_variance;
}

// ---- cross-validated PCA ------------------------------------------------------------------------------

TEST(CrossValidatedEigenspectrum, RecoversAPlantedPowerLawThroughNoise) {
  // 1000 stimuli x 500 neurons, eigenvalues 1/j, noise SD 0.05 per response (variance 0.0025 per
  // neuron, i.e. the signal eigenvalue of j = 400), fit over 10..100.
  // Tolerance: in a numpy simulation of this design (20 seeds) cvPCA gave alpha 1.008 +- 0.0026 (SD;
  // range 1.0025..1.013): the small positive bias comes from half 1's eigenvectors being slightly
  // noisy, which spreads signal variance from the larger eigenvalues to the smaller ones. 0.03 is
  // the bias plus more than 8 SD. Plain PCA of one half gave 0.836 +- 0.0025 (noise adds about the
  // same variance to every eigenvalue: flatter).
  const Index stimuli = 1000, neurons = 500;
  const Eigen::MatrixXd signal = planted_power_law_signal(stimuli, neurons, 100);
  const Eigen::MatrixXd first = signal + 0.05 * random_matrix(stimuli, neurons, 200);
  const Eigen::MatrixXd second = signal + 0.05 * random_matrix(stimuli, neurons, 300);
  const Eigen::VectorXd spectrum = cross_validated_eigenspectrum(first, second);
  ASSERT_EQ(spectrum.size(), 500);
  const PowerLawFit cross_validated = fit_power_law(spectrum, 10, 100);
  const PowerLawFit plain = fit_power_law(pca_eigenvalues(first), 10, 100);
  EXPECT_NEAR(cross_validated.alpha, 1.0, 0.03);
  EXPECT_LT(plain.alpha, 0.9);
  EXPECT_EQ(cross_validated.points_used, 91);
  std::cout << "cvPCA planted power law (alpha 1, 1000 stimuli x 500 neurons, noise SD 0.05, fit 10..100): cvPCA alpha "
            << cross_validated.alpha << " (r^2 " << cross_validated.r_squared << "), plain PCA of one half alpha "
            << plain.alpha << " (biased flatter)\n";
  RecordProperty("cvpca_alpha", std::to_string(cross_validated.alpha));
  RecordProperty("plain_pca_alpha", std::to_string(plain.alpha));
}

TEST(CrossValidatedEigenspectrum, NoiseFreeIdenticalHalvesGiveThePcaEigenvalues) {
  const Eigen::MatrixXd signal = planted_power_law_signal(300, 120, 7);
  const Eigen::VectorXd spectrum = cross_validated_eigenspectrum(signal, signal);
  ASSERT_EQ(spectrum.size(), 120);
  Eigen::VectorXd planted(120);
  for (Index j = 0; j < 120; ++j) planted(j) = 1.0 / static_cast<double>(j + 1);
  EXPECT_LT(((spectrum - planted).array() / planted.array()).abs().maxCoeff(), 1e-9);
  const PowerLawFit fit = fit_power_law(spectrum);  // 10..1000 clipped to 10..120
  EXPECT_NEAR(fit.alpha, 1.0, 1e-9);
  EXPECT_EQ(fit.last_index, 120);
}

TEST(CrossValidatedEigenspectrum, NoiseOnlyHalvesGiveMeanNearZero) {
  // Independent noise (SD 1) in the halves: eigenvalue j = u_j . w_j / (n - 1) with u_j half 1's
  // projection (squared norm (n - 1) lambda_j) and w_j ~ N(0, I) independent of it, so it has mean 0
  // and variance lambda_j / (n - 1); the mean over the k values has SD sqrt(sum lambda_j / (n - 1)) / k.
  const Index stimuli = 400, neurons = 200;
  const Eigen::MatrixXd first = random_matrix(stimuli, neurons, 11), second = random_matrix(stimuli, neurons, 12);
  const Eigen::VectorXd spectrum = cross_validated_eigenspectrum(first, second);
  const Eigen::VectorXd plain = pca_eigenvalues(first);
  const double standard_error = std::sqrt(plain.sum() / static_cast<double>(stimuli - 1)) / static_cast<double>(spectrum.size());
  EXPECT_LT(std::abs(spectrum.mean()), 5 * standard_error);
  EXPECT_GT(plain.mean(), 0.9);  // the plain PCA eigenvalues average the noise variance, 1
  std::cout << "cvPCA of noise-only halves (400 x 200, SD 1): mean eigenvalue " << spectrum.mean() << " (standard error "
            << standard_error << "), plain PCA mean eigenvalue " << plain.mean() << "\n";
}

TEST(CrossValidatedEigenspectrum, NeuronsBeyondStimuliAndBadInput) {
  const Eigen::MatrixXd first = random_matrix(20, 50, 1), second = random_matrix(20, 50, 2);
  EXPECT_EQ(cross_validated_eigenspectrum(first, second).size(), 19);
  EXPECT_EQ(cross_validated_eigenspectrum(first.leftCols(10), second.leftCols(10)).size(), 10);
  EXPECT_THROW(cross_validated_eigenspectrum(first, second.topRows(19)), std::invalid_argument);
  EXPECT_THROW(cross_validated_eigenspectrum(first.topRows(1), second.topRows(1)), std::invalid_argument);
  EXPECT_THROW(cross_validated_eigenspectrum(Eigen::MatrixXd(0, 3), Eigen::MatrixXd(0, 3)), std::invalid_argument);
  Eigen::MatrixXd with_nan = second;
  with_nan(2, 3) = std::nan("");
  try {
    cross_validated_eigenspectrum(first, with_nan);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("second_half"), std::string::npos) << error.what();
  }
}

// ---- power-law fit ------------------------------------------------------------------------------------

TEST(PowerLawFit, ExactOnAnExactPowerLaw) {
  Eigen::VectorXd values(2000);
  for (Index j = 0; j < values.size(); ++j) values(j) = 3.0 * std::pow(static_cast<double>(j + 1), -1.3);
  const PowerLawFit fit = fit_power_law(values);
  EXPECT_NEAR(fit.alpha, 1.3, 1e-12);
  EXPECT_NEAR(fit.log_intercept, std::log(3.0), 1e-12);
  EXPECT_NEAR(fit.r_squared, 1.0, 1e-12);
  EXPECT_EQ(fit.first_index, 10);
  EXPECT_EQ(fit.last_index, 1000);
  EXPECT_EQ(fit.points_used, 991);
  EXPECT_EQ(fit.nonpositive_left_out, 0);
  std::cout << "power-law fit of 3 j^-1.3 over 10..1000: alpha error " << std::abs(fit.alpha - 1.3) << "\n";
}

TEST(PowerLawFit, ClipsTheRangeAndLeavesOutNonPositiveValues) {
  Eigen::VectorXd values(50);
  for (Index j = 0; j < values.size(); ++j) values(j) = std::pow(static_cast<double>(j + 1), -0.8);
  values(19) = 0;
  values(24) = -0.01;
  values(30) = std::nan("");
  const PowerLawFit fit = fit_power_law(values);
  EXPECT_EQ(fit.first_index, 10);
  EXPECT_EQ(fit.last_index, 50);
  EXPECT_EQ(fit.nonpositive_left_out, 3);
  EXPECT_EQ(fit.points_used, 38);
  EXPECT_NEAR(fit.alpha, 0.8, 1e-12);
  const PowerLawFit range = fit_power_law(values, 2, 5);
  EXPECT_EQ(range.points_used, 4);
  EXPECT_NEAR(range.alpha, 0.8, 1e-12);
}

TEST(PowerLawFit, FewerThanTwoPointsIsAStatus) {
  const Eigen::VectorXd short_spectrum = Eigen::VectorXd::LinSpaced(10, 1.0, 0.1);
  const PowerLawFit one = fit_power_law(short_spectrum);  // only index 10 exists
  EXPECT_TRUE(std::isnan(one.alpha));
  EXPECT_TRUE(std::isnan(one.r_squared));
  EXPECT_EQ(one.points_used, 1);
  EXPECT_EQ(one.last_index, 10);
  const PowerLawFit none = fit_power_law(Eigen::VectorXd::Constant(30, -1.0));
  EXPECT_TRUE(std::isnan(none.alpha));
  EXPECT_EQ(none.points_used, 0);
  EXPECT_EQ(none.nonpositive_left_out, 21);
  const PowerLawFit beyond = fit_power_law(short_spectrum, 20, 30);
  EXPECT_TRUE(std::isnan(beyond.alpha));
  EXPECT_EQ(beyond.points_used, 0);
  EXPECT_THROW(fit_power_law(short_spectrum, 0, 5), std::invalid_argument);
  EXPECT_THROW(fit_power_law(short_spectrum, 5, 4), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::encoding
