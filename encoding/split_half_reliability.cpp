#include "encoding/split_half_reliability.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "rsa/statistics.hpp"

namespace visalign::encoding {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

std::string shape_text(Eigen::Index rows, Eigen::Index columns) {
  return std::to_string(rows) + " x " + std::to_string(columns);
}

/// Every repeat the same shape, at least one stimulus, no infinite value (NaN is a missing trial).
void check_repeats(const char* function, const std::vector<Eigen::MatrixXd>& repeats) {
  if (repeats.empty()) {
    throw std::invalid_argument(std::string(function) + ": expected at least 1 repeat (stimuli x neurons), found none");
  }
  if (repeats.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::invalid_argument(std::string(function) + ": too many repeats, found " + std::to_string(repeats.size()));
  }
  const Eigen::Index stimuli = repeats.front().rows(), neurons = repeats.front().cols();
  for (std::size_t repeat = 0; repeat < repeats.size(); ++repeat) {
    const Eigen::MatrixXd& responses = repeats[repeat];
    if (responses.rows() != stimuli || responses.cols() != neurons) {
      throw std::invalid_argument(std::string(function) + ": expected every repeat to be stimuli x neurons " +
                                  shape_text(stimuli, neurons) + " as repeat 0, found repeat " + std::to_string(repeat) +
                                  " " + shape_text(responses.rows(), responses.cols()));
    }
  }
  if (stimuli == 0) {
    throw std::invalid_argument(std::string(function) + ": expected at least 1 stimulus, found repeats of " +
                                shape_text(stimuli, neurons));
  }
  for (std::size_t repeat = 0; repeat < repeats.size(); ++repeat) {
    const Eigen::MatrixXd& responses = repeats[repeat];
    for (Eigen::Index neuron = 0; neuron < neurons; ++neuron) {
      for (Eigen::Index stimulus = 0; stimulus < stimuli; ++stimulus) {
        if (std::isinf(responses(stimulus, neuron))) {
          throw std::invalid_argument(std::string(function) + ": expected finite responses or NaN (missing), found " +
                                      std::to_string(responses(stimulus, neuron)) + " in repeat " + std::to_string(repeat) +
                                      ", stimulus " + std::to_string(stimulus) + ", neuron " + std::to_string(neuron));
        }
      }
    }
  }
}

void check_order(const char* function, const std::vector<std::int32_t>& order, std::size_t repeats, std::size_t which) {
  std::vector<bool> seen(repeats, false);
  bool valid = order.size() == repeats;
  for (std::size_t position = 0; valid && position < order.size(); ++position) {
    const std::int32_t repeat = order[position];
    valid = repeat >= 0 && static_cast<std::size_t>(repeat) < repeats && !seen[static_cast<std::size_t>(repeat)];
    if (valid) seen[static_cast<std::size_t>(repeat)] = true;
  }
  if (!valid) {
    throw std::invalid_argument(std::string(function) + ": expected order " + std::to_string(which) +
                                " to be a permutation of 0.." + std::to_string(repeats) + "-1, found " +
                                std::to_string(order.size()) + " entries that are not");
  }
}

/// Half-means of one neuron for one order: half A = order[0..h), half B = order[h..2h).
void neuron_half_means(const std::vector<Eigen::MatrixXd>& repeats, const std::vector<std::int32_t>& order,
                       Eigen::Index neuron, Eigen::VectorXd& half_a, Eigen::VectorXd& half_b) {
  const std::size_t half = repeats.size() / 2;
  const Eigen::Index stimuli = repeats.front().rows();
  for (Eigen::Index stimulus = 0; stimulus < stimuli; ++stimulus) {
    double sum_a = 0, sum_b = 0;
    int count_a = 0, count_b = 0;
    for (std::size_t position = 0; position < half; ++position) {
      const double a = repeats[static_cast<std::size_t>(order[position])](stimulus, neuron);
      if (!std::isnan(a)) {
        sum_a += a;
        ++count_a;
      }
      const double b = repeats[static_cast<std::size_t>(order[half + position])](stimulus, neuron);
      if (!std::isnan(b)) {
        sum_b += b;
        ++count_b;
      }
    }
    half_a(stimulus) = count_a > 0 ? sum_a / count_a : not_a_number;
    half_b(stimulus) = count_b > 0 ? sum_b / count_b : not_a_number;
  }
}

/// Pearson r over the stimuli where both half-means exist; "" or why it is undefined.
double half_correlation(const Eigen::VectorXd& half_a, const Eigen::VectorXd& half_b, std::string& reason) {
  double mean_a = 0, mean_b = 0;
  Eigen::Index count = 0;
  double first_a = not_a_number, first_b = not_a_number;
  bool constant_a = true, constant_b = true;
  for (Eigen::Index stimulus = 0; stimulus < half_a.size(); ++stimulus) {
    const double a = half_a(stimulus), b = half_b(stimulus);
    if (std::isnan(a) || std::isnan(b)) continue;
    if (count == 0) {
      first_a = a;
      first_b = b;
    }
    constant_a = constant_a && a == first_a;
    constant_b = constant_b && b == first_b;
    mean_a += a;
    mean_b += b;
    ++count;
  }
  if (count < 2) {
    reason = "fewer than 2 stimuli with trials in both halves";
    return not_a_number;
  }
  if (constant_a || constant_b) {
    reason = "constant half-means";
    return not_a_number;
  }
  mean_a /= static_cast<double>(count);
  mean_b /= static_cast<double>(count);
  double products = 0, squares_a = 0, squares_b = 0;
  for (Eigen::Index stimulus = 0; stimulus < half_a.size(); ++stimulus) {
    const double a = half_a(stimulus), b = half_b(stimulus);
    if (std::isnan(a) || std::isnan(b)) continue;
    products += (a - mean_a) * (b - mean_b);
    squares_a += (a - mean_a) * (a - mean_a);
    squares_b += (b - mean_b) * (b - mean_b);
  }
  reason.clear();
  return products / std::sqrt(squares_a * squares_b);
}

/// Why a neuron cannot have a reliability whatever the split ("" if it can).
std::string neuron_precondition(const std::vector<Eigen::MatrixXd>& repeats, Eigen::Index neuron) {
  std::size_t valid_repeats = 0;
  bool any = false, constant = true;
  double first = 0;
  for (const Eigen::MatrixXd& responses : repeats) {
    bool valid_here = false;
    for (Eigen::Index stimulus = 0; stimulus < responses.rows(); ++stimulus) {
      const double value = responses(stimulus, neuron);
      if (std::isnan(value)) continue;
      valid_here = true;
      if (!any) {
        first = value;
        any = true;
      }
      constant = constant && value == first;
    }
    valid_repeats += valid_here ? 1 : 0;
  }
  if (!any) return "no valid trials";
  if (valid_repeats < 2) return "fewer than 2 repeats (" + std::to_string(valid_repeats) + " with valid trials)";
  if (constant) return "constant responses";
  return {};
}

}  // namespace

