#include "encoding/matching_pursuit.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace visalign::encoding {

namespace {

// Tiles of the correlation pass: feature columns x tasks (a 2048 x 256 float tile is 2 MB, and
// stays in a core's L2 cache while it is scanned).
constexpr Eigen::Index feature_block_size = 2048;
constexpr Eigen::Index task_block_size = 256;
// Tasks run together at most this many at a time (bounds the per-task QR factors in memory).
constexpr std::size_t task_chunk_size = 4096;
// Candidates kept per task beyond those the choice needs: the float screening ranks them, the
// exact double correlations decide.
constexpr int screening_margin = 8;
// Columns tested together (vectorized) before the scalar insertion into a task's list.
constexpr Eigen::Index scan_chunk = 64;
// A correlation counts as zero when |<r, x_j>| <= this * ||x_j|| * ||y||.
constexpr double zero_correlation = 1e-12;
// Below these sizes loops run on the calling thread: starting threads for a few microseconds of
// work costs more than it saves (and much more on a loaded machine, where a spinning thread waits
// for a descheduled one).
constexpr Eigen::Index parallel_work = Eigen::Index{1} << 22;  // multiply-adds
constexpr std::size_t parallel_tasks = 64;

struct Candidate {
  float value;
  std::int32_t index;
};

/// The total order of candidates: larger value first, then smaller index. Top-k lists under a
/// total order merge to the same result in any order, so the screening is thread-count independent.
inline bool better(float value, std::int32_t index, const Candidate& other) {
  return value > other.value || (value == other.value && index < other.index);
}

inline bool better(const Candidate& a, const Candidate& b) { return better(a.value, a.index, b); }

/// Inserts into a sorted list (best first) of `capacity` entries; the caller has checked that the
/// candidate belongs there.
inline void insert_candidate(Candidate* list, int& count, int capacity, float value, std::int32_t index) {
  int position = count < capacity ? count : capacity - 1;
  if (count < capacity) ++count;
  while (position > 0 && better(value, index, list[position - 1])) {
    list[position] = list[position - 1];
    --position;
  }
  list[position] = {value, index};
}

struct ExactCandidate {
  double magnitude;  // |u_j|
  std::int32_t index;
};

inline bool better_exact(const ExactCandidate& a, const ExactCandidate& b) {
  return a.magnitude > b.magnitude || (a.magnitude == b.magnitude && a.index < b.index);
}

std::string where_prefix(const char* function, const char* argument) { return std::string(function) + ": " + argument + ": "; }

template <typename Matrix>
void require_finite(const char* function, const char* argument, const char* column_noun, const Matrix& values) {
  const Eigen::Index rows = values.rows(), columns = values.cols();
  if (rows == 0 || columns == 0) return;
  constexpr Eigen::Index block = 4096;
  const Eigen::Index blocks = (columns + block - 1) / block;
  std::vector<Eigen::Index> first_bad(static_cast<std::size_t>(blocks), -1);
  std::vector<Eigen::Index> bad_count(static_cast<std::size_t>(blocks), 0);
#pragma omp parallel for schedule(dynamic, 1) if (rows * columns >= parallel_work)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Eigen::Index begin = b * block, end = std::min(columns, begin + block);
    Eigen::Index first = -1, count = 0;
    for (Eigen::Index j = begin; j < end; ++j) {
      for (Eigen::Index i = 0; i < rows; ++i) {
        if (!std::isfinite(values(i, j))) {
          if (first < 0) first = j * rows + i;
          ++count;
        }
      }
    }
    first_bad[static_cast<std::size_t>(b)] = first;
    bad_count[static_cast<std::size_t>(b)] = count;
  }
  Eigen::Index total = 0, first = -1;
  for (Eigen::Index b = 0; b < blocks; ++b) {
    total += bad_count[static_cast<std::size_t>(b)];
    if (first < 0) first = first_bad[static_cast<std::size_t>(b)];
  }
  if (total == 0) return;
  const Eigen::Index sample = first % rows, column = first / rows;
  const double value = static_cast<double>(values(sample, column));
  throw std::invalid_argument(where_prefix(function, argument) + "expected finite values, found " + std::to_string(total) +
                              " NaN/infinite value" + (total == 1 ? "" : "s") + " (first: " + (std::isnan(value) ? "NaN" : "inf") +
                              " at sample " + std::to_string(sample) + ", " + column_noun + " " + std::to_string(column) + ")");
}

