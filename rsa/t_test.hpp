#pragma once
// Student's t-tests on rows of a matrix (one test per vertex), two-tailed p-values.

#include <Eigen/Core>

#include <vector>

namespace visalign::rsa {

struct TTestResult {
  Eigen::VectorXd t;  // #rows; NaN where both groups are constant
  Eigen::VectorXd p;  // #rows, two-tailed; NaN where t is NaN
  double degrees_of_freedom = 0;
};

/// Two-sample t-test with pooled variance (equal variances, as scipy.stats.ttest_ind by default)
/// of group A's columns against group B's, for every row: positive t means A > B.
/// std::invalid_argument when a group has fewer than one column, both together fewer than three,
/// or a column index is out of range.
TTestResult two_sample_t_test(const Eigen::Ref<const Eigen::MatrixXf>& data, const std::vector<Eigen::Index>& group_a,
                              const std::vector<Eigen::Index>& group_b);

/// Two-tailed p of Student's t with `degrees_of_freedom`.
double two_tailed_t_p_value(double t, double degrees_of_freedom);

}  // namespace visalign::rsa
