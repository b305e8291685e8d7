#include "encoding/prediction_accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "rsa/statistics.hpp"

namespace visalign::encoding {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

std::string shape_text(Eigen::Index rows, Eigen::Index columns) {
  return std::to_string(rows) + " x " + std::to_string(columns);
}

void check_pair(const char* function, const Eigen::Ref<const Eigen::MatrixXd>& measured,
                const Eigen::Ref<const Eigen::MatrixXd>& predicted) {
  if (measured.rows() != predicted.rows() || measured.cols() != predicted.cols()) {
    throw std::invalid_argument(std::string(function) + ": expected predicted (samples x targets) of the measured shape " +
                                shape_text(measured.rows(), measured.cols()) + ", found " +
                                shape_text(predicted.rows(), predicted.cols()));
  }
  if (measured.rows() == 0 || measured.cols() == 0) {
    throw std::invalid_argument(std::string(function) + ": expected at least 1 sample and 1 target, found " +
                                shape_text(measured.rows(), measured.cols()));
  }
}

bool is_constant(const Eigen::Ref<const Eigen::MatrixXd>& values) {
  const double first = values(0, 0);
  return (values.array() == first).all();  // false when there is a NaN
}

/// The centred values, transposed: targets x samples, so that one sample's values are contiguous.
/// A constant column (per_target) or a constant matrix (none) becomes exactly zero, so that zero
/// variance is detected exactly rather than through rounding residues of the mean.
Eigen::MatrixXd centred_transpose(const Eigen::Ref<const Eigen::MatrixXd>& values, AccuracyCentering centering) {
  Eigen::MatrixXd centred(values.cols(), values.rows());
  if (centering == AccuracyCentering::per_target) {
    for (Eigen::Index target = 0; target < values.cols(); ++target) {
      if (is_constant(values.col(target))) {
        centred.row(target).setZero();
      } else {
        centred.row(target) = (values.col(target).array() - values.col(target).mean()).transpose();
      }
    }
  } else if (is_constant(values)) {
    centred.setZero();
  } else {
    centred = (values.array() - values.mean()).matrix().transpose();
  }
  return centred;
}

/// sum over samples of the products of the two centred sides, sample by sample (one dot product per
/// sample, added in sample order): the same arithmetic as the diagonal of the permutation cross-product.
double sum_of_products(const Eigen::MatrixXd& measured_centred, const Eigen::MatrixXd& predicted_centred) {
  double sum = 0;
  for (Eigen::Index sample = 0; sample < measured_centred.cols(); ++sample) {
    sum += measured_centred.col(sample).dot(predicted_centred.col(sample));
  }
  return sum;
}

double correlation_from_sums(double products, double measured_squares, double predicted_squares) {
  if (std::isnan(products) || std::isnan(measured_squares) || std::isnan(predicted_squares)) return not_a_number;
  if (measured_squares <= 0 || predicted_squares <= 0) return not_a_number;
  return products / std::sqrt(measured_squares * predicted_squares);
}

void check_options(const AccuracyTestOptions& options) {
  if (options.permutations < 0) {
    throw std::invalid_argument("test_prediction_accuracy: expected permutations >= 0, found " +
                                std::to_string(options.permutations));
  }
  if (options.subsamples < 0) {
    throw std::invalid_argument("test_prediction_accuracy: expected subsamples >= 0, found " +
                                std::to_string(options.subsamples));
  }
  if (!(options.subsample_fraction > 0 && options.subsample_fraction <= 1)) {
    throw std::invalid_argument("test_prediction_accuracy: expected a subsample fraction in (0, 1], found " +
                                std::to_string(options.subsample_fraction));
  }
  if (!(options.interval_level > 0 && options.interval_level <= 1)) {
    throw std::invalid_argument("test_prediction_accuracy: expected an interval level in (0, 1], found " +
                                std::to_string(options.interval_level));
  }
}

/// Per-target sums for the subsamples: with per_target centring a subsample's r needs only the
/// per-target products and squares; with none it needs the per-target sums of the values too (the
/// grand mean of a subsample is its own), taken on values shifted by the full grand mean to keep
/// the cancellation small, and the per-target extremes to recognise a constant subsample exactly.
struct TargetSums {
  Eigen::VectorXd products, measured_squares, predicted_squares;
  Eigen::VectorXd measured_sum, predicted_sum;
  Eigen::VectorXd measured_minimum, measured_maximum, predicted_minimum, predicted_maximum;
};

TargetSums target_sums(const Eigen::Ref<const Eigen::MatrixXd>& measured, const Eigen::Ref<const Eigen::MatrixXd>& predicted,
                       const Eigen::MatrixXd& measured_centred, const Eigen::MatrixXd& predicted_centred,
                       AccuracyCentering centering) {
  TargetSums sums;
  // measured_centred / predicted_centred are targets x samples.
  sums.products = measured_centred.cwiseProduct(predicted_centred).rowwise().sum();
  sums.measured_squares = measured_centred.rowwise().squaredNorm();
  sums.predicted_squares = predicted_centred.rowwise().squaredNorm();
  if (centering == AccuracyCentering::none) {
    sums.measured_sum = measured_centred.rowwise().sum();
    sums.predicted_sum = predicted_centred.rowwise().sum();
    sums.measured_minimum = measured.colwise().minCoeff().transpose();
    sums.measured_maximum = measured.colwise().maxCoeff().transpose();
    sums.predicted_minimum = predicted.colwise().minCoeff().transpose();
    sums.predicted_maximum = predicted.colwise().maxCoeff().transpose();
  }
  return sums;
}

double subsample_correlation(const TargetSums& sums, const std::vector<std::int32_t>& subset, Eigen::Index samples,
                             AccuracyCentering centering) {
  double products = 0, measured_squares = 0, predicted_squares = 0;
  for (const std::int32_t target : subset) {
    products += sums.products(target);
    measured_squares += sums.measured_squares(target);
    predicted_squares += sums.predicted_squares(target);
  }
  if (centering == AccuracyCentering::per_target) {
    return correlation_from_sums(products, measured_squares, predicted_squares);
  }
  double measured_sum = 0, predicted_sum = 0;
  double measured_minimum = std::numeric_limits<double>::infinity(), measured_maximum = -measured_minimum;
  double predicted_minimum = measured_minimum, predicted_maximum = -measured_minimum;
  for (const std::int32_t target : subset) {
    measured_sum += sums.measured_sum(target);
    predicted_sum += sums.predicted_sum(target);
    measured_minimum = std::min(measured_minimum, sums.measured_minimum(target));
    measured_maximum = std::max(measured_maximum, sums.measured_maximum(target));
    predicted_minimum = std::min(predicted_minimum, sums.predicted_minimum(target));
    predicted_maximum = std::max(predicted_maximum, sums.predicted_maximum(target));
  }
  if (std::isnan(products) || std::isnan(measured_squares) || std::isnan(predicted_squares)) return not_a_number;
  if (measured_minimum == measured_maximum || predicted_minimum == predicted_maximum) return not_a_number;
  const double count = static_cast<double>(subset.size()) * static_cast<double>(samples);
  return correlation_from_sums(products - measured_sum * predicted_sum / count,
                               measured_squares - measured_sum * measured_sum / count,
                               predicted_squares - predicted_sum * predicted_sum / count);
}

void check_interval_level(const char* function, double level) {
  if (!(level > 0 && level <= 1)) {
    throw std::invalid_argument(std::string(function) + ": expected an interval level in (0, 1], found " +
                                std::to_string(level));
  }
}

}  // namespace