void validate_options(const char* function, const PursuitOptions& options) {
  if (!(options.residual_tolerance >= 0)) {
    throw std::invalid_argument(where_prefix(function, "residual_tolerance") + "expected a value >= 0, found " +
                                std::to_string(options.residual_tolerance));
  }
}

void validate_sparsity(const char* function, int sparsity, Eigen::Index training_samples, const std::string& context) {
  if (sparsity < 1) {
    throw std::invalid_argument(where_prefix(function, "sparsity") + "expected a sparsity >= 1, found " + std::to_string(sparsity) + context);
  }
  if (sparsity > training_samples) {
    throw std::invalid_argument(where_prefix(function, "sparsity") + "expected at most the number of training samples (" +
                                std::to_string(training_samples) + "), found " + std::to_string(sparsity) + context);
  }
}

void validate_design(const char* function, const Eigen::Ref<const Eigen::MatrixXf>& features, Eigen::Index target_rows) {
  if (features.rows() != target_rows) {
    throw std::invalid_argument(where_prefix(function, "features") + "expected as many rows (samples) as the targets have (" +
                                std::to_string(target_rows) + "), found " + std::to_string(features.rows()));
  }
  if (features.cols() >= std::numeric_limits<std::int32_t>::max()) {
    throw std::invalid_argument(where_prefix(function, "features") + "expected fewer than 2^31 - 1 columns, found " +
                                std::to_string(features.cols()));
  }
}

/// Per-task state of a pursuit (all vectors over all samples; the held-out row is 0).
struct TaskState {
  Eigen::Index target = 0;
  Eigen::Index held_out = -1;
  int sparsity = 1;
  int capacity = 0;            // most columns the support can hold
  Eigen::VectorXd y;           // masked target
  Eigen::VectorXd residual;    // masked residual
  double target_norm = 0;
  Eigen::MatrixXd q;           // samples x capacity: orthonormal basis of the support columns
  Eigen::MatrixXd r;           // capacity x capacity: upper triangular, support columns = q r
  Eigen::VectorXd projections;  // q^T y
  SparseModel model;
  bool done = false;
  std::vector<HeldOutPathPoint> path;
};

/// The engine: a design shared by all tasks, its column norms, and the options.
class PursuitEngine {
 public:
  PursuitEngine(const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                const PursuitOptions& options)
      : features_(features), targets_(targets), options_(options), samples_(features.rows()), columns_(features.cols()) {
    squared_norms_.resize(static_cast<std::size_t>(columns_));
    inverse_norms_.resize(static_cast<std::size_t>(columns_));
#pragma omp parallel for schedule(static) if (samples_ * columns_ >= parallel_work)
    for (Eigen::Index j = 0; j < columns_; ++j) {
      const double squared = squared_norm(j, -1);
      squared_norms_[static_cast<std::size_t>(j)] = squared;
      inverse_norms_[static_cast<std::size_t>(j)] = selection_weight(squared);
    }
  }

  void run(std::vector<TaskState>& states, const std::function<void(std::size_t)>& finished);

 private:
  /// Sum of squares of column j over the samples other than `held_out` (sequential, in double).
  double squared_norm(Eigen::Index j, Eigen::Index held_out) const {
    const float* column = features_.col(j).data();
    double sum = 0;
    for (Eigen::Index i = 0; i < samples_; ++i) {
      if (i == held_out) continue;
      const double value = column[i];
      sum += value * value;
    }
    return sum;
  }

  /// The factor that turns a correlation into the selection value: 1/||x_j|| or 1; 0 for a zero column.
  float selection_weight(double squared) const {
    if (!(squared > 0)) return 0.f;
    return options_.normalize_columns ? static_cast<float>(1.0 / std::sqrt(squared)) : 1.f;
  }

  int screening_capacity(const TaskState& state) const {
    return (options_.method == PursuitMethod::omp ? 1 : state.sparsity) + screening_margin;
  }

