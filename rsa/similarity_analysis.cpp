#include "rsa/similarity_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace visalign::rsa {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The RDMs of the reference and one other type, per presentation.
struct PresentationRdms {
  std::vector<Eigen::MatrixXd> reference, other;  // full RDMs per presentation
};

PresentationRdms rdms_for(const std::vector<TypePatterns>& presentations, const std::string& reference, const std::string& type,
                          RdmDistance distance) {
  PresentationRdms rdms;
  for (const auto& patterns : presentations) {
    rdms.reference.push_back(compute_rdm(patterns.at(reference), distance));
    rdms.other.push_back(compute_rdm(patterns.at(type), distance));
  }
  return rdms;
}

/// The upper triangle of the RDM of `patterns` (conditions x features) over features resampled with the
/// multiplicities `counts` (a feature drawn k times counts k times), without repeating features: from the
/// weighted Gram S = X diag(c) X^T and the weighted sums X c (correlation: centred Gram S - (Xc)(Xc)^T / N).
/// The same distances compute_rdm gives for the resampled columns, up to rounding; NaN for a pattern without a
/// direction, as there.
Eigen::VectorXd resampled_upper_triangle(const Eigen::MatrixXd& patterns, const Eigen::VectorXd& counts, RdmDistance distance) {
  const Eigen::Index n = patterns.rows();
  // The drawn features only, each scaled by the square root of its count: S = Y Y^T, a symmetric rank-k update.
  Eigen::Index drawn = 0;
  for (Eigen::Index j = 0; j < counts.size(); ++j) drawn += counts(j) > 0 ? 1 : 0;
  // One buffer per thread, kept from draw to draw (a fresh one each time costs page faults for large layers).
  thread_local Eigen::MatrixXd buffer;
  if (buffer.rows() != n || buffer.cols() < drawn) buffer.resize(n, counts.size());
  auto scaled = buffer.leftCols(drawn);
  Eigen::VectorXd sums = Eigen::VectorXd::Zero(n);
  for (Eigen::Index j = 0, k = 0; j < counts.size(); ++j) {
    if (!(counts(j) > 0)) continue;
    scaled.col(k++) = std::sqrt(counts(j)) * patterns.col(j);
    sums += counts(j) * patterns.col(j);
  }
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(n, n);
  gram.selfadjointView<Eigen::Lower>().rankUpdate(scaled);
  gram = gram.selfadjointView<Eigen::Lower>();
  const Eigen::VectorXd squares = gram.diagonal();  // uncentred: the scale of rounding noise
  if (distance == RdmDistance::correlation) gram -= sums * sums.transpose() / counts.sum();
  Eigen::VectorXd values(n * (n - 1) / 2);
  Eigen::Index e = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      if (distance == RdmDistance::euclidean) {
        values(e++) = std::sqrt(std::max(0.0, gram(i, i) + gram(j, j) - 2.0 * gram(i, j)));
        continue;
      }
      // A pattern without a direction: its (centred) squared norm is rounding noise of its sum of squares.
      if (!(gram(i, i) > 1e-12 * squares(i)) || !(gram(j, j) > 1e-12 * squares(j))) {
        values(e++) = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const double similarity = std::clamp(gram(i, j) / std::sqrt(gram(i, i) * gram(j, j)), -1.0, 1.0);
      values(e++) = 1.0 - similarity;
    }
  }
  return values;
}

/// The reference RDM with its conditions relabelled: entry (i, j) becomes (perm[i], perm[j]).
Eigen::VectorXd permuted_upper_triangle(const Eigen::MatrixXd& rdm, const std::vector<std::int32_t>& permutation) {
  const Eigen::Index n = rdm.rows();
  Eigen::VectorXd values(n * (n - 1) / 2);
  Eigen::Index e = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) values(e++) = rdm(permutation[static_cast<std::size_t>(i)], permutation[static_cast<std::size_t>(j)]);
  }
  return values;
}

