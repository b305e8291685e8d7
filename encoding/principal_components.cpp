#include "encoding/principal_components.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/Jacobi>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "rsa/random_stream.hpp"

namespace visalign::encoding {

namespace detail {

namespace {

using Eigen::Index;

// Output tiles (computed whole by one thread) and the chunks of the summed dimension (added into a
// tile in this order): fixed sizes, so the rounding is the same for any number of threads.
constexpr Index tile_size = 256;
constexpr Index chunk_size = 2048;
// Products of fewer multiply-adds run on the calling thread: a parallel region would cost more
// (the tiles, hence the result, are the same either way).
constexpr double parallel_work = 2e6;

double work(Index rows, Index columns, Index summed) {
  return static_cast<double>(rows) * static_cast<double>(columns) * static_cast<double>(summed);
}

Index tile_count(Index size, Index step) { return (size + step - 1) / step; }

/// One block of the data, centred by `mean` when it is given (into `buffer`), else the block itself.
Eigen::Ref<const Eigen::MatrixXd> centred_block(const Eigen::Ref<const Eigen::MatrixXd>& data,
                                                const Eigen::Ref<const Eigen::VectorXd>& mean, Index row, Index column,
                                                Index rows, Index columns, Eigen::MatrixXd& buffer) {
  if (mean.size() == 0) return data.block(row, column, rows, columns);
  buffer = data.block(row, column, rows, columns);
  buffer.rowwise() -= mean.segment(column, columns).transpose();
  return buffer;
}

void require_mean_size(const char* function, const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean) {
  if (mean.size() != 0 && mean.size() != data.cols()) {
    throw std::invalid_argument(std::string(function) + ": expected a mean of size 0 or " + std::to_string(data.cols()) +
                                ", found " + std::to_string(mean.size()));
  }
}

}  // namespace

void require_finite_nonempty(const char* function, const char* argument, const Eigen::Ref<const Eigen::MatrixXd>& matrix) {
  if (matrix.rows() == 0 || matrix.cols() == 0) {
    throw std::invalid_argument(std::string(function) + ": expected a non-empty " + argument + " matrix, found " +
                                std::to_string(matrix.rows()) + " x " + std::to_string(matrix.cols()));
  }
  if (matrix.allFinite()) return;
  for (Index column = 0; column < matrix.cols(); ++column) {
    for (Index row = 0; row < matrix.rows(); ++row) {
      if (!std::isfinite(matrix(row, column))) {
        throw std::invalid_argument(std::string(function) + ": expected finite values in " + argument + ", found " +
                                    (std::isnan(matrix(row, column)) ? "NaN" : "infinity") + " at row " + std::to_string(row) +
                                    ", column " + std::to_string(column));
      }
    }
  }
}

Eigen::VectorXd column_means(const Eigen::Ref<const Eigen::MatrixXd>& data) {
  Eigen::VectorXd mean(data.cols());
  const Index columns = data.cols();
#pragma omp parallel for schedule(static) if (data.size() > 200000)
  for (Index column = 0; column < columns; ++column) {
    // A constant column's mean is its value exactly (sum / n may round off it), so that centring
    // makes it exactly 0: constant features and targets then drop out exactly.
    if (data.rows() > 0 && (data.col(column).array() == data(0, column)).all()) {
      mean(column) = data(0, column);
    } else {
      mean(column) = data.col(column).mean();
    }
  }
  return mean;
}

Eigen::MatrixXd gram(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean, bool over_columns) {
  require_mean_size("gram", data, mean);
  const Index size = over_columns ? data.cols() : data.rows();
  const Index summed = over_columns ? data.rows() : data.cols();
  Eigen::MatrixXd result = Eigen::MatrixXd::Zero(size, size);
  const Index tiles = tile_count(size, tile_size);
  std::vector<std::pair<Index, Index>> upper;
  for (Index i = 0; i < tiles; ++i) {
    for (Index j = i; j < tiles; ++j) upper.emplace_back(i, j);
  }
  const auto pairs = static_cast<Index>(upper.size());
#pragma omp parallel for schedule(dynamic) if (work(size, size, summed) > 2 * parallel_work)
  for (Index pair = 0; pair < pairs; ++pair) {
    const Index first = upper[static_cast<std::size_t>(pair)].first * tile_size;
    const Index second = upper[static_cast<std::size_t>(pair)].second * tile_size;
    const Index first_size = std::min(tile_size, size - first), second_size = std::min(tile_size, size - second);
    Eigen::MatrixXd tile = Eigen::MatrixXd::Zero(first_size, second_size);
    Eigen::MatrixXd left_buffer, right_buffer;
    for (Index chunk = 0; chunk < summed; chunk += chunk_size) {
      const Index length = std::min(chunk_size, summed - chunk);
      if (over_columns) {
        const auto left = centred_block(data, mean, chunk, first, length, first_size, left_buffer);
        const auto right = centred_block(data, mean, chunk, second, length, second_size, right_buffer);
        tile.noalias() += left.transpose() * right;
      } else {
        const auto left = centred_block(data, mean, first, chunk, first_size, length, left_buffer);
        const auto right = centred_block(data, mean, second, chunk, second_size, length, right_buffer);
        tile.noalias() += left * right.transpose();
      }
    }
    result.block(first, second, first_size, second_size) = tile;
  }
  result.triangularView<Eigen::StrictlyLower>() = result.transpose();
  return result;
}

Eigen::MatrixXd times(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean,
                      const Eigen::Ref<const Eigen::MatrixXd>& right) {
  require_mean_size("times", data, mean);
  if (right.rows() != data.cols()) {
    throw std::invalid_argument("times: expected a right factor with " + std::to_string(data.cols()) + " rows, found " +
                                std::to_string(right.rows()));
  }
  const Index rows = data.rows(), columns = right.cols(), summed = data.cols();
  Eigen::MatrixXd result = Eigen::MatrixXd::Zero(rows, columns);
  const Index row_tiles = tile_count(rows, tile_size), column_tiles = tile_count(columns, tile_size);
#pragma omp parallel for schedule(dynamic) if (work(rows, columns, summed) > parallel_work)
  for (Index tile = 0; tile < row_tiles * column_tiles; ++tile) {
    const Index row = (tile / column_tiles) * tile_size, column = (tile % column_tiles) * tile_size;
    const Index height = std::min(tile_size, rows - row), width = std::min(tile_size, columns - column);
    Eigen::MatrixXd block = Eigen::MatrixXd::Zero(height, width);
    Eigen::MatrixXd buffer;
    for (Index chunk = 0; chunk < summed; chunk += chunk_size) {
      const Index length = std::min(chunk_size, summed - chunk);
      const auto left = centred_block(data, mean, row, chunk, height, length, buffer);
      block.noalias() += left * right.block(chunk, column, length, width);
    }
    result.block(row, column, height, width) = block;
  }
  return result;
}

Eigen::MatrixXd transpose_times(const Eigen::Ref<const Eigen::MatrixXd>& data, const Eigen::Ref<const Eigen::VectorXd>& mean,
                                const Eigen::Ref<const Eigen::MatrixXd>& right) {
  require_mean_size("transpose_times", data, mean);
  if (right.rows() != data.rows()) {
    throw std::invalid_argument("transpose_times: expected a right factor with " + std::to_string(data.rows()) +
                                " rows, found " + std::to_string(right.rows()));
  }
  const Index rows = data.cols(), columns = right.cols(), summed = data.rows();
  Eigen::MatrixXd result = Eigen::MatrixXd::Zero(rows, columns);
  const Index row_tiles = tile_count(rows, tile_size), column_tiles = tile_count(columns, tile_size);
#pragma omp parallel for schedule(dynamic) if (work(rows, columns, summed) > parallel_work)
  for (Index tile = 0; tile < row_tiles * column_tiles; ++tile) {
    const Index row = (tile / column_tiles) * tile_size, column = (tile % column_tiles) * tile_size;
    const Index height = std::min(tile_size, rows - row), width = std::min(tile_size, columns - column);
    Eigen::MatrixXd block = Eigen::MatrixXd::Zero(height, width);
    Eigen::MatrixXd buffer;
    for (Index chunk = 0; chunk < summed; chunk += chunk_size) {
      const Index length = std::min(chunk_size, summed - chunk);
      const auto left = centred_block(data, mean, chunk, row, length, height, buffer);
      block.noalias() += left.transpose() * right.block(chunk, column, length, width);
    }
    result.block(row, column, height, width) = block;
  }
  return result;
}

namespace {

struct PlaneRotation {
  Index column;  // rotates columns column and column + 1
  double cosine, sine;
};

/// Applies a sweep of rotations of consecutive columns (first, first + 1), (first + 1, first + 2), ...
/// to `group` rows (a compile-time count, so that the column carried from one rotation to the next
/// stays in registers) of a column-major block with leading dimension `height`.
template <int group>
void apply_sweep(double* data, Index height, const PlaneRotation* rotations, std::size_t count) {
  double* column = data + rotations[0].column * height;
  double carried[group];
  for (int i = 0; i < group; ++i) carried[i] = column[i];
  for (std::size_t r = 0; r < count; ++r) {
    const double c = rotations[r].cosine, s = rotations[r].sine;
    double* next = column + height;
    for (int i = 0; i < group; ++i) {
      const double a = carried[i], b = next[i];
      column[i] = c * a - s * b;
      carried[i] = s * a + c * b;
    }
    column = next;
  }
  for (int i = 0; i < group; ++i) column[i] = carried[i];
}

/// Q = Q * G for each rotation in order: (q_k, q_k+1) <- (c q_k - s q_k+1, s q_k + c q_k+1), as
/// Eigen's applyOnTheRight(k, k + 1, rotation). Rows are processed in fixed blocks that stay in cache
/// while every rotation of the batch is applied to them, the blocks in parallel; within a block, the
/// rotations of one QR sweep (consecutive columns) are applied to 8 rows at a time.
void apply_rotations(Eigen::MatrixXd& vectors, const std::vector<PlaneRotation>& rotations) {
  if (rotations.empty()) return;
  const Index size = vectors.rows(), columns = vectors.cols();
  // Block height: a multiple of 8 rows whose block (rows x columns) fits in about 1 MB of cache.
  const Index block_rows = std::max<Index>(8, std::min<Index>(64, (131072 / std::max<Index>(columns, 1)) / 8 * 8));
  const Index blocks = tile_count(size, block_rows);
  // Sweeps: maximal runs of rotations on consecutive columns.
  std::vector<std::size_t> sweep_starts{0};
  for (std::size_t r = 1; r < rotations.size(); ++r) {
    if (rotations[r].column != rotations[r - 1].column + 1) sweep_starts.push_back(r);
  }
  sweep_starts.push_back(rotations.size());
  const double total_work = static_cast<double>(rotations.size()) * static_cast<double>(size);
#pragma omp parallel for schedule(dynamic) if (total_work > parallel_work)
  for (Index block = 0; block < blocks; ++block) {
    const Index first = block * block_rows, height = std::min(block_rows, size - first);
    Eigen::MatrixXd rows = vectors.middleRows(first, height);  // contiguous columns of `height` values
    double* data = rows.data();
    for (std::size_t sweep = 0; sweep + 1 < sweep_starts.size(); ++sweep) {
      const PlaneRotation* sweep_rotations = rotations.data() + sweep_starts[sweep];
      const std::size_t count = sweep_starts[sweep + 1] - sweep_starts[sweep];
      Index row = 0;
      for (; row + 8 <= height; row += 8) apply_sweep<8>(data + row, height, sweep_rotations, count);
      for (; row < height; ++row) apply_sweep<1>(data + row, height, sweep_rotations, count);
    }
    vectors.middleRows(first, height) = rows;
  }
}

}  // namespace

SymmetricEigen symmetric_eigen_descending(const Eigen::Ref<const Eigen::MatrixXd>& symmetric) {
  // Eigen's SelfAdjointEigenSolver algorithm (scaling, Householder tridiagonalisation, implicit
  // symmetric QR steps with Wilkinson shifts, the same deflation test), except that the Givens
  // rotations are recorded and applied to the eigenvector matrix in cache-sized row blocks, in
  // parallel, instead of one at a time over whole columns (most of the time for large matrices).
  const Index size = symmetric.rows();
  if (symmetric.cols() != size) {
    throw std::invalid_argument("symmetric_eigen_descending: expected a square matrix, found " + std::to_string(size) + " x " +
                                std::to_string(symmetric.cols()));
  }
  SymmetricEigen result;
  if (size == 0) return result;
  Eigen::MatrixXd scaled = symmetric.triangularView<Eigen::Lower>();
  double scale = scaled.cwiseAbs().maxCoeff();
  if (scale == 0) scale = 1;
  scaled /= scale;
  Eigen::VectorXd diagonal(size), subdiagonal(std::max<Index>(size - 1, 0));
  {
    Eigen::Tridiagonalization<Eigen::MatrixXd> tridiagonal(scaled);
    diagonal = tridiagonal.diagonal();
    if (size > 1) subdiagonal = tridiagonal.subDiagonal();
    result.vectors = tridiagonal.matrixQ();
  }
  constexpr std::size_t batch = std::size_t{1} << 20;
  std::vector<PlaneRotation> rotations;
  rotations.reserve(std::min<std::size_t>(batch, static_cast<std::size_t>(size) * static_cast<std::size_t>(size)));
  const double considered_zero = std::numeric_limits<double>::min();
  const double precision_inverse = 1.0 / std::numeric_limits<double>::epsilon();
  const Index max_iterations = 30 * size;
  Index end = size - 1, start = 0, iterations = 0;
  while (end > 0) {
    for (Index i = start; i < end; ++i) {
      if (std::abs(subdiagonal(i)) < considered_zero) {
        subdiagonal(i) = 0;
      } else {
        const double scaled_subdiagonal = precision_inverse * subdiagonal(i);
        if (scaled_subdiagonal * scaled_subdiagonal <= std::abs(diagonal(i)) + std::abs(diagonal(i + 1))) subdiagonal(i) = 0;
      }
    }
    while (end > 0 && subdiagonal(end - 1) == 0) --end;
    if (end <= 0) break;
    if (++iterations > max_iterations) throw std::runtime_error("symmetric_eigen_descending: the QR iteration did not converge");
    start = end - 1;
    while (start > 0 && subdiagonal(start - 1) != 0) --start;
    // One implicit QR step with Wilkinson shift on rows/columns start..end (Eigen's tridiagonal_qr_step).
    const double td = (diagonal(end - 1) - diagonal(end)) * 0.5;
    const double e = subdiagonal(end - 1);
    double mu = diagonal(end);
    if (td == 0) {
      mu -= std::abs(e);
    } else if (e != 0) {
      const double e2 = e * e;
      const double h = std::hypot(td, e);
      mu -= e2 == 0 ? e / ((td + (td > 0 ? h : -h)) / e) : e2 / (td + (td > 0 ? h : -h));
    }
    double x = diagonal(start) - mu, z = subdiagonal(start);
    for (Index k = start; k < end && z != 0; ++k) {
      Eigen::JacobiRotation<double> rotation;
      rotation.makeGivens(x, z);
      const double c = rotation.c(), s = rotation.s();
      const double sdk = s * diagonal(k) + c * subdiagonal(k);
      const double dkp1 = s * subdiagonal(k) + c * diagonal(k + 1);
      diagonal(k) = c * (c * diagonal(k) - s * subdiagonal(k)) - s * (c * subdiagonal(k) - s * diagonal(k + 1));
      diagonal(k + 1) = s * sdk + c * dkp1;
      subdiagonal(k) = c * sdk - s * dkp1;
      if (k > start) subdiagonal(k - 1) = c * subdiagonal(k - 1) - s * z;
      x = subdiagonal(k);
      if (k < end - 1) {
        z = -s * subdiagonal(k + 1);
        subdiagonal(k + 1) = c * subdiagonal(k + 1);
      }
      rotations.push_back({k, c, s});
    }
    if (rotations.size() >= batch) {
      apply_rotations(result.vectors, rotations);
      rotations.clear();
    }
  }
  apply_rotations(result.vectors, rotations);
  // Descending order (a stable sort: equal eigenvalues keep their order).
  std::vector<Index> order(static_cast<std::size_t>(size));
  for (Index i = 0; i < size; ++i) order[static_cast<std::size_t>(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return diagonal(a) > diagonal(b); });
  result.values.resize(size);
  Eigen::MatrixXd sorted(size, size);
  for (Index i = 0; i < size; ++i) {
    result.values(i) = diagonal(order[static_cast<std::size_t>(i)]) * scale;
    sorted.col(i) = result.vectors.col(order[static_cast<std::size_t>(i)]);
  }
  result.vectors = std::move(sorted);
  return result;
}

Eigen::VectorXd make_largest_entry_positive(Eigen::Ref<Eigen::MatrixXd> columns) {
  Eigen::VectorXd signs = Eigen::VectorXd::Ones(columns.cols());
  for (Index column = 0; column < columns.cols(); ++column) {
    Index largest = 0;
    double largest_magnitude = -1;
    for (Index row = 0; row < columns.rows(); ++row) {
      const double magnitude = std::abs(columns(row, column));
      if (magnitude > largest_magnitude) {
        largest_magnitude = magnitude;
        largest = row;
      }
    }
    if (columns.rows() > 0 && columns(largest, column) < 0) {
      signs(column) = -1;
      columns.col(column) *= -1;
    }
  }
  return signs;
}

}  // namespace detail

namespace {

using Eigen::Index;

/// Sum over columns of the variance (ddof 1), two-pass per column; columns summed in order.
double total_variance_of(const Eigen::Ref<const Eigen::MatrixXd>& samples, const Eigen::VectorXd& mean) {
  const Index columns = samples.cols();
  Eigen::VectorXd variances(columns);
  const auto denominator = static_cast<double>(samples.rows() - 1);
#pragma omp parallel for schedule(static) if (samples.size() > 200000)
  for (Index column = 0; column < columns; ++column) {
    variances(column) = (samples.col(column).array() - mean(column)).square().sum() / denominator;
  }
  double total = 0;
  for (Index column = 0; column < columns; ++column) total += variances(column);
  return total;
}

/// Eigenvalues at or below this are taken as zero: the error of a Gram eigen-decomposition is about
/// size * eps * (largest eigenvalue).
double rank_tolerance(const Eigen::VectorXd& descending_values, Index size) {
  const double largest = descending_values.size() > 0 ? std::max(descending_values(0), 0.0) : 0.0;
  return largest * static_cast<double>(std::max<Index>(size, 1)) * std::numeric_limits<double>::epsilon() * 10.0;
}

/// Columns first.. of `basis` (features x k) replaced, where they are not trustworthy, by unit
/// vectors orthogonal to all columns before them (Gram-Schmidt twice; if a column is degenerate,
/// coordinate vectors in order are tried).
void complete_orthonormal(Eigen::MatrixXd& basis, Index first) {
  const Index dimension = basis.rows();
  Index next_coordinate = 0;
  for (Index column = first; column < basis.cols(); ++column) {
    Eigen::VectorXd candidate = basis.col(column);
    bool use_candidate = candidate.allFinite() && candidate.norm() > 0;
    for (;;) {
      if (!use_candidate) {
        if (next_coordinate >= dimension) throw std::logic_error("complete_orthonormal: no coordinate vector left");
        candidate = Eigen::VectorXd::Unit(dimension, next_coordinate++);
      }
      candidate.normalize();
      for (int pass = 0; pass < 2; ++pass) {
        const Eigen::VectorXd overlap = basis.leftCols(column).transpose() * candidate;
        candidate.noalias() -= basis.leftCols(column) * overlap;
      }
      const double remaining = candidate.norm();
      if (remaining > 0.1) {
        basis.col(column) = candidate / remaining;
        break;
      }
      use_candidate = false;
    }
  }
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& columns) {
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(columns);
  return qr.householderQ() * Eigen::MatrixXd::Identity(columns.rows(), columns.cols());
}

/// Fills explained variances (and zero tails) from Gram eigenvalues.
void set_variances(PrincipalComponents& result, const Eigen::VectorXd& values, double tolerance, Index components,
                   Index samples) {
  result.explained_variance.resize(components);
  for (Index j = 0; j < components; ++j) {
    result.explained_variance(j) = values(j) > tolerance ? values(j) / static_cast<double>(samples - 1) : 0.0;
  }
}

/// Right singular vectors from left ones: columns of (centred data)^T u_j / s_j, normalised; those
/// with s_j^2 <= tolerance are completed orthonormally.
Eigen::MatrixXd right_from_left(const Eigen::Ref<const Eigen::MatrixXd>& samples, const Eigen::VectorXd& mean,
                                const Eigen::MatrixXd& left, const Eigen::VectorXd& squared_singular_values, double tolerance) {
  Eigen::MatrixXd right = detail::transpose_times(samples, mean, left);
  Index first_degenerate = right.cols();
  for (Index j = 0; j < right.cols(); ++j) {
    if (squared_singular_values(j) <= tolerance) {
      first_degenerate = std::min(first_degenerate, j);
      continue;
    }
    const double norm = right.col(j).norm();
    if (norm > 0) right.col(j) /= norm;
  }
  complete_orthonormal(right, first_degenerate);
  return right;
}

PrincipalComponents fit_exact(const Eigen::Ref<const Eigen::MatrixXd>& samples, Index components, PrincipalComponents result) {
  const Index rows = samples.rows(), columns = samples.cols();
  if (rows >= columns) {
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(samples, result.mean, true));
    const double tolerance = rank_tolerance(eigen.values, columns);
    set_variances(result, eigen.values, tolerance, components, rows);
    result.components = eigen.vectors.leftCols(components);
  } else {
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(samples, result.mean, false));
    const double tolerance = rank_tolerance(eigen.values, rows);
    set_variances(result, eigen.values, tolerance, components, rows);
    result.components = right_from_left(samples, result.mean, eigen.vectors.leftCols(components), eigen.values.head(components), tolerance);
  }
  return result;
}