  void fill_atom(std::int32_t atom, Eigen::Index held_out, double* values) const {
    if (atom == columns_) {
      for (Eigen::Index i = 0; i < samples_; ++i) values[i] = 1.0;
    } else {
      const float* column = features_.col(atom).data();
      for (Eigen::Index i = 0; i < samples_; ++i) values[i] = column[i];
    }
    if (held_out >= 0) values[held_out] = 0.0;
  }

  void screen(const std::vector<TaskState*>& active, std::vector<std::vector<Candidate>>& lists) const;
  void step(TaskState& state, const std::vector<Candidate>& screened) const;
  bool add_atom(TaskState& state, std::int32_t atom, std::vector<double>& scratch) const;
  void refit(TaskState& state, std::vector<double>& scratch) const;
  void finish_iteration(TaskState& state) const;

  const Eigen::Ref<const Eigen::MatrixXf>& features_;
  const Eigen::Ref<const Eigen::MatrixXd>& targets_;
  const PursuitOptions& options_;
  Eigen::Index samples_, columns_;
  std::vector<double> squared_norms_;
  std::vector<float> inverse_norms_;
};

/// The float screening: for every active task, its best `screening_capacity` columns by
/// |<r, x_j>| * weight_j, from blocked products features^T * residuals.
void PursuitEngine::screen(const std::vector<TaskState*>& active, std::vector<std::vector<Candidate>>& lists) const {
  const auto task_count = static_cast<Eigen::Index>(active.size());
  lists.assign(active.size(), {});
  if (columns_ == 0 || task_count == 0) return;

  // Residuals as float, each scaled to a largest magnitude of 1 (the choice is scale-free).
  Eigen::MatrixXf residuals(samples_, task_count);
  for (Eigen::Index t = 0; t < task_count; ++t) {
    const Eigen::VectorXd& residual = active[static_cast<std::size_t>(t)]->residual;
    const double largest = residual.cwiseAbs().maxCoeff();
    const double scale = largest > 0 ? 1.0 / largest : 0.0;
    for (Eigen::Index i = 0; i < samples_; ++i) residuals(i, t) = static_cast<float>(residual(i) * scale);
  }

  std::vector<std::size_t> offsets(active.size() + 1, 0);
  std::vector<int> capacities(active.size());
  for (std::size_t t = 0; t < active.size(); ++t) {
    capacities[t] = screening_capacity(*active[t]);
    offsets[t + 1] = offsets[t] + static_cast<std::size_t>(capacities[t]);
  }

  const Eigen::Index feature_blocks = (columns_ + feature_block_size - 1) / feature_block_size;
  const Eigen::Index task_blocks = (task_count + task_block_size - 1) / task_block_size;
  const Eigen::Index tiles = feature_blocks * task_blocks;
  const int threads = omp_get_max_threads();
  std::vector<std::vector<Candidate>> thread_lists(static_cast<std::size_t>(threads));
  std::vector<std::vector<int>> thread_counts(static_cast<std::size_t>(threads));

#pragma omp parallel if (tiles > 1 && samples_ * columns_ * task_count >= parallel_work)
  {
    const auto thread = static_cast<std::size_t>(omp_get_thread_num());
    std::vector<Candidate>& found = thread_lists[thread];
    std::vector<int>& counts = thread_counts[thread];
    found.assign(offsets.back(), Candidate{0.f, 0});
    counts.assign(active.size(), 0);
    std::vector<float> products(static_cast<std::size_t>(feature_block_size * std::min(task_block_size, task_count)));
    std::vector<float> fold_weights(static_cast<std::size_t>(feature_block_size));

#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index tile = 0; tile < tiles; ++tile) {
      const Eigen::Index feature_block = tile / task_blocks, task_block = tile % task_blocks;
      const Eigen::Index first_column = feature_block * feature_block_size;
      const Eigen::Index block_columns = std::min(feature_block_size, columns_ - first_column);
      const Eigen::Index first_task = task_block * task_block_size;
      const Eigen::Index block_tasks = std::min(task_block_size, task_count - first_task);
      Eigen::Map<Eigen::MatrixXf> correlations(products.data(), block_columns, block_tasks);
      correlations.noalias() =
          features_.middleCols(first_column, block_columns).transpose() * residuals.middleCols(first_task, block_tasks);

      Eigen::Index weights_fold = -2;  // the held-out sample fold_weights were made for
      for (Eigen::Index local = 0; local < block_tasks; ++local) {
        const auto t = static_cast<std::size_t>(first_task + local);
        const TaskState& state = *active[t];
        float* column = correlations.col(local).data();
        // Columns already in the support never compete.
        for (const std::int32_t atom : state.model.support) {
          if (atom >= first_column && atom < first_column + block_columns) column[atom - first_column] = 0.f;
        }
        const float* weights = inverse_norms_.data() + first_column;
        if (state.held_out >= 0) {
          if (weights_fold != state.held_out) {
            weights_fold = state.held_out;
            for (Eigen::Index j = 0; j < block_columns; ++j) {
              const Eigen::Index feature = first_column + j;
              const double all = squared_norms_[static_cast<std::size_t>(feature)];
              const double left_out = static_cast<double>(features_(state.held_out, feature));
              double squared = all - left_out * left_out;
              if (squared < 1e-4 * all) squared = squared_norm(feature, state.held_out);  // cancellation: recompute
              fold_weights[static_cast<std::size_t>(j)] = selection_weight(squared);
            }
          }
          weights = fold_weights.data();
        }
        Candidate* list = found.data() + offsets[t];
        int& count = counts[t];
        const int capacity = capacities[t];
        float threshold = count == capacity ? list[capacity - 1].value : 0.f;
        for (Eigen::Index chunk = 0; chunk < block_columns; chunk += scan_chunk) {
          const Eigen::Index chunk_end = std::min(block_columns, chunk + scan_chunk);
          // A vectorized test first: most chunks hold nothing that can enter the list.
          int reaches = 0;
          for (Eigen::Index j = chunk; j < chunk_end; ++j) reaches |= static_cast<int>(std::abs(column[j]) * weights[j] >= threshold);
          if (reaches == 0) continue;
          for (Eigen::Index j = chunk; j < chunk_end; ++j) {
            const float value = std::abs(column[j]) * weights[j];
            if (value < threshold || !(value > 0.f)) continue;
            const auto index = static_cast<std::int32_t>(first_column + j);
            if (count == capacity && !better(value, index, list[capacity - 1])) continue;
            insert_candidate(list, count, capacity, value, index);
            if (count == capacity) threshold = list[capacity - 1].value;
          }
        }
      }
    }
  }

  // Merge the threads' lists: the best `capacity` of their union (a total order: any merge order
  // gives the same list).
