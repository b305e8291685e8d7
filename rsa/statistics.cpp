#include "rsa/statistics.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "rsa/random_stream.hpp"
#include "rsa/t_test.hpp"

namespace visalign::rsa {

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

void require_non_negative(const char* what, std::int32_t n) {
  if (n < 0) throw std::invalid_argument(std::string(what) + ": expected n >= 0, found " + std::to_string(n));
}

std::vector<std::int32_t> identity(std::int32_t n) {
  std::vector<std::int32_t> values(static_cast<std::size_t>(n));
  std::iota(values.begin(), values.end(), 0);
  return values;
}

}  // namespace

std::vector<std::int32_t> label_permutation(std::int32_t n, std::uint64_t seed, std::uint64_t index) {
  require_non_negative("label_permutation", n);
  std::vector<std::int32_t> permutation = identity(n);
  RandomStream stream(seed, index);
  for (std::int32_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::size_t>(stream.below(static_cast<std::uint64_t>(i) + 1));
    std::swap(permutation[static_cast<std::size_t>(i)], permutation[j]);
  }
  return permutation;
}

std::vector<std::int32_t> bootstrap_sample(std::int32_t n, std::uint64_t seed, std::uint64_t index) {
  require_non_negative("bootstrap_sample", n);
  std::vector<std::int32_t> sample(static_cast<std::size_t>(n));
  RandomStream stream(seed, index);
  for (auto& drawn : sample) drawn = static_cast<std::int32_t>(stream.below(static_cast<std::uint64_t>(n)));
  return sample;
}

std::vector<std::int32_t> subsample(std::int32_t n, std::int32_t size, std::uint64_t seed, std::uint64_t index) {
  require_non_negative("subsample", n);
  if (size < 0 || size > n) {
    throw std::invalid_argument("subsample: expected a size in 0.." + std::to_string(n) + ", found " + std::to_string(size));
  }
  // Partial Fisher-Yates: the first `size` places of a uniformly shuffled 0..n-1, then sorted.
  std::vector<std::int32_t> values = identity(n);
  RandomStream stream(seed, index);
  for (std::int32_t i = 0; i < size; ++i) {
    const auto j = static_cast<std::size_t>(i) + static_cast<std::size_t>(stream.below(static_cast<std::uint64_t>(n - i)));
    std::swap(values[static_cast<std::size_t>(i)], values[j]);
  }
  values.resize(static_cast<std::size_t>(size));
  std::sort(values.begin(), values.end());
  return values;
}

double permutation_p_value(double observed, const std::vector<double>& null_distribution) {
  if (std::isnan(observed)) return not_a_number;
  std::size_t counted = 0, at_least = 0;
  for (const double value : null_distribution) {
    if (std::isnan(value)) continue;
    ++counted;
    if (value >= observed) ++at_least;  // ties count against the observed value
  }
  return static_cast<double>(1 + at_least) / static_cast<double>(1 + counted);
}

Eigen::VectorXd bootstrap_rdm_entries(const Eigen::Ref<const Eigen::MatrixXd>& rdm, const std::vector<std::int32_t>& sample) {
  const Eigen::Index n = rdm.rows();
  if (rdm.cols() != n) {
    throw std::invalid_argument("bootstrap_rdm_entries: expected a square RDM, found " + std::to_string(n) + " x " +
                                std::to_string(rdm.cols()));
  }
  for (std::size_t a = 0; a < sample.size(); ++a) {
    if (sample[a] < 0 || sample[a] >= n) {
      throw std::invalid_argument("bootstrap_rdm_entries: sample position " + std::to_string(a) + " names condition " +
                                  std::to_string(sample[a]) + ", outside the RDM's " + std::to_string(n) + " conditions");
    }
  }
  Eigen::Index count = 0;
  for (std::size_t a = 0; a < sample.size(); ++a) {
    for (std::size_t b = a + 1; b < sample.size(); ++b) count += sample[a] != sample[b] ? 1 : 0;
  }
  Eigen::VectorXd entries(count);
  Eigen::Index k = 0;
  for (std::size_t a = 0; a < sample.size(); ++a) {
    for (std::size_t b = a + 1; b < sample.size(); ++b) {
      if (sample[a] != sample[b]) entries(k++) = rdm(sample[a], sample[b]);
    }
  }
  return entries;
}