void validate(const std::vector<TypePatterns>& presentations, const SimilarityAnalysisOptions& options) {
  if (presentations.empty()) throw std::invalid_argument("similarity analysis: no presentations");
  std::vector<std::string> types = options.compared;
  types.push_back(options.reference);
  const auto& first = presentations.front();
  if (first.count(options.reference) == 0) {
    throw std::invalid_argument("similarity analysis: no patterns of the reference type " + options.reference);
  }
  const Eigen::Index images = first.at(options.reference).rows();
  const Eigen::Index features = first.at(options.reference).cols();
  if (images < 3) throw std::invalid_argument("similarity analysis: expected at least 3 images, found " + std::to_string(images));
  for (std::size_t p = 0; p < presentations.size(); ++p) {
    for (const auto& type : types) {
      const auto found = presentations[p].find(type);
      if (found == presentations[p].end()) {
        throw std::invalid_argument("similarity analysis: presentation " + std::to_string(p + 1) + " has no patterns of type " + type);
      }
      if (found->second.rows() != images) {
        throw std::invalid_argument("similarity analysis: type " + type + " of presentation " + std::to_string(p + 1) + " has " +
                                    std::to_string(found->second.rows()) + " images, " + options.reference + " has " +
                                    std::to_string(images));
      }
      if (found->second.cols() != features) {
        throw std::invalid_argument("similarity analysis: type " + type + " of presentation " + std::to_string(p + 1) + " has " +
                                    std::to_string(found->second.cols()) + " features, expected " + std::to_string(features));
      }
    }
  }
  if (options.compared.empty()) throw std::invalid_argument("similarity analysis: no types to compare");
}

}  // namespace