#pragma omp parallel for schedule(dynamic, 64) if (active.size() >= parallel_tasks * 8)
  for (std::size_t t = 0; t < active.size(); ++t) {
    std::vector<Candidate>& merged = lists[t];
    for (std::size_t thread = 0; thread < thread_lists.size(); ++thread) {
      if (thread_lists[thread].empty()) continue;
      const Candidate* list = thread_lists[thread].data() + offsets[t];
      merged.insert(merged.end(), list, list + thread_counts[thread][t]);
    }
    std::sort(merged.begin(), merged.end(), [](const Candidate& a, const Candidate& b) { return better(a, b); });
    if (merged.size() > static_cast<std::size_t>(capacities[t])) merged.resize(static_cast<std::size_t>(capacities[t]));
  }
}

/// Adds column `atom` to the support's QR factors (classical Gram-Schmidt, twice); false (and
/// nothing changed) when it is linearly dependent on the support.
bool PursuitEngine::add_atom(TaskState& state, std::int32_t atom, std::vector<double>& scratch) const {
  const auto m = static_cast<Eigen::Index>(state.model.support.size());
  const Eigen::Index training = state.held_out >= 0 ? samples_ - 1 : samples_;
  if (m >= state.capacity || m >= training) return false;
  scratch.resize(static_cast<std::size_t>(2 * samples_ + m));
  double* a = scratch.data();
  double* v = a + samples_;
  double* h = v + samples_;
  fill_atom(atom, state.held_out, a);
  double a_squared = 0;
  for (Eigen::Index i = 0; i < samples_; ++i) a_squared += a[i] * a[i];
  if (!(a_squared > 0)) return false;
  std::copy(a, a + samples_, v);
  for (Eigen::Index k = 0; k < m; ++k) state.r(k, m) = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (Eigen::Index k = 0; k < m; ++k) {
      const double* q = state.q.col(k).data();
      double dot = 0;
      for (Eigen::Index i = 0; i < samples_; ++i) dot += q[i] * v[i];
      h[k] = dot;
    }
    for (Eigen::Index k = 0; k < m; ++k) {
      const double* q = state.q.col(k).data();
      for (Eigen::Index i = 0; i < samples_; ++i) v[i] -= h[k] * q[i];
      state.r(k, m) += h[k];
    }
  }
  double v_squared = 0;
  for (Eigen::Index i = 0; i < samples_; ++i) v_squared += v[i] * v[i];
  if (v_squared <= std::numeric_limits<double>::epsilon() * a_squared) return false;  // sklearn's dependence criterion
  const double diagonal = std::sqrt(v_squared);
  double* q = state.q.col(m).data();
  double projection = 0;
  for (Eigen::Index i = 0; i < samples_; ++i) {
    q[i] = v[i] / diagonal;
    projection += q[i] * state.y(i);
  }
  state.r(m, m) = diagonal;
  state.projections(m) = projection;
  state.model.support.push_back(atom);
  return true;
}

