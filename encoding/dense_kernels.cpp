#include "encoding/dense_kernels.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/Jacobi>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace visalign::encoding {

namespace detail {

namespace {

using Eigen::Index;

// Output tiles (computed whole by one thread) and the chunks of the summed dimension (added into a
// tile in this order): fixed sizes, so the rounding is the same for any number of threads.
constexpr Index tile_size = 256;
constexpr Index column_tile_size = 1024;  // columns of the right factor per tile of times / transpose_times
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

void require_regression_inputs(const char* function, const Eigen::Ref<const Eigen::MatrixXd>& features,
                               const Eigen::Ref<const Eigen::MatrixXd>& targets) {
  require_finite_nonempty(function, "features", features);
  require_finite_nonempty(function, "targets", targets);
  if (features.rows() != targets.rows()) {
    auto shape = [](const Eigen::Ref<const Eigen::MatrixXd>& m) { return std::to_string(m.rows()) + " x " + std::to_string(m.cols()); };
    throw std::invalid_argument(std::string(function) + ": expected one row per sample in features (" + shape(features) +
                                ") and targets, found targets " + shape(targets));
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
  const bool parallel = work(size, size, summed) > 2 * parallel_work;
  // The summed dimension is taken in chunks, each centred once into `buffer` (at most about 4M
  // values), and every upper tile adds the chunk's product; the order of the sums depends on the
  // sizes only.
  const Index length_limit = std::max<Index>(256, std::min<Index>(chunk_size, (Index{1} << 22) / std::max<Index>(size, 1)));
  Eigen::MatrixXd buffer;
  for (Index chunk = 0; chunk < summed; chunk += length_limit) {
    const Index length = std::min(length_limit, summed - chunk);
    if (over_columns) {
      buffer = data.middleRows(chunk, length);  // length x size
      if (mean.size() > 0) buffer.rowwise() -= mean.transpose();
    } else {
      buffer = data.middleCols(chunk, length);  // size x length
      if (mean.size() > 0) buffer.rowwise() -= mean.segment(chunk, length).transpose();
    }
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (Index pair = 0; pair < pairs; ++pair) {
      const Index first = upper[static_cast<std::size_t>(pair)].first * tile_size;
      const Index second = upper[static_cast<std::size_t>(pair)].second * tile_size;
      const Index first_size = std::min(tile_size, size - first), second_size = std::min(tile_size, size - second);
      auto tile = result.block(first, second, first_size, second_size);
      if (over_columns) {
        tile.noalias() += buffer.middleCols(first, first_size).transpose() * buffer.middleCols(second, second_size);
      } else {
        tile.noalias() += buffer.middleRows(first, first_size) * buffer.middleRows(second, second_size).transpose();
      }
    }
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
  const Index row_tiles = tile_count(rows, tile_size), column_tiles = tile_count(columns, column_tile_size);
#pragma omp parallel for schedule(dynamic) if (work(rows, columns, summed) > parallel_work)
  for (Index tile = 0; tile < row_tiles * column_tiles; ++tile) {
    const Index row = (tile / column_tiles) * tile_size, column = (tile % column_tiles) * column_tile_size;
    const Index height = std::min(tile_size, rows - row), width = std::min(column_tile_size, columns - column);
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
  const Index row_tiles = tile_count(rows, tile_size), column_tiles = tile_count(columns, column_tile_size);
#pragma omp parallel for schedule(dynamic) if (work(rows, columns, summed) > parallel_work)
  for (Index tile = 0; tile < row_tiles * column_tiles; ++tile) {
    const Index row = (tile / column_tiles) * tile_size, column = (tile % column_tiles) * column_tile_size;
    const Index height = std::min(tile_size, rows - row), width = std::min(column_tile_size, columns - column);
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
  using Rows = Eigen::Array<double, group, 1>;
  double* column = data + rotations[0].column * height;
  Rows carried = Eigen::Map<const Rows>(column);
  for (std::size_t r = 0; r < count; ++r) {
    const double c = rotations[r].cosine, s = rotations[r].sine;
    double* next = column + height;
    const Rows a = carried, b = Eigen::Map<const Rows>(next);
    Eigen::Map<Rows> target(column);
    target = c * a - s * b;
    carried = s * a + c * b;
    column = next;
  }
  Eigen::Map<Rows> last(column);
  last = carried;
}

/// Q = Q * G for each rotation in order: (q_k, q_k+1) <- (c q_k - s q_k+1, s q_k + c q_k+1), as
/// Eigen's applyOnTheRight(k, k + 1, rotation). Rows are processed in fixed blocks that stay in cache
/// while every rotation of the batch is applied to them, the blocks in parallel; within a block, the
/// rotations of one QR sweep (consecutive columns) are applied to 32 rows at a time (independent
/// dependency chains for the carried column).
void apply_rotations(Eigen::MatrixXd& vectors, const std::vector<PlaneRotation>& rotations) {
  if (rotations.empty()) return;
  const Index size = vectors.rows(), columns = vectors.cols();
  // Block height: a multiple of 32 rows whose block (rows x columns) fits in about 1 MB of cache.
  const Index block_rows = std::max<Index>(32, std::min<Index>(128, (131072 / std::max<Index>(columns, 1)) / 32 * 32));
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
      for (; row + 32 <= height; row += 32) apply_sweep<32>(data + row, height, sweep_rotations, count);
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

}  // namespace visalign::encoding