Eigen::MatrixXd gaussian_sketch(Index rows, Index columns, std::uint64_t seed) {
  Eigen::MatrixXd sketch(rows, columns);
#pragma omp parallel for schedule(static) if (rows * columns > 50000)
  for (Index column = 0; column < columns; ++column) {
    rsa::RandomStream stream(seed, static_cast<std::uint64_t>(column));
    for (Index row = 0; row < rows; ++row) sketch(row, column) = stream.normal();
  }
  return sketch;
}

PrincipalComponents fit_randomized(const Eigen::Ref<const Eigen::MatrixXd>& samples, Index components, Index sketch_size,
                                   const PcaOptions& options, PrincipalComponents result) {
  const Index rows = samples.rows(), columns = samples.cols();
  const Eigen::VectorXd& mean = result.mean;
  // Power iterations on the smaller side (its basis re-orthonormalised by Householder QR after every
  // pass): the same subspace as sklearn's randomized_range_finder, which normalises both sides.
  if (rows <= columns) {
    Eigen::MatrixXd basis = orthonormal_basis(detail::times(samples, mean, gaussian_sketch(columns, sketch_size, options.seed)));
    for (int iteration = 0; iteration < options.power_iterations; ++iteration) {
      basis = orthonormal_basis(detail::times(samples, mean, detail::transpose_times(samples, mean, basis)));
    }
    const Eigen::MatrixXd projected = detail::transpose_times(samples, mean, basis);  // features x sketch: (Q^T X)^T
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(projected, Eigen::VectorXd(), true));
    const double tolerance = rank_tolerance(eigen.values, sketch_size);
    set_variances(result, eigen.values, tolerance, components, rows);
    Eigen::MatrixXd right = projected * eigen.vectors.leftCols(components);
    Index first_degenerate = components;
    for (Index j = 0; j < components; ++j) {
      if (eigen.values(j) <= tolerance) {
        first_degenerate = std::min(first_degenerate, j);
      } else {
        right.col(j).normalize();
      }
    }
    complete_orthonormal(right, first_degenerate);
    result.components = std::move(right);
  } else {
    Eigen::MatrixXd basis = orthonormal_basis(detail::transpose_times(samples, mean, gaussian_sketch(rows, sketch_size, options.seed)));
    for (int iteration = 0; iteration < options.power_iterations; ++iteration) {
      basis = orthonormal_basis(detail::transpose_times(samples, mean, detail::times(samples, mean, basis)));
    }
    const Eigen::MatrixXd projected = detail::times(samples, mean, basis);  // samples x sketch: X Q
    const detail::SymmetricEigen eigen = detail::symmetric_eigen_descending(detail::gram(projected, Eigen::VectorXd(), true));
    const double tolerance = rank_tolerance(eigen.values, sketch_size);
    set_variances(result, eigen.values, tolerance, components, rows);
    result.components = basis * eigen.vectors.leftCols(components);
  }
  return result;
}

}  // namespace

