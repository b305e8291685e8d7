#include "apps/similarity_options.hpp"

namespace visalign::apps {

void declare_similarity_statistics(SimilarityStatistics& statistics, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("distance", po::value(&statistics.distance)->default_value(statistics.distance),
       "RDM distance: correlation, euclidean or cosine")
      ("comparison", po::value(&statistics.comparison)->default_value(statistics.comparison),
       "RDM comparison: spearman, pearson, kendall-tau-a or rho-a")
      ("permutations", po::value(&statistics.permutations)->default_value(statistics.permutations),
       "label permutations per similarity (p = (1 + #null >= observed) / (1 + permutations))")
      ("bootstraps", po::value(&statistics.bootstraps)->default_value(statistics.bootstraps),
       "bootstrap samples: of the images for the AI-AN difference, and of the features (vertices or units) for "
       "the error bars");
}

rsa::SimilarityAnalysisOptions similarity_analysis_options(const SimilarityStatistics& statistics, const GlobalOptions& global) {
  rsa::SimilarityAnalysisOptions options;
  options.distance = rsa::parse_rdm_distance(statistics.distance);
  options.comparison = rsa::parse_rdm_comparison(statistics.comparison);
  options.permutations = statistics.permutations;
  options.image_bootstraps = statistics.bootstraps;
  options.feature_bootstraps = statistics.bootstraps;
  options.seed = global.seed;
  options.threads = global.threads;
  return options;
}

}  // namespace visalign::apps
