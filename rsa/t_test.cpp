#include "rsa/t_test.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace visalign::rsa {

double two_tailed_t_p_value(double t, double degrees_of_freedom) {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0.0;
  const boost::math::students_t distribution(degrees_of_freedom);
  return 2.0 * boost::math::cdf(boost::math::complement(distribution, std::abs(t)));
}

TTestResult two_sample_t_test(const Eigen::Ref<const Eigen::MatrixXf>& data, const std::vector<Eigen::Index>& group_a,
                              const std::vector<Eigen::Index>& group_b) {
  const auto n_a = static_cast<double>(group_a.size());
  const auto n_b = static_cast<double>(group_b.size());
  if (group_a.empty() || group_b.empty() || group_a.size() + group_b.size() < 3) {
    throw std::invalid_argument("two-sample t-test: expected at least one column per group and three in all, found " +
                                std::to_string(group_a.size()) + " and " + std::to_string(group_b.size()));
  }
  for (const auto& group : {group_a, group_b}) {
    for (const Eigen::Index column : group) {
      if (column < 0 || column >= data.cols()) {
        throw std::invalid_argument("two-sample t-test: column " + std::to_string(column) + " is outside the " +
                                    std::to_string(data.cols()) + " columns");
      }
    }
  }
  TTestResult result;
  result.degrees_of_freedom = n_a + n_b - 2;
  result.t.resize(data.rows());
  result.p.resize(data.rows());
  for (Eigen::Index row = 0; row < data.rows(); ++row) {
    // Two-pass mean and sum of squares in double for accuracy.
    auto moments = [&](const std::vector<Eigen::Index>& group, double& mean, double& squares) {
      mean = 0;
      for (const Eigen::Index column : group) mean += data(row, column);
      mean /= static_cast<double>(group.size());
      squares = 0;
      for (const Eigen::Index column : group) {
        const double deviation = data(row, column) - mean;
        squares += deviation * deviation;
      }
    };
    double mean_a, squares_a, mean_b, squares_b;
    moments(group_a, mean_a, squares_a);
    moments(group_b, mean_b, squares_b);
    const double pooled_variance = (squares_a + squares_b) / result.degrees_of_freedom;
    const double standard_error = std::sqrt(pooled_variance * (1.0 / n_a + 1.0 / n_b));
    const double difference = mean_a - mean_b;
    double t;
    if (standard_error > 0) {
      t = difference / standard_error;
    } else {
      t = difference == 0 ? std::numeric_limits<double>::quiet_NaN()
                          : std::copysign(std::numeric_limits<double>::infinity(), difference);
    }
    result.t(row) = t;
    result.p(row) = two_tailed_t_p_value(t, result.degrees_of_freedom);
  }
  return result;
}

}  // namespace visalign::rsa
