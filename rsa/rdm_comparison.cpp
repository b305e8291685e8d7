#include "rsa/rdm_comparison.hpp"

#include "rsa/value_order.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace visalign::rsa {

RdmComparison parse_rdm_comparison(const std::string& name) {
  if (name == "spearman") return RdmComparison::spearman;
  if (name == "pearson") return RdmComparison::pearson;
  if (name == "kendall-tau-a") return RdmComparison::kendall_tau_a;
  if (name == "rho-a") return RdmComparison::rho_a;
  throw std::invalid_argument("RDM comparison: expected spearman, pearson, kendall-tau-a or rho-a, found \"" + name + "\"");
}

std::string to_string(RdmComparison comparison) {
  switch (comparison) {
    case RdmComparison::spearman: return "spearman";
    case RdmComparison::pearson: return "pearson";
    case RdmComparison::kendall_tau_a: return "kendall-tau-a";
    case RdmComparison::rho_a: return "rho-a";
  }
  throw std::invalid_argument("RDM comparison: unknown enumerator");
}

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

void require_equal_lengths(const char* what, Eigen::Index a, Eigen::Index b) {
  if (a != b) {
    throw std::invalid_argument(std::string(what) + ": expected two vectors of equal length, found " + std::to_string(a) +
                                " and " + std::to_string(b));
  }
}

bool has_nan(const Eigen::Ref<const Eigen::VectorXd>& values) { return values.array().isNaN().any(); }

/// Number of pairs tied within runs of equal values of `values` taken in `order` (sorted).
std::int64_t tied_pairs(const Eigen::Ref<const Eigen::VectorXd>& values, const std::vector<Eigen::Index>& order) {
  std::int64_t pairs = 0;
  std::size_t start = 0;
  for (std::size_t k = 1; k <= order.size(); ++k) {
    if (k == order.size() || values(order[k]) != values(order[start])) {
      const auto run = static_cast<std::int64_t>(k - start);
      pairs += run * (run - 1) / 2;
      start = k;
    }
  }
  return pairs;
}

/// Sorts `keys` ascending (stable merge sort) and returns the number of strict inversions
/// (pairs i < j with keys[i] > keys[j]): equal keys are not inversions.
std::int64_t merge_sort_inversions(std::vector<double>& keys, std::vector<double>& buffer, std::size_t begin, std::size_t end) {
  if (end - begin < 2) return 0;
  const std::size_t middle = begin + (end - begin) / 2;
  std::int64_t inversions = merge_sort_inversions(keys, buffer, begin, middle) + merge_sort_inversions(keys, buffer, middle, end);
  std::size_t left = begin, right = middle, out = begin;
  while (left < middle && right < end) {
    if (keys[right] < keys[left]) {
      inversions += static_cast<std::int64_t>(middle - left);  // every remaining left key is greater
      buffer[out++] = keys[right++];
    } else {
      buffer[out++] = keys[left++];
    }
  }
  while (left < middle) buffer[out++] = keys[left++];
  while (right < end) buffer[out++] = keys[right++];
  std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(begin), buffer.begin() + static_cast<std::ptrdiff_t>(end),
            keys.begin() + static_cast<std::ptrdiff_t>(begin));
  return inversions;
}

}  // namespace

Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& values) {
  Eigen::VectorXd ranks = Eigen::VectorXd::Constant(values.size(), not_a_number);
  // NaNs keep NaN ranks; the other values are ranked among themselves.
  std::vector<Eigen::Index> kept;
  std::vector<double> finite;
  kept.reserve(static_cast<std::size_t>(values.size()));
  finite.reserve(static_cast<std::size_t>(values.size()));
  bool infinite = false;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    if (std::isnan(values(i))) continue;
    infinite = infinite || std::isinf(values(i));
    kept.push_back(i);
    finite.push_back(values(i));
  }
  std::vector<std::int32_t> order;
  if (infinite) {  // the bucket sort needs a finite range
    order.resize(kept.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::int32_t i, std::int32_t j) { return finite[static_cast<std::size_t>(i)] < finite[static_cast<std::size_t>(j)]; });
  } else {
    ValueOrder sorted;
    order_by_value(finite.data(), finite.size(), sorted);
    order = std::move(sorted.order);
  }
  // Runs of exactly equal values share the mean of the ranks they span: (first + last) / 2, 1-based.
  std::size_t start = 0;
  for (std::size_t k = 1; k <= order.size(); ++k) {
    if (k == order.size() || finite[static_cast<std::size_t>(order[k])] != finite[static_cast<std::size_t>(order[start])]) {
      const double rank = 0.5 * static_cast<double>(start + 1 + k);
      for (std::size_t m = start; m < k; ++m) ranks(kept[static_cast<std::size_t>(order[m])]) = rank;
      start = k;
    }
  }
  return ranks;
}

