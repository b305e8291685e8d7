// covariance_eigenvalues (the Gram-matrix route to the PCA eigenvalues of wide data): equal to the PCA
// eigenvalues of fit_pca (itself checked against scikit-learn), exact on a planted spectrum, independent of
// the block size, and zero beyond the rank.

#include <gtest/gtest.h>

#include <Eigen/QR>

#include <cmath>
#include <stdexcept>

#include "encoding/eigenspectrum.hpp"
#include "encoding/principal_components.hpp"
#include "tests/encoding/regression_fixtures.hpp"

namespace visalign::encoding {
namespace {

using namespace visalign::encoding::regression_fixture;

TEST(CovarianceEigenvalues, EqualThePcaEigenvaluesOfWideData) {
  const Eigen::MatrixXd data = random_matrix(40, 700, 3) + Eigen::MatrixXd::Constant(40, 700, 5.0);  // an offset centring must remove
  PcaOptions options;
  options.components = 39;
  const Eigen::VectorXd expected = fit_pca(data, options).explained_variance;
  const Eigen::MatrixXf samples = data.cast<float>();
  const Eigen::VectorXd found = covariance_eigenvalues(samples, 64);
  ASSERT_EQ(found.size(), 39);
  // The float input rounds the data at ~6e-8 relative: the eigenvalues follow within ~1e-6.
  EXPECT_LE((found - expected).cwiseAbs().maxCoeff(), 1e-5 * expected(0));
  EXPECT_LE((covariance_eigenvalues(samples, 1) - found).cwiseAbs().maxCoeff(), 1e-10 * found(0));   // block size
  EXPECT_LE((covariance_eigenvalues(samples, 5000) - found).cwiseAbs().maxCoeff(), 1e-10 * found(0));
}

TEST(CovarianceEigenvalues, PlantedSpectrumAndZerosBeyondTheRank) {
  // 30 samples, 8 features whose covariance eigenvalues are exactly 1 / j (j = 1..8): the other 21 are 0.
  Eigen::MatrixXd left = random_matrix(30, 8, 11);
  left.rowwise() -= left.colwise().mean();
  const Eigen::MatrixXd u = Eigen::HouseholderQR<Eigen::MatrixXd>(left).householderQ() * Eigen::MatrixXd::Identity(30, 8);
  const Eigen::MatrixXd v = Eigen::HouseholderQR<Eigen::MatrixXd>(random_matrix(8, 8, 12)).householderQ() * Eigen::MatrixXd::Identity(8, 8);
  Eigen::VectorXd singular(8);
  for (int j = 0; j < 8; ++j) singular(j) = std::sqrt(29.0 / (j + 1));
  const Eigen::MatrixXf samples = (u * singular.asDiagonal() * v.transpose()).cast<float>();
  const Eigen::VectorXd found = covariance_eigenvalues(samples, 3);
  ASSERT_EQ(found.size(), 29);
  for (int j = 0; j < 8; ++j) EXPECT_NEAR(found(j), 1.0 / (j + 1), 1e-6) << j;
  EXPECT_LE(found.tail(21).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(CovarianceEigenvalues, BadInput) {
  EXPECT_THROW(covariance_eigenvalues(Eigen::MatrixXf::Ones(1, 5)), std::invalid_argument);
  EXPECT_THROW(covariance_eigenvalues(Eigen::MatrixXf(3, 0)), std::invalid_argument);
  Eigen::MatrixXf with_nan = Eigen::MatrixXf::Ones(3, 4);
  with_nan(1, 2) = NAN;
  EXPECT_THROW(covariance_eigenvalues(with_nan), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::encoding

namespace visalign::encoding {
namespace {

TEST(BasisPcaScores, EqualPcaProjectionUpToTheSignOfEachAxis) {
  using namespace visalign::encoding::regression_fixture;
  const Eigen::MatrixXd basis = random_matrix(30, 400, 21) + Eigen::MatrixXd::Constant(30, 400, 2.0);
  const Eigen::MatrixXd samples = random_matrix(12, 400, 22);
  PcaOptions options;
  options.components = 10;
  const PrincipalComponents pca = fit_pca(basis, options);
  const Eigen::MatrixXd expected = project(pca, samples);
  const Eigen::MatrixXd found = basis_pca_scores(basis.cast<float>(), samples.cast<float>(), 10, 37);
  ASSERT_EQ(found.rows(), 12);
  ASSERT_EQ(found.cols(), 10);
  for (Eigen::Index k = 0; k < 10; ++k) {
    const double sign = found.col(k).dot(expected.col(k)) < 0 ? -1.0 : 1.0;
    // float inputs: ~1e-6 relative
    EXPECT_LE((sign * found.col(k) - expected.col(k)).cwiseAbs().maxCoeff(), 1e-4 * expected.cwiseAbs().maxCoeff()) << k;
  }
  // More components than the basis spans (rank 29 after centring): only those are returned.
  EXPECT_EQ(basis_pca_scores(basis.cast<float>(), samples.cast<float>(), 100).cols(), 29);
  // Fewer features than images (48 features, 80 images): the rank is 48, and no rounding-noise axes beyond it.
  const Eigen::MatrixXd narrow = random_matrix(80, 48, 23);
  EXPECT_EQ(basis_pca_scores(narrow.cast<float>(), random_matrix(5, 48, 24).cast<float>(), 1000).cols(), 48);
  // A basis of rank 3 (80 images mixing 3 patterns of 48 features): 3 axes.
  const Eigen::MatrixXd low_rank = random_matrix(80, 3, 25) * random_matrix(3, 48, 26);
  EXPECT_EQ(basis_pca_scores(low_rank.cast<float>(), random_matrix(5, 48, 27).cast<float>(), 1000).cols(), 3);
  EXPECT_THROW(basis_pca_scores(basis.cast<float>(), Eigen::MatrixXf::Zero(2, 3), 5), std::invalid_argument);
}

}  // namespace
}  // namespace visalign::encoding
