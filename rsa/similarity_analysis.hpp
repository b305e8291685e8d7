#pragma once
// ROI- and layer-level RSA of the core study: how similar the RDM of a reference image type (RE)
// is to the RDMs of other types (AN, AI) of the same images, per presentation and on average, with
// label-permutation p-values, a bootstrap over images of the difference between two similarities,
// and bootstrap-over-features (vertices or units) confidence intervals.

#include <Eigen/Core>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rsa/rdm.hpp"
#include "rsa/rdm_comparison.hpp"
#include "rsa/statistics.hpp"

namespace visalign::rsa {

/// One presentation's response patterns per image type: type -> #images by #features (rows in the
/// same image order for every type). A CNN layer has one "presentation".
using TypePatterns = std::map<std::string, Eigen::MatrixXd>;

struct SimilarityAnalysisOptions {
  std::string reference = "RE";
  std::vector<std::string> compared = {"AN", "AI"};  // the difference is compared[1] - compared[0]
  RdmDistance distance = RdmDistance::correlation;
  RdmComparison comparison = RdmComparison::spearman;
  int permutations = 1000;
  int image_bootstraps = 1000;
  int feature_bootstraps = 1000;   // with replacement (68% and 95% intervals)
  double subsample_fraction = 0.8;  // subsamples without replacement (95% interval); 0 to skip
  std::uint64_t seed = 0;
  int threads = 1;  // feature resamples computed in parallel (the results do not depend on it)
};

struct TypeSimilarity {
  std::string type;                  // e.g. "AN": the similarity R(RE-AN)
  std::vector<double> per_presentation;
  std::vector<double> p_per_presentation;  // permutation p of each
  double mean = 0;                   // mean over presentations
  double p_mean = 1;                 // permutation p of the mean (the same permutation in every presentation)
  ConfidenceInterval feature_ci68, feature_ci95;  // bootstrap over features, of the mean
  ConfidenceInterval subsample_ci95;               // 80% subsamples without replacement, of the mean
};

struct SimilarityDifference {
  std::string larger, smaller;  // e.g. "AI" and "AN": R(RE-AI) - R(RE-AN)
  double difference = 0;        // of the means over presentations
  ConfidenceInterval ci95;      // bootstrap over images
  double p_one_sided = 1;       // fraction of bootstrap differences <= 0
  std::vector<double> bootstrap;
};

struct SimilarityAnalysis {
  std::int64_t images = 0, features = 0, presentations = 0;
  std::vector<TypeSimilarity> similarities;  // in the order of options.compared
  SimilarityDifference difference;           // present when two types are compared
};

/// Runs the analysis. std::invalid_argument (naming what is wrong) for no presentations, a missing
/// type, types or presentations with different image counts or feature counts, fewer than 3 images.
SimilarityAnalysis analyze_similarity(const std::vector<TypePatterns>& presentations, const SimilarityAnalysisOptions& options);

}  // namespace visalign::rsa