ConfidenceInterval percentile_interval(std::vector<double> samples, double level) {
  if (!(level >= 0 && level <= 1)) {
    throw std::invalid_argument("percentile_interval: expected a level in [0, 1], found " + std::to_string(level));
  }
  samples.erase(std::remove_if(samples.begin(), samples.end(), [](double x) { return std::isnan(x); }), samples.end());
  if (samples.empty()) return {not_a_number, not_a_number};
  std::sort(samples.begin(), samples.end());
  // numpy.percentile, method "linear": virtual index (n - 1) q, and numpy's lerp (from the upper
  // neighbour when the fraction is >= 0.5).
  const auto percentile = [&](double percent) {
    const double virtual_index = static_cast<double>(samples.size() - 1) * (percent / 100.0);
    const double below = std::floor(virtual_index);
    const double fraction = virtual_index - below;
    const auto lower_index = static_cast<std::size_t>(below);
    const std::size_t upper_index = std::min(lower_index + 1, samples.size() - 1);
    const double lower = samples[lower_index], upper = samples[upper_index];
    const double difference = upper - lower;
    return fraction >= 0.5 ? upper - difference * (1.0 - fraction) : lower + difference * fraction;
  };
  return {percentile((1.0 - level) / 2.0 * 100.0), percentile((1.0 + level) / 2.0 * 100.0)};
}

MannKendallResult mann_kendall(const std::vector<double>& series) {
  const std::size_t n = series.size();
  if (n < 3) throw std::invalid_argument("mann_kendall: expected at least 3 values, found " + std::to_string(n));
  MannKendallResult result;
  if (std::any_of(series.begin(), series.end(), [](double x) { return std::isnan(x); })) {
    // A missing value is a result, not a wrong argument: no trend can be computed.
    result.s = result.variance = result.z = result.p = not_a_number;
    return result;
  }
  std::int64_t s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) s += (series[j] > series[i]) - (series[j] < series[i]);
  }
  // Tie correction over groups of exactly equal values.
  std::vector<double> sorted = series;
  std::sort(sorted.begin(), sorted.end());
  double tie_term = 0;
  std::size_t start = 0;
  for (std::size_t k = 1; k <= n; ++k) {
    if (k == n || sorted[k] != sorted[start]) {
      const auto t = static_cast<double>(k - start);
      tie_term += t * (t - 1) * (2 * t + 5);
      start = k;
    }
  }
  const auto size = static_cast<double>(n);
  result.s = static_cast<double>(s);
  result.variance = (size * (size - 1) * (2 * size + 5) - tie_term) / 18.0;
  if (s > 0) {
    result.z = (result.s - 1) / std::sqrt(result.variance);
  } else if (s < 0) {
    result.z = (result.s + 1) / std::sqrt(result.variance);
  } else {
    result.z = 0;
  }
  const boost::math::normal standard_normal;
  result.p = 2.0 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(result.z)));
  return result;
}

PairedTTestResult paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("paired_t_test: expected equal numbers of values, found " + std::to_string(a.size()) +
                                " and " + std::to_string(b.size()));
  }
  if (a.size() < 2) throw std::invalid_argument("paired_t_test: expected at least 2 pairs, found " + std::to_string(a.size()));
  const auto n = static_cast<double>(a.size());
  double mean = 0;
  for (std::size_t i = 0; i < a.size(); ++i) mean += a[i] - b[i];
  mean /= n;
  double squares = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double deviation = (a[i] - b[i]) - mean;
    squares += deviation * deviation;
  }
  PairedTTestResult result;
  result.degrees_of_freedom = n - 1;
  result.mean_difference = mean;
  const double standard_error = std::sqrt(squares / (n - 1) / n);
  if (standard_error > 0 || std::isnan(standard_error)) {
    result.t = mean / standard_error;
  } else {
    // Constant differences: infinite t (scipy divides by zero too), NaN when they are all zero.
    result.t = mean == 0 ? not_a_number : std::copysign(std::numeric_limits<double>::infinity(), mean);
  }
  result.p = two_tailed_t_p_value(result.t, result.degrees_of_freedom);
  return result;
}

Eigen::VectorXd benjamini_hochberg(const Eigen::Ref<const Eigen::VectorXd>& p_values) {
  std::vector<Eigen::Index> order;
  order.reserve(static_cast<std::size_t>(p_values.size()));
  for (Eigen::Index i = 0; i < p_values.size(); ++i) {
    const double p = p_values(i);
    if (std::isnan(p)) continue;
    if (p < 0 || p > 1) {
      throw std::invalid_argument("benjamini_hochberg: p-value " + std::to_string(i) + " is " + std::to_string(p) +
                                  ", outside [0, 1]");
    }
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) { return p_values(i) < p_values(j); });
  Eigen::VectorXd adjusted = Eigen::VectorXd::Constant(p_values.size(), not_a_number);
  const auto m = static_cast<double>(order.size());
  // q at rank k = min over ranks j >= k of p_(j) m / j, capped at 1.
  double running_minimum = 1.0;
  for (std::size_t k = order.size(); k-- > 0;) {
    const double candidate = p_values(order[k]) * m / static_cast<double>(k + 1);
    running_minimum = std::min(running_minimum, candidate);
    adjusted(order[k]) = running_minimum;
  }
  return adjusted;
}

}  // namespace visalign::rsa