/// Least-squares weights on the support (R w = Q^T y) and the residual y - X_S w.
void PursuitEngine::refit(TaskState& state, std::vector<double>& scratch) const {
  const auto m = static_cast<Eigen::Index>(state.model.support.size());
  Eigen::VectorXd& w = state.model.coefficients;
  w.resize(m);
  for (Eigen::Index k = m - 1; k >= 0; --k) {
    double value = state.projections(k);
    for (Eigen::Index l = k + 1; l < m; ++l) value -= state.r(k, l) * w(l);
    w(k) = value / state.r(k, k);
  }
  scratch.resize(static_cast<std::size_t>(samples_));
  state.residual = state.y;
  for (Eigen::Index k = 0; k < m; ++k) {
    fill_atom(state.model.support[static_cast<std::size_t>(k)], state.held_out, scratch.data());
    for (Eigen::Index i = 0; i < samples_; ++i) state.residual(i) -= w(k) * scratch[static_cast<std::size_t>(i)];
  }
  double squared = 0;
  for (Eigen::Index i = 0; i < samples_; ++i) squared += state.residual(i) * state.residual(i);
  state.model.residual_norm = std::sqrt(squared);
}

void PursuitEngine::finish_iteration(TaskState& state) const {
  ++state.model.iterations;
  if (state.held_out >= 0) {
    double prediction = 0;
    for (std::size_t k = 0; k < state.model.support.size(); ++k) {
      const std::int32_t atom = state.model.support[k];
      const double value = atom == columns_ ? 1.0 : static_cast<double>(features_(state.held_out, atom));
      prediction += state.model.coefficients(static_cast<Eigen::Index>(k)) * value;
    }
    state.path.push_back({static_cast<int>(state.model.support.size()), prediction});
  }
  const auto size = static_cast<int>(state.model.support.size());
  if (state.model.residual_norm <= options_.residual_tolerance * state.target_norm) {
    state.model.stop = PursuitStop::residual_tolerance;
    state.done = true;
  } else if (options_.method == PursuitMethod::omp || options_.romp_halting == RompHalting::support_size) {
    if (size >= state.sparsity) {
      state.model.stop = PursuitStop::sparsity_reached;
      state.done = true;
    }
  } else if (size >= 2 * state.sparsity) {
    state.model.stop = PursuitStop::support_limit;
    state.done = true;
  } else if (state.model.iterations >= state.sparsity) {
    state.model.stop = PursuitStop::sparsity_reached;
    state.done = true;
  }
}