double pearson_correlation(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b) {
  require_equal_lengths("pearson_correlation", a.size(), b.size());
  if (a.size() < 2 || has_nan(a) || has_nan(b)) return not_a_number;
  // Two passes in double: the means, then the centred sums.
  const double mean_a = a.mean(), mean_b = b.mean();
  double products = 0, squares_a = 0, squares_b = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const double deviation_a = a(i) - mean_a, deviation_b = b(i) - mean_b;
    products += deviation_a * deviation_b;
    squares_a += deviation_a * deviation_a;
    squares_b += deviation_b * deviation_b;
  }
  if (squares_a == 0 || squares_b == 0) return not_a_number;
  const double r = products / std::sqrt(squares_a * squares_b);
  return std::clamp(r, -1.0, 1.0);
}

double spearman_correlation(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b) {
  require_equal_lengths("spearman_correlation", a.size(), b.size());
  if (has_nan(a) || has_nan(b)) return not_a_number;
  return pearson_correlation(average_ranks(a), average_ranks(b));
}

double kendall_tau_a(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b) {
  require_equal_lengths("kendall_tau_a", a.size(), b.size());
  const auto n = static_cast<std::int64_t>(a.size());
  if (n < 2 || has_nan(a) || has_nan(b)) return not_a_number;
  // Knight's O(n log n) count, exact in integers: order the pairs by (a, b); pairs tied in a then
  // come in ascending b, so the strict inversions of b in that order are exactly the discordant
  // pairs. concordant = all - tied_in_a - tied_in_b + tied_in_both - discordant.
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) {
    return a(i) < a(j) || (a(i) == a(j) && b(i) < b(j));
  });
  const std::int64_t tied_a = tied_pairs(a, order);
  std::int64_t tied_both = 0;
  std::size_t start = 0;
  for (std::size_t k = 1; k <= order.size(); ++k) {
    if (k == order.size() || a(order[k]) != a(order[start]) || b(order[k]) != b(order[start])) {
      const auto run = static_cast<std::int64_t>(k - start);
      tied_both += run * (run - 1) / 2;
      start = k;
    }
  }
  std::vector<double> keys(order.size()), buffer(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) keys[k] = b(order[k]);
  const std::int64_t discordant = merge_sort_inversions(keys, buffer, 0, keys.size());
  // keys is now b sorted: count the pairs tied in b.
  std::int64_t tied_b = 0;
  start = 0;
  for (std::size_t k = 1; k <= keys.size(); ++k) {
    if (k == keys.size() || keys[k] != keys[start]) {
      const auto run = static_cast<std::int64_t>(k - start);
      tied_b += run * (run - 1) / 2;
      start = k;
    }
  }
  const std::int64_t all_pairs = n * (n - 1) / 2;
  const std::int64_t concordant = all_pairs - tied_a - tied_b + tied_both - discordant;
  return static_cast<double>(concordant - discordant) / static_cast<double>(all_pairs);
}

double rho_a(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b) {
  require_equal_lengths("rho_a", a.size(), b.size());
  const Eigen::Index size = a.size();
  if (size < 2 || has_nan(a) || has_nan(b)) return not_a_number;
  const double squared_differences = (average_ranks(a) - average_ranks(b)).squaredNorm();
  const auto n = static_cast<double>(size);
  return 1.0 - 6.0 * squared_differences / (n * n * n - n);
}

double compare_rdms(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b,
                    RdmComparison comparison) {
  require_equal_lengths("compare_rdms", a.size(), b.size());
  switch (comparison) {
    case RdmComparison::spearman: return spearman_correlation(a, b);
    case RdmComparison::pearson: return pearson_correlation(a, b);
    case RdmComparison::kendall_tau_a: return kendall_tau_a(a, b);
    case RdmComparison::rho_a: return rho_a(a, b);
  }
  throw std::invalid_argument("compare_rdms: unknown comparison");
}

}  // namespace visalign::rsa
