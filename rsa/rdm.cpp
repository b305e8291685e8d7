#include "rsa/rdm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace visalign::rsa {

RdmDistance parse_rdm_distance(const std::string& name) {
  if (name == "correlation") return RdmDistance::correlation;
  if (name == "euclidean") return RdmDistance::euclidean;
  if (name == "cosine") return RdmDistance::cosine;
  throw std::invalid_argument("RDM distance: expected correlation, euclidean or cosine, found \"" + name + "\"");
}

std::string to_string(RdmDistance distance) {
  switch (distance) {
    case RdmDistance::correlation: return "correlation";
    case RdmDistance::euclidean: return "euclidean";
    case RdmDistance::cosine: return "cosine";
  }
  throw std::invalid_argument("RDM distance: unknown enumerator");
}

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

/// Rows scaled to unit length (after centring them when `centre`): #conditions by #features.
/// A row that has no direction (constant under centring, all zero otherwise) becomes NaN, so that
/// every distance to it is NaN, as in scipy.
Eigen::MatrixXd unit_rows(const Eigen::Ref<const Eigen::MatrixXd>& patterns, bool centre) {
  Eigen::MatrixXd rows = patterns;
  for (Eigen::Index r = 0; r < rows.rows(); ++r) {
    auto row = rows.row(r);
    if (centre) {
      // A constant row would centre to rounding noise rather than to zero: catch it exactly.
      const double first = row(0);
      if ((row.array() == first).all()) {
        row.setConstant(not_a_number);
        continue;
      }
      row.array() -= row.mean();  // two passes: the mean, then the deviations
    }
    const double norm = row.norm();
    if (norm == 0 || std::isnan(norm)) {
      row.setConstant(not_a_number);
    } else {
      row /= norm;
    }
  }
  return rows;
}

}  // namespace

Eigen::MatrixXd compute_rdm(const Eigen::Ref<const Eigen::MatrixXd>& patterns, RdmDistance distance) {
  const Eigen::Index n = patterns.rows();
  if (n < 2 || patterns.cols() < 1) {
    throw std::invalid_argument("compute_rdm: expected at least 2 conditions (rows) and 1 feature (column), found " +
                                std::to_string(n) + " x " + std::to_string(patterns.cols()));
  }
  Eigen::MatrixXd rdm = Eigen::MatrixXd::Zero(n, n);
  if (distance == RdmDistance::euclidean) {
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = i + 1; j < n; ++j) {
        const double value = (patterns.row(i) - patterns.row(j)).norm();
        rdm(i, j) = value;
        rdm(j, i) = value;
      }
    }
    return rdm;
  }
  // correlation = cosine distance of the centred rows; both clip the similarity to [-1, 1] as scipy does.
  const Eigen::MatrixXd unit = unit_rows(patterns, distance == RdmDistance::correlation);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      double similarity = unit.row(i).dot(unit.row(j));
      if (std::abs(similarity) > 1.0) similarity = std::copysign(1.0, similarity);
      const double value = 1.0 - similarity;
      rdm(i, j) = value;
      rdm(j, i) = value;
    }
  }
  return rdm;
}

Eigen::VectorXd upper_triangle(const Eigen::Ref<const Eigen::MatrixXd>& rdm) {
  const Eigen::Index n = rdm.rows();
  if (rdm.cols() != n) {
    throw std::invalid_argument("upper_triangle: expected a square matrix, found " + std::to_string(n) + " x " +
                                std::to_string(rdm.cols()));
  }
  Eigen::VectorXd condensed(n * (n - 1) / 2);
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) condensed(k++) = rdm(i, j);
  }
  return condensed;
}

}  // namespace visalign::rsa