double spearman_brown_correction(double half_correlation) {
  if (std::isnan(half_correlation) || half_correlation == -1.0) return not_a_number;
  return 2.0 * half_correlation / (1.0 + half_correlation);
}

namespace {

/// The reliability for checked repeats and orders.
SplitHalfReliability reliability_for_orders(const std::vector<Eigen::MatrixXd>& repeats,
                                            const std::vector<std::vector<std::int32_t>>& repeat_orders) {
  const Eigen::Index stimuli = repeats.front().rows(), neurons = repeats.front().cols();

  SplitHalfReliability result;
  result.half_correlation = Eigen::VectorXd::Constant(neurons, not_a_number);
  result.spearman_brown = Eigen::VectorXd::Constant(neurons, not_a_number);
  result.undefined_reason.assign(static_cast<std::size_t>(neurons), std::string());
  result.valid_splits = Eigen::VectorXi::Zero(neurons);

  const double work = static_cast<double>(neurons) * static_cast<double>(stimuli) * static_cast<double>(repeats.size()) *
                      static_cast<double>(repeat_orders.size());
#pragma omp parallel for schedule(dynamic, 4) if (work >= 1e6)
  for (Eigen::Index neuron = 0; neuron < neurons; ++neuron) {
    std::string& reason = result.undefined_reason[static_cast<std::size_t>(neuron)];
    reason = neuron_precondition(repeats, neuron);
    if (!reason.empty()) continue;
    Eigen::VectorXd half_a(stimuli), half_b(stimuli);
    double sum = 0;
    int defined = 0;
    std::string split_reason, first_reason;
    for (const std::vector<std::int32_t>& order : repeat_orders) {
      neuron_half_means(repeats, order, neuron, half_a, half_b);
      const double r = half_correlation(half_a, half_b, split_reason);
      if (std::isnan(r)) {
        if (first_reason.empty()) first_reason = split_reason;
        continue;
      }
      sum += r;
      ++defined;
    }
    result.valid_splits(neuron) = defined;
    if (defined == 0) {
      reason = "undefined in every split (" + first_reason + ")";
      continue;
    }
    const double mean = sum / defined;
    result.half_correlation(neuron) = mean;
    result.spearman_brown(neuron) = spearman_brown_correction(mean);
    if (std::isnan(result.spearman_brown(neuron))) reason = "half correlation of -1";
  }
  return result;
}

}  // namespace

SplitHalfReliability split_half_reliability_from_orders(const std::vector<Eigen::MatrixXd>& repeats,
                                                        const std::vector<std::vector<std::int32_t>>& repeat_orders) {
  constexpr const char* function = "split_half_reliability";
  check_repeats(function, repeats);
  if (repeat_orders.empty()) throw std::invalid_argument(std::string(function) + ": expected splits >= 1, found 0");
  for (std::size_t split = 0; split < repeat_orders.size(); ++split) {
    check_order(function, repeat_orders[split], repeats.size(), split);
  }
  return reliability_for_orders(repeats, repeat_orders);
}

