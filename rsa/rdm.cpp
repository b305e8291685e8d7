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
  Eigen::MatrixXd columns = patterns.transpose();
  Eigen::VectorXd condensed(n * (n - 1) / 2);
  condensed_rdm_of_columns(columns, distance, condensed);
  Eigen::Index e = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      rdm(i, j) = condensed(e);
      rdm(j, i) = condensed(e++);
    }
  }
  return rdm;
}

void condensed_rdm_of_columns(Eigen::Ref<Eigen::MatrixXd> columns, RdmDistance distance, Eigen::Ref<Eigen::VectorXd> condensed) {
  const Eigen::Index n = columns.cols();
  if (condensed.size() != n * (n - 1) / 2) throw std::invalid_argument("condensed_rdm_of_columns: wrong output size");
  if (distance == RdmDistance::euclidean) {
    Eigen::Index e = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = i + 1; j < n; ++j) condensed(e++) = (columns.col(i) - columns.col(j)).norm();
    }
    return;
  }
  // Correlation = cosine distance of the centred patterns. A pattern without a direction (constant
  // under centring, all zero otherwise) gives NaN distances, as in scipy; constancy is caught
  // exactly, since centring would leave rounding noise rather than zero.
  for (Eigen::Index i = 0; i < n; ++i) {
    auto column = columns.col(i);
    if (distance == RdmDistance::correlation) {
      const double first = column(0);
      if ((column.array() == first).all()) {
        column.setConstant(not_a_number);
        continue;
      }
      column.array() -= column.mean();  // two passes: the mean, then the deviations
    }
    const double norm = column.norm();
    if (norm == 0 || std::isnan(norm)) {
      column.setConstant(not_a_number);
    } else {
      column /= norm;
    }
  }
  // All similarities in one blocked product (its upper triangle is used).
  const Eigen::MatrixXd similarities = columns.transpose() * columns;
  Eigen::Index e = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      double similarity = similarities(i, j);
      if (std::abs(similarity) > 1.0) similarity = std::copysign(1.0, similarity);  // clipped as scipy does
      condensed(e++) = 1.0 - similarity;
    }
  }
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