double pooled_prediction_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                  const Eigen::Ref<const Eigen::MatrixXd>& predicted, AccuracyCentering centering) {
  check_pair("pooled_prediction_accuracy", measured, predicted);
  const Eigen::MatrixXd measured_centred = centred_transpose(measured, centering);
  const Eigen::MatrixXd predicted_centred = centred_transpose(predicted, centering);
  return correlation_from_sums(sum_of_products(measured_centred, predicted_centred), measured_centred.squaredNorm(),
                               predicted_centred.squaredNorm());
}

Eigen::VectorXd per_target_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                    const Eigen::Ref<const Eigen::MatrixXd>& predicted) {
  check_pair("per_target_accuracy", measured, predicted);
  const Eigen::MatrixXd measured_centred = centred_transpose(measured, AccuracyCentering::per_target);
  const Eigen::MatrixXd predicted_centred = centred_transpose(predicted, AccuracyCentering::per_target);
  Eigen::VectorXd accuracy(measured.cols());
  for (Eigen::Index target = 0; target < measured.cols(); ++target) {
    accuracy(target) = correlation_from_sums(measured_centred.row(target).dot(predicted_centred.row(target)),
                                             measured_centred.row(target).squaredNorm(),
                                             predicted_centred.row(target).squaredNorm());
  }
  return accuracy;
}