PrincipalComponents fit_pca(const Eigen::Ref<const Eigen::MatrixXd>& samples, const PcaOptions& options) {
  detail::require_finite_nonempty("fit_pca", "samples", samples);
  const Index rows = samples.rows(), columns = samples.cols();
  if (rows < 2) throw std::invalid_argument("fit_pca: expected at least 2 samples (rows), found " + std::to_string(rows));
  const Index largest = std::min(rows, columns);
  if (options.components < 0 || options.components > largest) {
    throw std::invalid_argument("fit_pca: expected components in 0..min(samples, features) = 0.." + std::to_string(largest) +
                                ", found " + std::to_string(options.components));
  }
  if (options.oversamples < 0) {
    throw std::invalid_argument("fit_pca: expected oversamples >= 0, found " + std::to_string(options.oversamples));
  }
  if (options.power_iterations < 0) {
    throw std::invalid_argument("fit_pca: expected power_iterations >= 0, found " + std::to_string(options.power_iterations));
  }
  const Index components = options.components == 0 ? largest : options.components;

  PrincipalComponents result;
  result.mean = detail::column_means(samples);
  result.total_variance = total_variance_of(samples, result.mean);
  const Index sketch_size = components + options.oversamples;
  if (options.solver == PcaSolver::randomized && sketch_size < largest) {
    result = fit_randomized(samples, components, sketch_size, options, std::move(result));
  } else {
    result = fit_exact(samples, components, std::move(result));
  }
  detail::make_largest_entry_positive(result.components);
  result.explained_variance_ratio = result.total_variance > 0
                                        ? Eigen::VectorXd(result.explained_variance / result.total_variance)
                                        : Eigen::VectorXd::Zero(components);
  return result;
}

Eigen::MatrixXd project(const PrincipalComponents& pca, const Eigen::Ref<const Eigen::MatrixXd>& samples) {
  detail::require_finite_nonempty("project", "samples", samples);
  if (samples.cols() != pca.mean.size() || pca.components.rows() != pca.mean.size()) {
    throw std::invalid_argument("project: expected samples with the fit's " + std::to_string(pca.mean.size()) +
                                " features (columns), found " + std::to_string(samples.cols()));
  }
  return detail::times(samples, pca.mean, pca.components);
}

}  // namespace visalign::encoding