/// One iteration of one task: exact correlations of the screened candidates (and the constant
/// column), the OMP or ROMP choice, the QR update and the refit.
void PursuitEngine::step(TaskState& state, const std::vector<Candidate>& screened) const {
  std::vector<ExactCandidate> exact;
  exact.reserve(screened.size() + 1);
  const double* residual = state.residual.data();
  const auto consider = [&](std::int32_t atom) {
    double correlation = 0, squared = 0;
    if (atom == columns_) {
      for (Eigen::Index i = 0; i < samples_; ++i) correlation += residual[i];
      squared = static_cast<double>(state.held_out >= 0 ? samples_ - 1 : samples_);
    } else {
      const float* column = features_.col(atom).data();
      for (Eigen::Index i = 0; i < samples_; ++i) {
        if (i == state.held_out) continue;
        correlation += static_cast<double>(column[i]) * residual[i];
      }
      squared = state.held_out >= 0 ? squared_norm(atom, state.held_out) : squared_norms_[static_cast<std::size_t>(atom)];
    }
    if (!(squared > 0)) return;
    const double norm = std::sqrt(squared);
    if (!(std::abs(correlation) > zero_correlation * norm * state.target_norm)) return;
    exact.push_back({options_.normalize_columns ? std::abs(correlation) / norm : std::abs(correlation), atom});
  };
  for (const Candidate& candidate : screened) consider(candidate.index);
  if (options_.constant_column &&
      std::find(state.model.support.begin(), state.model.support.end(), static_cast<std::int32_t>(columns_)) == state.model.support.end()) {
    consider(static_cast<std::int32_t>(columns_));
  }
  std::sort(exact.begin(), exact.end(), better_exact);

  std::vector<double> scratch;
  std::size_t added = 0;
  if (options_.method == PursuitMethod::omp) {
    if (!exact.empty() && add_atom(state, exact.front().index, scratch)) added = 1;
  } else {
    const std::size_t j_size = std::min(exact.size(), static_cast<std::size_t>(state.sparsity));
    std::vector<double> magnitudes(j_size);
    for (std::size_t k = 0; k < j_size; ++k) magnitudes[k] = exact[k].magnitude;
    const ComparableRun run = maximal_energy_comparable_run(magnitudes);
    std::size_t length = run.length;
    if (options_.romp_halting == RompHalting::published) {
      const std::size_t room = static_cast<std::size_t>(2 * state.sparsity) - state.model.support.size();
      length = std::min(length, room);
    }
    for (std::size_t k = run.first; k < run.first + length; ++k) {
      if (add_atom(state, exact[k].index, scratch)) ++added;
    }
  }
  if (added == 0) {
    state.model.stop = PursuitStop::no_candidates;
    state.done = true;
    return;
  }
  refit(state, scratch);
  finish_iteration(state);
}

void PursuitEngine::run(std::vector<TaskState>& states, const std::function<void(std::size_t)>& finished) {
  // Start: masked targets, the tolerance check before any iteration.
  for (TaskState& state : states) {
    state.y = targets_.col(state.target);
    if (state.held_out >= 0) state.y(state.held_out) = 0;
    double squared = 0;
    for (Eigen::Index i = 0; i < samples_; ++i) squared += state.y(i) * state.y(i);
    state.target_norm = std::sqrt(squared);
    state.residual = state.y;
    state.model.residual_norm = state.target_norm;
    state.model.coefficients.resize(0);
    const int largest_support = options_.method == PursuitMethod::omp ? state.sparsity
                                : options_.romp_halting == RompHalting::published ? 2 * state.sparsity
                                                                                   : 2 * state.sparsity - 1;
    const Eigen::Index training = state.held_out >= 0 ? samples_ - 1 : samples_;
    state.capacity = static_cast<int>(std::min<Eigen::Index>(largest_support, training));
    state.q.resize(samples_, state.capacity);
    state.r = Eigen::MatrixXd::Zero(state.capacity, state.capacity);
    state.projections = Eigen::VectorXd::Zero(state.capacity);
    if (state.held_out >= 0) state.path.push_back({0, 0.0});
    if (state.target_norm <= options_.residual_tolerance * state.target_norm) {
      state.model.stop = PursuitStop::residual_tolerance;
      state.done = true;
    }
  }
  std::size_t done = 0;
  for (const TaskState& state : states) done += state.done ? 1 : 0;
  if (done > 0) finished(done);

  std::vector<TaskState*> active;
  std::vector<std::vector<Candidate>> lists;
  while (true) {
    active.clear();
    for (TaskState& state : states) {
      if (!state.done) active.push_back(&state);
    }
    if (active.empty()) break;
    // Tasks of one held-out sample side by side (one set of fold norms per tile).
    std::stable_sort(active.begin(), active.end(), [](const TaskState* a, const TaskState* b) { return a->held_out < b->held_out; });
    screen(active, lists);
#pragma omp parallel for schedule(dynamic, 16) if (active.size() >= parallel_tasks)
    for (std::size_t t = 0; t < active.size(); ++t) step(*active[t], lists[t]);
    std::size_t now_done = 0;
    for (const TaskState* state : active) now_done += state->done ? 1 : 0;
    if (now_done > 0) finished(now_done);
  }
}

}  // namespace