AccuracyTest test_prediction_accuracy(const Eigen::Ref<const Eigen::MatrixXd>& measured,
                                      const Eigen::Ref<const Eigen::MatrixXd>& predicted, const AccuracyTestOptions& options) {
  check_pair("test_prediction_accuracy", measured, predicted);
  check_options(options);
  const Eigen::Index samples = measured.rows(), targets = measured.cols();
  if (samples > std::numeric_limits<std::int32_t>::max() || targets > std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument("test_prediction_accuracy: too many samples or targets, found " +
                                shape_text(samples, targets));
  }

  AccuracyTest result;
  result.samples = static_cast<std::int32_t>(samples);
  result.targets = static_cast<std::int32_t>(targets);
  result.seed = options.seed;
  result.centering = options.centering;
  result.subsample_size = static_cast<std::int32_t>(
      std::clamp<long>(std::lround(options.subsample_fraction * static_cast<double>(targets)), 1L, static_cast<long>(targets)));

  // Precompute once: the centred sides (targets x samples), their norms, and the samples x samples
  // cross-product C(s, q) = <measured sample s, predicted sample q>. Both centrings are invariant
  // to shuffling the rows of `predicted`, so permuted r = sum_s C(s, permutation(s)) / norms.
  const Eigen::MatrixXd measured_centred = centred_transpose(measured, options.centering);
  const Eigen::MatrixXd predicted_centred = centred_transpose(predicted, options.centering);
  const double measured_squares = measured_centred.squaredNorm();
  const double predicted_squares = predicted_centred.squaredNorm();
  result.accuracy = correlation_from_sums(sum_of_products(measured_centred, predicted_centred), measured_squares,
                                          predicted_squares);

  if (options.permutations > 0) {
    Eigen::MatrixXd cross = measured_centred.transpose() * predicted_centred;  // samples x samples
    // The diagonal with the observed value's own arithmetic, so that the identity permutation
    // reproduces the observed r exactly (ties count against it).
    for (Eigen::Index sample = 0; sample < samples; ++sample) {
      cross(sample, sample) = measured_centred.col(sample).dot(predicted_centred.col(sample));
    }
    result.null_distribution.assign(static_cast<std::size_t>(options.permutations), not_a_number);
    const auto sample_count = static_cast<std::int32_t>(samples);
    // Threads only where the loop is long enough to pay for waking them (a small test on a busy
    // machine otherwise waits for descheduled threads at the barrier); the values do not depend on it.
    const bool parallel = static_cast<double>(options.permutations) * static_cast<double>(samples) >= 2e5;
#pragma omp parallel for schedule(static) if (parallel)
    for (int index = 0; index < options.permutations; ++index) {
      const std::vector<std::int32_t> permutation =
          rsa::label_permutation(sample_count, options.seed, static_cast<std::uint64_t>(index));
      double products = 0;
      for (std::int32_t sample = 0; sample < sample_count; ++sample) {
        products += cross(sample, permutation[static_cast<std::size_t>(sample)]);
      }
      result.null_distribution[static_cast<std::size_t>(index)] =
          correlation_from_sums(products, measured_squares, predicted_squares);
    }
    result.permutation_p = rsa::permutation_p_value(result.accuracy, result.null_distribution);
  }

  if (options.subsamples > 0) {
    const TargetSums sums = target_sums(measured, predicted, measured_centred, predicted_centred, options.centering);
    result.subsample_distribution.assign(static_cast<std::size_t>(options.subsamples), not_a_number);
    const std::uint64_t subsample_seed = options.seed ^ accuracy_subsample_salt;
    const bool parallel = static_cast<double>(options.subsamples) * static_cast<double>(targets) >= 5e4;
#pragma omp parallel for schedule(static) if (parallel)
    for (int index = 0; index < options.subsamples; ++index) {
      const std::vector<std::int32_t> subset =
          rsa::subsample(result.targets, result.subsample_size, subsample_seed, static_cast<std::uint64_t>(index));
      result.subsample_distribution[static_cast<std::size_t>(index)] =
          subsample_correlation(sums, subset, samples, options.centering);
    }
    result.interval = rsa::percentile_interval(result.subsample_distribution, options.interval_level);
  }
  return result;
}

AccuracyComparison compare_prediction_accuracies(const AccuracyTest& first, const AccuracyTest& second,
                                                 double interval_level) {
  check_interval_level("compare_prediction_accuracies", interval_level);
  const auto mismatch = [](const char* what, auto a, auto b) {
    return std::invalid_argument(std::string("compare_prediction_accuracies: expected tests on the same subsamples, "
                                             "found ") + what + " " + std::to_string(a) + " and " + std::to_string(b));
  };
  if (first.subsample_distribution.size() != second.subsample_distribution.size()) {
    throw mismatch("subsample distributions of sizes", first.subsample_distribution.size(),
                   second.subsample_distribution.size());
  }
  if (first.targets != second.targets) throw mismatch("targets", first.targets, second.targets);
  if (first.subsample_size != second.subsample_size) {
    throw mismatch("subsample sizes", first.subsample_size, second.subsample_size);
  }
  if (first.seed != second.seed) throw mismatch("seeds", first.seed, second.seed);

  AccuracyComparison comparison;
  comparison.difference = first.accuracy - second.accuracy;
  comparison.subsample_differences.resize(first.subsample_distribution.size());
  std::size_t counted = 0, not_larger = 0;
  for (std::size_t index = 0; index < first.subsample_distribution.size(); ++index) {
    const double difference = first.subsample_distribution[index] - second.subsample_distribution[index];
    comparison.subsample_differences[index] = difference;
    if (std::isnan(difference)) continue;
    ++counted;
    if (difference <= 0) ++not_larger;
  }
  comparison.interval = rsa::percentile_interval(comparison.subsample_differences, interval_level);
  if (counted > 0) comparison.one_sided_p = static_cast<double>(1 + not_larger) / static_cast<double>(1 + counted);
  return comparison;
}

}  // namespace visalign::encoding