SimilarityAnalysis analyze_similarity(const std::vector<TypePatterns>& presentations, const SimilarityAnalysisOptions& options) {
  validate(presentations, options);
  SimilarityAnalysis analysis;
  const auto& first = presentations.front().at(options.reference);
  analysis.images = first.rows();
  analysis.features = first.cols();
  analysis.presentations = static_cast<std::int64_t>(presentations.size());
  const auto images = static_cast<std::int32_t>(analysis.images);
  const auto features = static_cast<std::int32_t>(analysis.features);

  // Feature (vertex / unit) resampling, one sample for every compared type: with replacement (streams 1'000'000 + b)
  // and subsamples without (2'000'000 + b), each independent of the permutations; resample b in any thread.
  const std::size_t types = options.compared.size();
  const int bootstraps = std::max(0, options.feature_bootstraps);
  const auto subsample_size = static_cast<std::int32_t>(std::floor(options.subsample_fraction * features));
  const bool subsampling = options.subsample_fraction > 0 && subsample_size >= 2;
  std::vector<std::vector<double>> resampled(types, std::vector<double>(static_cast<std::size_t>(bootstraps)));
  std::vector<std::vector<double>> subsampled(types, std::vector<double>(subsampling ? static_cast<std::size_t>(bootstraps) : 0));
  auto resampled_similarities = [&](const std::vector<std::int32_t>& sample, std::vector<std::vector<double>>& into, int b) {
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(features);
    for (const std::int32_t feature : sample) counts(feature) += 1.0;
    std::vector<double> sums(types, 0.0);
    for (const TypePatterns& patterns : presentations) {
      const Eigen::VectorXd reference = resampled_upper_triangle(patterns.at(options.reference), counts, options.distance);
      for (std::size_t t = 0; t < types; ++t) {
        sums[t] += compare_rdms(reference, resampled_upper_triangle(patterns.at(options.compared[t]), counts, options.distance), options.comparison);
      }
    }
    for (std::size_t t = 0; t < types; ++t) into[t][static_cast<std::size_t>(b)] = sums[t] / static_cast<double>(presentations.size());
  };
#pragma omp parallel for num_threads(std::max(1, options.threads)) schedule(dynamic)
  for (int b = 0; b < bootstraps; ++b) {
    resampled_similarities(bootstrap_sample(features, options.seed, 1'000'000ull + static_cast<std::uint64_t>(b)), resampled, b);
    if (subsampling) {
      resampled_similarities(subsample(features, subsample_size, options.seed, 2'000'000ull + static_cast<std::uint64_t>(b)), subsampled, b);
    }
  }

  for (std::size_t t = 0; t < options.compared.size(); ++t) {
    const std::string& type = options.compared[t];
    TypeSimilarity similarity;
    similarity.type = type;
    const PresentationRdms rdms = rdms_for(presentations, options.reference, type, options.distance);
    // Observed and permutation nulls: the same permutation relabels the reference in every presentation.
    std::vector<std::vector<double>> nulls(presentations.size() + 1);
    std::vector<Eigen::VectorXd> others;
    for (std::size_t p = 0; p < presentations.size(); ++p) {
      others.push_back(upper_triangle(rdms.other[p]));
      similarity.per_presentation.push_back(compare_rdms(upper_triangle(rdms.reference[p]), others[p], options.comparison));
    }
    similarity.mean = std::accumulate(similarity.per_presentation.begin(), similarity.per_presentation.end(), 0.0) /
                      static_cast<double>(presentations.size());
    for (int k = 0; k < options.permutations; ++k) {
      const auto permutation = label_permutation(images, options.seed, static_cast<std::uint64_t>(k));
      double sum = 0;
      for (std::size_t p = 0; p < presentations.size(); ++p) {
        const double r = compare_rdms(permuted_upper_triangle(rdms.reference[p], permutation), others[p], options.comparison);
        nulls[p].push_back(r);
        sum += r;
      }
      nulls.back().push_back(sum / static_cast<double>(presentations.size()));
    }
    for (std::size_t p = 0; p < presentations.size(); ++p) {
      similarity.p_per_presentation.push_back(options.permutations > 0 ? permutation_p_value(similarity.per_presentation[p], nulls[p]) : kNaN);
    }
    similarity.p_mean = options.permutations > 0 ? permutation_p_value(similarity.mean, nulls.back()) : kNaN;

    if (options.feature_bootstraps > 0) {
      similarity.feature_ci68 = percentile_interval(resampled[t], 0.68);
      similarity.feature_ci95 = percentile_interval(resampled[t], 0.95);
    }
    if (!subsampled[t].empty()) similarity.subsample_ci95 = percentile_interval(subsampled[t], 0.95);
    analysis.similarities.push_back(similarity);
  }

  if (options.compared.size() >= 2) {
    SimilarityDifference& difference = analysis.difference;
    difference.larger = options.compared[1];
    difference.smaller = options.compared[0];
    difference.difference = analysis.similarities[1].mean - analysis.similarities[0].mean;
    const PresentationRdms larger = rdms_for(presentations, options.reference, difference.larger, options.distance);
    const PresentationRdms smaller = rdms_for(presentations, options.reference, difference.smaller, options.distance);
    std::int64_t not_above = 0;
    for (int b = 0; b < options.image_bootstraps; ++b) {
      const auto sample = bootstrap_sample(images, options.seed, 3'000'000ull + static_cast<std::uint64_t>(b));
      double sum = 0;
      for (std::size_t p = 0; p < presentations.size(); ++p) {
        const Eigen::VectorXd reference = bootstrap_rdm_entries(larger.reference[p], sample);
        sum += compare_rdms(reference, bootstrap_rdm_entries(larger.other[p], sample), options.comparison) -
               compare_rdms(reference, bootstrap_rdm_entries(smaller.other[p], sample), options.comparison);
      }
      const double value = sum / static_cast<double>(presentations.size());
      difference.bootstrap.push_back(value);
      if (!(value > 0)) ++not_above;
    }
    if (options.image_bootstraps > 0) {
      difference.ci95 = percentile_interval(difference.bootstrap, 0.95);
      difference.p_one_sided = static_cast<double>(not_above) / static_cast<double>(options.image_bootstraps);
    }
  }
  return analysis;
}

}  // namespace visalign::rsa