PursuitMethod parse_pursuit_method(const std::string& name) {
  if (name == "omp") return PursuitMethod::omp;
  if (name == "romp") return PursuitMethod::romp;
  throw std::invalid_argument("pursuit method: expected \"omp\" or \"romp\", found \"" + name + "\"");
}

std::string pursuit_method_name(PursuitMethod method) { return method == PursuitMethod::omp ? "omp" : "romp"; }

std::string pursuit_stop_name(PursuitStop stop) {
  switch (stop) {
    case PursuitStop::sparsity_reached:
      return "sparsity_reached";
    case PursuitStop::support_limit:
      return "support_limit";
    case PursuitStop::residual_tolerance:
      return "residual_tolerance";
    case PursuitStop::no_candidates:
      return "no_candidates";
  }
  return "unknown";
}

ComparableRun maximal_energy_comparable_run(const std::vector<double>& magnitudes) {
  ComparableRun best;
  double best_energy = -1;
  std::size_t last = 0;
  for (std::size_t first = 0; first < magnitudes.size(); ++first) {
    // The longest comparable run from `first` (its end never moves back as `first` advances).
    if (last < first) last = first;
    while (last + 1 < magnitudes.size() && magnitudes[first] <= 2.0 * magnitudes[last + 1]) ++last;
    double energy = 0;
    for (std::size_t k = first; k <= last; ++k) energy += magnitudes[k] * magnitudes[k];
    if (energy > best_energy) {
      best_energy = energy;
      best = {first, last - first + 1};
    }
  }
  return best;
}

namespace {

PursuitBatch run_batch(const char* function, const Eigen::Ref<const Eigen::MatrixXf>& features,
                       const Eigen::Ref<const Eigen::MatrixXd>& targets, const std::vector<PursuitTask>& tasks,
                       const PursuitOptions& options, const std::function<void(std::size_t, std::size_t)>& progress) {
  validate_design(function, features, targets.rows());
  validate_options(function, options);
  for (std::size_t k = 0; k < tasks.size(); ++k) {
    const PursuitTask& task = tasks[k];
    const std::string context = " (task " + std::to_string(k) + ")";
    if (task.target < 0 || task.target >= targets.cols()) {
      throw std::invalid_argument(where_prefix(function, "tasks") + "expected a target column in 0.." + std::to_string(targets.cols() - 1) +
                                  ", found " + std::to_string(task.target) + context);
    }
    if (task.held_out_sample < -1 || task.held_out_sample >= targets.rows()) {
      throw std::invalid_argument(where_prefix(function, "tasks") + "expected a held-out sample in -1.." + std::to_string(targets.rows() - 1) +
                                  ", found " + std::to_string(task.held_out_sample) + context);
    }
    validate_sparsity(function, task.sparsity, task.held_out_sample >= 0 ? targets.rows() - 1 : targets.rows(), context);
  }
  require_finite(function, "features", "feature", features);
  require_finite(function, "targets", "target", targets);

  PursuitBatch batch;
  batch.models.resize(tasks.size());
  batch.held_out_paths.resize(tasks.size());
  if (tasks.empty()) return batch;
  PursuitEngine engine(features, targets, options);
  std::size_t done = 0;
  for (std::size_t chunk = 0; chunk < tasks.size(); chunk += task_chunk_size) {
    const std::size_t end = std::min(tasks.size(), chunk + task_chunk_size);
    std::vector<TaskState> states(end - chunk);
    for (std::size_t k = chunk; k < end; ++k) {
      TaskState& state = states[k - chunk];
      state.target = tasks[k].target;
      state.held_out = tasks[k].held_out_sample;
      state.sparsity = tasks[k].sparsity;
    }
    engine.run(states, [&](std::size_t finished) {
      done += finished;
      if (progress) progress(done, tasks.size());
    });
    for (std::size_t k = chunk; k < end; ++k) {
      batch.models[k] = std::move(states[k - chunk].model);
      batch.held_out_paths[k] = std::move(states[k - chunk].path);
    }
  }
  return batch;
}

}  // namespace

