#pragma once
// Comparing two RDMs (their condensed upper triangles): Spearman (average ranks for ties; the
// default), Pearson, Kendall's tau-a, and rho-a (Nili et al. 2014).

#include <Eigen/Core>

#include <string>

namespace visalign::rsa {

enum class RdmComparison { spearman, pearson, kendall_tau_a, rho_a };

/// "spearman" / "pearson" / "kendall-tau-a" / "rho-a"; std::invalid_argument otherwise.
RdmComparison parse_rdm_comparison(const std::string& name);
std::string to_string(RdmComparison comparison);

/// Ranks 1..n with ties given their average rank (scipy.stats.rankdata 'average'). NaN stays NaN.
Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& values);

double pearson_correlation(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b);
double spearman_correlation(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b);
/// tau-a = (concordant - discordant) / (n (n - 1) / 2): ties count as neither.
double kendall_tau_a(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b);
/// rho-a = 1 - 6 sum(d^2) / (n^3 - n), d the differences of average ranks.
double rho_a(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b);

/// Compares two vectors of equal length (std::invalid_argument otherwise). NaN when either input
/// has a NaN or (Pearson/Spearman) zero variance.
double compare_rdms(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::Ref<const Eigen::VectorXd>& b,
                    RdmComparison comparison = RdmComparison::spearman);

}  // namespace visalign::rsa