SplitHalfReliability split_half_reliability(const std::vector<Eigen::MatrixXd>& repeats, const SplitHalfOptions& options) {
  if (options.splits < 1) {
    throw std::invalid_argument("split_half_reliability: expected splits >= 1, found " + std::to_string(options.splits));
  }
  check_repeats("split_half_reliability", repeats);
  std::vector<std::vector<std::int32_t>> orders;
  orders.reserve(static_cast<std::size_t>(options.splits));
  for (int split = 0; split < options.splits; ++split) {
    orders.push_back(rsa::label_permutation(static_cast<std::int32_t>(repeats.size()), options.seed,
                                            static_cast<std::uint64_t>(split)));
  }
  return reliability_for_orders(repeats, orders);
}

Eigen::VectorXd noise_corrected_predictivity(const Eigen::Ref<const Eigen::VectorXd>& accuracy,
                                             const Eigen::Ref<const Eigen::VectorXd>& reliability) {
  if (accuracy.size() != reliability.size()) {
    throw std::invalid_argument("noise_corrected_predictivity: expected a reliability per neuron (" +
                                std::to_string(accuracy.size()) + " accuracies), found " +
                                std::to_string(reliability.size()));
  }
  Eigen::VectorXd corrected(accuracy.size());
  for (Eigen::Index neuron = 0; neuron < accuracy.size(); ++neuron) {
    const double r = reliability(neuron);
    corrected(neuron) = (r > 0) ? accuracy(neuron) / std::sqrt(r) : not_a_number;  // NaN r fails r > 0
  }
  return corrected;
}

double median_of_finite(const Eigen::Ref<const Eigen::VectorXd>& values) {
  std::vector<double> finite;
  finite.reserve(static_cast<std::size_t>(values.size()));
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    if (std::isfinite(values(i))) finite.push_back(values(i));
  }
  if (finite.empty()) return not_a_number;
  std::sort(finite.begin(), finite.end());
  const std::size_t middle = finite.size() / 2;
  return finite.size() % 2 == 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2.0;
}

namespace {

std::pair<Eigen::MatrixXd, Eigen::MatrixXd> means_for_order(const std::vector<Eigen::MatrixXd>& repeats,
                                                            const std::vector<std::int32_t>& repeat_order) {
  const Eigen::Index stimuli = repeats.front().rows(), neurons = repeats.front().cols();
  std::pair<Eigen::MatrixXd, Eigen::MatrixXd> means{Eigen::MatrixXd(stimuli, neurons), Eigen::MatrixXd(stimuli, neurons)};
  const double work = static_cast<double>(neurons) * static_cast<double>(stimuli) * static_cast<double>(repeats.size());
#pragma omp parallel for schedule(static) if (work >= 1e6)
  for (Eigen::Index neuron = 0; neuron < neurons; ++neuron) {
    Eigen::VectorXd half_a(stimuli), half_b(stimuli);
    neuron_half_means(repeats, repeat_order, neuron, half_a, half_b);
    means.first.col(neuron) = half_a;
    means.second.col(neuron) = half_b;
  }
  return means;
}

}  // namespace

std::pair<Eigen::MatrixXd, Eigen::MatrixXd> split_half_means_from_order(const std::vector<Eigen::MatrixXd>& repeats,
                                                                        const std::vector<std::int32_t>& repeat_order) {
  check_repeats("split_half_means", repeats);
  check_order("split_half_means", repeat_order, repeats.size(), 0);
  return means_for_order(repeats, repeat_order);
}

std::pair<Eigen::MatrixXd, Eigen::MatrixXd> split_half_means(const std::vector<Eigen::MatrixXd>& repeats,
                                                             std::uint64_t seed, std::uint64_t split_index) {
  check_repeats("split_half_means", repeats);
  return means_for_order(repeats,
                         rsa::label_permutation(static_cast<std::int32_t>(repeats.size()), seed, split_index));
}

Eigen::MatrixXd mean_over_repeats(const std::vector<Eigen::MatrixXd>& repeats) {
  const Eigen::Index stimuli = repeats.front().rows(), neurons = repeats.front().cols();
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(stimuli, neurons), count = Eigen::MatrixXd::Zero(stimuli, neurons);
  for (const Eigen::MatrixXd& repeat : repeats) {
    for (Eigen::Index j = 0; j < neurons; ++j) {
      for (Eigen::Index i = 0; i < stimuli; ++i) {
        if (std::isfinite(repeat(i, j))) {
          sum(i, j) += repeat(i, j);
          count(i, j) += 1;
        }
      }
    }
  }
  return (count.array() > 0).select(sum.array() / count.array(), Eigen::MatrixXd::Constant(stimuli, neurons, NAN));
}

void fill_missing_with_column_means(Eigen::MatrixXd& matrix) {
  for (Eigen::Index j = 0; j < matrix.cols(); ++j) {
    double sum = 0;
    int count = 0;
    for (Eigen::Index i = 0; i < matrix.rows(); ++i) {
      if (std::isfinite(matrix(i, j))) {
        sum += matrix(i, j);
        ++count;
      }
    }
    const double fill = count > 0 ? sum / count : 0.0;
    for (Eigen::Index i = 0; i < matrix.rows(); ++i) {
      if (!std::isfinite(matrix(i, j))) matrix(i, j) = fill;
    }
  }
}

}  // namespace visalign::encoding