PursuitBatch fit_sparse_model_batch(const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                                    const std::vector<PursuitTask>& tasks, const PursuitOptions& options,
                                    const std::function<void(std::size_t, std::size_t)>& progress) {
  return run_batch("fit_sparse_model_batch", features, targets, tasks, options, progress);
}

SparseModel fit_sparse_model(const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::VectorXd>& target,
                             const PursuitOptions& options) {
  validate_design("fit_sparse_model", features, target.rows());
  validate_sparsity("fit_sparse_model", options.sparsity, target.rows(), "");
  const Eigen::Map<const Eigen::MatrixXd> targets(target.data(), target.rows(), 1);
  PursuitBatch batch = run_batch("fit_sparse_model", features, targets, {PursuitTask{0, options.sparsity, -1}}, options, {});
  return std::move(batch.models.front());
}

std::vector<SparseModel> fit_sparse_models(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                           const Eigen::Ref<const Eigen::MatrixXd>& targets, const PursuitOptions& options,
                                           const std::function<void(std::size_t, std::size_t)>& progress) {
  validate_design("fit_sparse_models", features, targets.rows());
  validate_sparsity("fit_sparse_models", options.sparsity, targets.rows(), "");
  std::vector<PursuitTask> tasks(static_cast<std::size_t>(targets.cols()));
  for (Eigen::Index t = 0; t < targets.cols(); ++t) tasks[static_cast<std::size_t>(t)] = {t, options.sparsity, -1};
  return run_batch("fit_sparse_models", features, targets, tasks, options, progress).models;
}

Eigen::MatrixXd predict_sparse_models(const std::vector<SparseModel>& models, const Eigen::Ref<const Eigen::MatrixXf>& features) {
  const Eigen::Index columns = features.cols();
  for (std::size_t t = 0; t < models.size(); ++t) {
    const SparseModel& model = models[t];
    if (model.coefficients.size() != static_cast<Eigen::Index>(model.support.size())) {
      throw std::invalid_argument("predict_sparse_models: models: model " + std::to_string(t) + " has " + std::to_string(model.support.size()) +
                                  " support columns but " + std::to_string(model.coefficients.size()) + " coefficients");
    }
    for (const std::int32_t atom : model.support) {
      if (atom < 0 || atom > columns) {
        throw std::invalid_argument("predict_sparse_models: features: model " + std::to_string(t) + " uses column " + std::to_string(atom) +
                                    ", expected columns 0.." + std::to_string(columns) + " (" + std::to_string(columns) +
                                    " = the constant column), found a design of " + std::to_string(columns) + " columns");
      }
    }
  }
  Eigen::MatrixXd predictions = Eigen::MatrixXd::Zero(features.rows(), static_cast<Eigen::Index>(models.size()));
#pragma omp parallel for schedule(dynamic, 16) if (models.size() >= parallel_tasks)
  for (std::size_t t = 0; t < models.size(); ++t) {
    const SparseModel& model = models[t];
    double* out = predictions.col(static_cast<Eigen::Index>(t)).data();
    for (std::size_t k = 0; k < model.support.size(); ++k) {
      const std::int32_t atom = model.support[k];
      const double weight = model.coefficients(static_cast<Eigen::Index>(k));
      if (atom == columns) {
        for (Eigen::Index i = 0; i < features.rows(); ++i) out[i] += weight;
      } else {
        const float* column = features.col(atom).data();
        for (Eigen::Index i = 0; i < features.rows(); ++i) out[i] += weight * static_cast<double>(column[i]);
      }
    }
  }
  return predictions;
}

}  // namespace visalign::encoding
