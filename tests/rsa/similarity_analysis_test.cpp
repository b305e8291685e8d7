// The similarity analysis's feature resampling (the vertex / unit bootstrap and the 80% subsamples) works on
// weighted Gram matrices instead of copies of the resampled columns: its intervals must equal those of the
// straightforward computation (gather the drawn columns, compute_rdm, compare) on the same draws, for every RDM
// distance, and must not depend on the number of threads.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "rsa/random_stream.hpp"
#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"
#include "rsa/similarity_analysis.hpp"
#include "rsa/statistics.hpp"

namespace visalign::rsa {
namespace {

/// Two presentations of RE, AN and AI patterns (12 conditions x 30 features): AI close to RE, AN not, with
/// offsets (as CNN activations have) and one constant column.
std::vector<TypePatterns> planted_patterns() {
  RandomStream random(42, 7);
  auto normal = [&](Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = random.normal();
    }
    return m;
  };
  const Eigen::MatrixXd re = normal(12, 30).array() + 3.0;
  std::vector<TypePatterns> presentations;
  for (int p = 0; p < 2; ++p) {
    TypePatterns patterns;
    patterns["RE"] = re + 0.3 * normal(12, 30);
    patterns["AI"] = re + 0.5 * normal(12, 30);
    patterns["AN"] = normal(12, 30).array() + 3.0;
    for (auto& [type, matrix] : patterns) matrix.col(5).setConstant(2.0);
    presentations.push_back(patterns);
  }
  return presentations;
}

/// Mean over presentations of compare(RDM_RE, RDM_type) for the drawn columns, the straightforward way.
double gathered_similarity(const std::vector<TypePatterns>& presentations, const std::string& type, const std::vector<std::int32_t>& columns,
                           const SimilarityAnalysisOptions& options) {
  double sum = 0;
  for (const TypePatterns& patterns : presentations) {
    auto gather = [&](const Eigen::MatrixXd& m) {
      Eigen::MatrixXd selected(m.rows(), static_cast<Eigen::Index>(columns.size()));
      for (std::size_t j = 0; j < columns.size(); ++j) selected.col(static_cast<Eigen::Index>(j)) = m.col(columns[j]);
      return selected;
    };
    sum += compare_rdms(upper_triangle(compute_rdm(gather(patterns.at("RE")), options.distance)),
                        upper_triangle(compute_rdm(gather(patterns.at(type)), options.distance)), options.comparison);
  }
  return sum / static_cast<double>(presentations.size());
}

TEST(SimilarityAnalysis, FeatureResamplingEqualsGatheredColumns) {
  const std::vector<TypePatterns> presentations = planted_patterns();
  for (const RdmDistance distance : {RdmDistance::correlation, RdmDistance::cosine, RdmDistance::euclidean}) {
    SimilarityAnalysisOptions options;
    options.distance = distance;
    options.permutations = 10;
    options.image_bootstraps = 10;
    options.feature_bootstraps = 200;
    options.seed = 11;
    const SimilarityAnalysis analysis = analyze_similarity(presentations, options);
    for (const TypeSimilarity& similarity : analysis.similarities) {
      std::vector<double> resampled, subsampled;
      for (int b = 0; b < options.feature_bootstraps; ++b) {
        resampled.push_back(gathered_similarity(presentations, similarity.type, bootstrap_sample(30, options.seed, 1'000'000ull + b), options));
        subsampled.push_back(gathered_similarity(presentations, similarity.type, subsample(30, 24, options.seed, 2'000'000ull + b), options));
      }
      const ConfidenceInterval ci68 = percentile_interval(resampled, 0.68), ci95 = percentile_interval(resampled, 0.95);
      const ConfidenceInterval sub95 = percentile_interval(subsampled, 0.95);
      EXPECT_NEAR(similarity.feature_ci68.lower, ci68.lower, 1e-9) << similarity.type;
      EXPECT_NEAR(similarity.feature_ci68.upper, ci68.upper, 1e-9) << similarity.type;
      EXPECT_NEAR(similarity.feature_ci95.lower, ci95.lower, 1e-9) << similarity.type;
      EXPECT_NEAR(similarity.feature_ci95.upper, ci95.upper, 1e-9) << similarity.type;
      EXPECT_NEAR(similarity.subsample_ci95.lower, sub95.lower, 1e-9) << similarity.type;
      EXPECT_NEAR(similarity.subsample_ci95.upper, sub95.upper, 1e-9) << similarity.type;
    }
    EXPECT_GT(analysis.similarities[1].feature_ci95.lower, analysis.similarities[0].feature_ci95.upper);  // AI above AN
  }
}

TEST(SimilarityAnalysis, FeatureResamplingDoesNotDependOnThreads) {
  const std::vector<TypePatterns> presentations = planted_patterns();
  SimilarityAnalysisOptions options;
  options.feature_bootstraps = 100;
  options.permutations = 10;
  options.image_bootstraps = 10;
  options.threads = 1;
  const SimilarityAnalysis one = analyze_similarity(presentations, options);
  options.threads = 2;
  const SimilarityAnalysis two = analyze_similarity(presentations, options);
  for (std::size_t t = 0; t < one.similarities.size(); ++t) {
    EXPECT_EQ(one.similarities[t].feature_ci68.lower, two.similarities[t].feature_ci68.lower);
    EXPECT_EQ(one.similarities[t].feature_ci95.upper, two.similarities[t].feature_ci95.upper);
    EXPECT_EQ(one.similarities[t].subsample_ci95.lower, two.similarities[t].subsample_ci95.lower);
  }
}

}  // namespace
}  // namespace visalign::rsa
