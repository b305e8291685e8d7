#include "rsa/searchlight.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "rsa/statistics.hpp"
#include "rsa/value_order.hpp"

namespace visalign::rsa {

namespace {

constexpr int kBlock = 32;  // vertices whose permutation nulls are computed together (SIMD across vertices)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using BetaMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Per-thread scratch for one vertex's RDMs.
struct VertexWorkspace {
  Eigen::MatrixXd patterns;  // disk vertices x conditions
  Eigen::VectorXd condensed;
  ValueOrder ranking;
};

/// The condensed RDM of one condition set over one disk; false when undefined (constant patterns).
/// Patterns are held disk vertices x conditions, so that every condition is a contiguous column and
/// each RDM entry is one contiguous dot product.
bool disk_rdm(const Eigen::Ref<const BetaMatrix>& betas, const std::int32_t* disk, Eigen::Index disk_size,
              const ConditionSet& set, RdmDistance distance, VertexWorkspace& work) {
  const auto n = static_cast<Eigen::Index>(set.size());
  work.patterns.resize(disk_size, n);
  for (Eigen::Index j = 0; j < disk_size; ++j) {
    const float* row = betas.row(disk[j]).data();
    for (Eigen::Index i = 0; i < n; ++i) work.patterns(j, i) = row[set[static_cast<std::size_t>(i)]];
  }
  work.condensed.resize(n * (n - 1) / 2);
  condensed_rdm_of_columns(work.patterns, distance, work.condensed);
  return work.condensed.allFinite();
}

/// Centred vector that the comparison correlates: doubled average ranks minus their mean (exact
/// integers) for Spearman, centred values for Pearson. Writes entry e to out[e * stride] and
/// returns the vector's norm (0 when constant).
double centred_vector(VertexWorkspace& work, RdmComparison comparison, double* out, std::size_t stride) {
  const Eigen::Index entries = work.condensed.size();
  if (comparison == RdmComparison::spearman) {
    order_by_value(work.condensed.data(), static_cast<std::size_t>(entries), work.ranking);
    const double* sorted = work.ranking.sorted.data();
    const std::int32_t* order = work.ranking.order.data();
    double squares = 0;
    for (Eigen::Index start = 0; start < entries;) {
      Eigen::Index end = start + 1;
      while (end < entries && sorted[end] == sorted[start]) ++end;
      // Positions start..end-1 share the average rank (start + 1 + end) / 2; doubled and centred:
      const auto centred = static_cast<double>(start + end - entries);
      for (Eigen::Index k = start; k < end; ++k) out[static_cast<std::size_t>(order[k]) * stride] = centred;
      squares += centred * centred * static_cast<double>(end - start);
      start = end;
    }
    return std::sqrt(squares);
  }
  const double mean = work.condensed.mean();
  double squares = 0;
  for (Eigen::Index e = 0; e < entries; ++e) {
    const double centred = work.condensed(e) - mean;
    out[static_cast<std::size_t>(e) * stride] = centred;
    squares += centred * centred;
  }
  return std::sqrt(squares);
}

using BlockColumn = Eigen::Array<double, kBlock, 1>;

/// Sum over entries e of first[map[e]] * second[e], for all kBlock vertices at once (the vertices
/// are the SIMD lanes: each entry's kBlock values are contiguous).
inline void gathered_dot(const double* first, const double* second, const std::int32_t* map, Eigen::Index entries,
                         double* sums) {
  BlockColumn accumulator = BlockColumn::Zero();
  for (Eigen::Index e = 0; e < entries; ++e) {
    accumulator += Eigen::Map<const BlockColumn, Eigen::Aligned64>(first + static_cast<std::size_t>(map[e]) * kBlock) *
                   Eigen::Map<const BlockColumn, Eigen::Aligned64>(second + static_cast<std::size_t>(e) * kBlock);
  }
  Eigen::Map<BlockColumn> out(sums);
  out = accumulator;
}

void validate(const Eigen::Ref<const BetaMatrix>& betas, const SearchlightDisks& disks, const std::vector<ConditionSet>& sets,
              const std::vector<SearchlightMeasure>& measures, const SearchlightOptions& options, std::int64_t first,
              std::int64_t last) {
  if (sets.empty()) throw std::invalid_argument("searchlight: no condition sets");
  const std::size_t n = sets.front().size();
  if (n < 3) throw std::invalid_argument("searchlight: expected at least 3 conditions per set, found " + std::to_string(n));
  for (std::size_t s = 0; s < sets.size(); ++s) {
    if (sets[s].size() != n) {
      throw std::invalid_argument("searchlight: condition sets differ in size (" + std::to_string(n) + " and " +
                                  std::to_string(sets[s].size()) + " in set " + std::to_string(s) + ")");
    }
    for (const Eigen::Index column : sets[s]) {
      if (column < 0 || column >= betas.cols()) {
        throw std::invalid_argument("searchlight: beta column " + std::to_string(column) + " is outside the " +
                                    std::to_string(betas.cols()) + " columns");
      }
    }
  }
  if (measures.empty()) throw std::invalid_argument("searchlight: no measures");
  for (const auto& measure : measures) {
    if (measure.comparisons.empty()) throw std::invalid_argument("searchlight: measure " + measure.name + " compares nothing");
    for (const auto& comparison : measure.comparisons) {
      for (const int set : {comparison.first, comparison.second}) {
        if (set < 0 || static_cast<std::size_t>(set) >= sets.size()) {
          throw std::invalid_argument("searchlight: measure " + measure.name + " names set " + std::to_string(set) +
                                      " of " + std::to_string(sets.size()));
        }
      }
    }
  }
  if (options.comparison != RdmComparison::spearman && options.comparison != RdmComparison::pearson) {
    throw std::invalid_argument("searchlight: comparison must be spearman or pearson, found " + to_string(options.comparison));
  }
  if (options.permutations < 0) throw std::invalid_argument("searchlight: permutations must be >= 0");
  if (options.threads < 1) throw std::invalid_argument("searchlight: threads must be >= 1");
  const auto vertex_count = static_cast<std::int64_t>(disks.offsets.size()) - 1;
  if (vertex_count != betas.rows()) {
    throw std::invalid_argument("searchlight: the disk table has " + std::to_string(vertex_count) + " vertices, the betas " +
                                std::to_string(betas.rows()));
  }
  if (first < 0 || last > vertex_count || first > last) {
    throw std::invalid_argument("searchlight: vertex range [" + std::to_string(first) + ", " + std::to_string(last) +
                                ") is outside [0, " + std::to_string(vertex_count) + ")");
  }
  for (const std::int32_t member : disks.vertices) {
    if (member < 0 || member >= vertex_count) {
      throw std::invalid_argument("searchlight: disk member " + std::to_string(member) + " is not a vertex");
    }
  }
}

}  // namespace

SearchlightResult searchlight_rsa(const Eigen::Ref<const BetaMatrix>& betas, const SearchlightDisks& disks,
                                  const std::vector<ConditionSet>& sets, const std::vector<SearchlightMeasure>& measures,
                                  const SearchlightOptions& options, std::int64_t first_vertex, std::int64_t last_vertex,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  const auto vertex_count = static_cast<std::int64_t>(disks.offsets.size()) - 1;
  if (last_vertex < 0) last_vertex = vertex_count;
  validate(betas, disks, sets, measures, options, first_vertex, last_vertex);

  const auto n = static_cast<std::int32_t>(sets.front().size());
  const Eigen::Index entries = static_cast<Eigen::Index>(n) * (n - 1) / 2;
  const auto set_count = static_cast<int>(sets.size());
  const auto measure_count = static_cast<int>(measures.size());

  // The comparisons the measures need, each once.
  std::vector<SetComparison> comparisons;
  std::vector<std::vector<int>> measure_comparisons(measures.size());
  for (std::size_t m = 0; m < measures.size(); ++m) {
    for (const auto& comparison : measures[m].comparisons) {
      auto found = std::find_if(comparisons.begin(), comparisons.end(), [&](const SetComparison& c) {
        return c.first == comparison.first && c.second == comparison.second;
      });
      if (found == comparisons.end()) found = comparisons.insert(comparisons.end(), comparison);
      measure_comparisons[m].push_back(static_cast<int>(found - comparisons.begin()));
    }
  }
  const auto comparison_count = static_cast<int>(comparisons.size());

  // Entry maps of the shared permutations (plus the identity, map 0, for the observed values, so that
  // observed and null statistics go through the same arithmetic).
  const int maps = options.permutations + 1;
  std::vector<std::int32_t> entry_maps(static_cast<std::size_t>(maps) * static_cast<std::size_t>(entries));
  for (int k = 0; k < maps; ++k) {
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    if (k == 0) {
      std::iota(labels.begin(), labels.end(), 0);
    } else {
      labels = label_permutation(n, options.seed, static_cast<std::uint64_t>(k - 1));
    }
    std::int32_t* map = entry_maps.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(entries);
    Eigen::Index e = 0;
    for (std::int32_t i = 0; i < n; ++i) {
      for (std::int32_t j = i + 1; j < n; ++j) {
        const std::int32_t a = labels[static_cast<std::size_t>(i)], b = labels[static_cast<std::size_t>(j)];
        map[e++] = static_cast<std::int32_t>(condensed_index(std::min(a, b), std::max(a, b), n));
      }
    }
  }

  const std::int64_t range = last_vertex - first_vertex;
  SearchlightResult result;
  result.similarity = Eigen::MatrixXd::Constant(range, measure_count, kNaN);
  result.p_value = Eigen::MatrixXd::Constant(range, measure_count, kNaN);
  std::vector<std::uint8_t> undefined(static_cast<std::size_t>(range), 0);
  const std::int64_t blocks = (range + kBlock - 1) / kBlock;
  std::atomic<std::size_t> done{0};

  // Without permutations each vertex's similarities come straight from contiguous vectors; with
  // them, kBlock vertices are laid side by side so the shared permutations run as SIMD across vertices.
  const bool permuting = options.permutations > 0;
  std::exception_ptr failure;  // an exception must not leave an OpenMP region: kept and rethrown after it
#pragma omp parallel num_threads(options.threads)
  {
    std::vector<double> direct(static_cast<std::size_t>(set_count) * static_cast<std::size_t>(entries));
    VertexWorkspace work;
    std::vector<double, Eigen::aligned_allocator<double>> vectors(static_cast<std::size_t>(set_count) *
                                                                 static_cast<std::size_t>(entries) * kBlock);
    std::vector<double> norms(static_cast<std::size_t>(set_count) * kBlock);
    std::vector<double> observed(static_cast<std::size_t>(measure_count) * kBlock);
    std::vector<std::int32_t> exceed(static_cast<std::size_t>(measure_count) * kBlock);
    std::vector<double> dots(static_cast<std::size_t>(comparison_count) * kBlock);
    bool valid[kBlock];

#pragma omp for schedule(dynamic, 4)
    for (std::int64_t block = 0; block < blocks; ++block) {
#pragma omp flush(failure)
      if (failure) continue;
      try {
      const std::int64_t begin = first_vertex + block * kBlock;
      const int width = static_cast<int>(std::min<std::int64_t>(kBlock, last_vertex - begin));
      for (int slot = 0; slot < kBlock; ++slot) {
        valid[slot] = false;
        if (slot >= width) {
          for (int s = 0; s < set_count && permuting; ++s) {
            double* column = vectors.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(entries) * kBlock;
            for (Eigen::Index e = 0; e < entries; ++e) column[static_cast<std::size_t>(e) * kBlock + static_cast<std::size_t>(slot)] = 0;
            norms[static_cast<std::size_t>(s) * kBlock + static_cast<std::size_t>(slot)] = 1;
          }
          continue;
        }
        const std::int64_t vertex = begin + slot;
        const std::int64_t start = disks.offsets[static_cast<std::size_t>(vertex)];
        const std::int64_t size = disks.offsets[static_cast<std::size_t>(vertex) + 1] - start;
        bool ok = size >= 2;
        for (int s = 0; s < set_count && ok; ++s) {
          ok = disk_rdm(betas, disks.vertices.data() + start, size, sets[static_cast<std::size_t>(s)], options.distance, work);
          if (!ok) break;
          double* column = vectors.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(entries) * kBlock;
          const double norm = permuting ? centred_vector(work, options.comparison, column + slot, kBlock)
                                        : centred_vector(work, options.comparison, direct.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(entries), 1);
          norms[static_cast<std::size_t>(s) * kBlock + static_cast<std::size_t>(slot)] = norm;
          ok = norm > 0;
        }
        valid[slot] = ok;
        if (ok && !permuting) {
          for (int m = 0; m < measure_count; ++m) {
            const auto& used = measure_comparisons[static_cast<std::size_t>(m)];
            double statistic = 0;
            for (const int c : used) {
              const auto& comparison = comparisons[static_cast<std::size_t>(c)];
              const double* a = direct.data() + static_cast<std::size_t>(comparison.first) * static_cast<std::size_t>(entries);
              const double* b = direct.data() + static_cast<std::size_t>(comparison.second) * static_cast<std::size_t>(entries);
              double dot = 0;
              for (Eigen::Index e = 0; e < entries; ++e) dot += a[e] * b[e];
              statistic += dot / (norms[static_cast<std::size_t>(comparison.first) * kBlock + static_cast<std::size_t>(slot)] *
                                  norms[static_cast<std::size_t>(comparison.second) * kBlock + static_cast<std::size_t>(slot)]);
            }
            observed[static_cast<std::size_t>(m) * kBlock + static_cast<std::size_t>(slot)] = statistic / static_cast<double>(used.size());
          }
        }
        if (!ok && permuting) {
          for (int s = 0; s < set_count; ++s) {
            double* column = vectors.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(entries) * kBlock;
            for (Eigen::Index e = 0; e < entries; ++e) column[static_cast<std::size_t>(e) * kBlock + static_cast<std::size_t>(slot)] = 0;
            norms[static_cast<std::size_t>(s) * kBlock + static_cast<std::size_t>(slot)] = 1;
          }
        }
      }
      std::fill(exceed.begin(), exceed.end(), 0);
      for (int k = 0; k < (permuting ? maps : 0); ++k) {
        const std::int32_t* map = entry_maps.data() + static_cast<std::size_t>(k) * static_cast<std::size_t>(entries);
        for (int c = 0; c < comparison_count; ++c) {
          const auto& comparison = comparisons[static_cast<std::size_t>(c)];
          gathered_dot(vectors.data() + static_cast<std::size_t>(comparison.first) * static_cast<std::size_t>(entries) * kBlock,
                       vectors.data() + static_cast<std::size_t>(comparison.second) * static_cast<std::size_t>(entries) * kBlock,
                       map, entries, dots.data() + static_cast<std::size_t>(c) * kBlock);
        }
        for (int m = 0; m < measure_count; ++m) {
          const auto& used = measure_comparisons[static_cast<std::size_t>(m)];
          for (int slot = 0; slot < width; ++slot) {
            double statistic = 0;
            for (const int c : used) {
              const auto& comparison = comparisons[static_cast<std::size_t>(c)];
              statistic += dots[static_cast<std::size_t>(c) * kBlock + static_cast<std::size_t>(slot)] /
                           (norms[static_cast<std::size_t>(comparison.first) * kBlock + static_cast<std::size_t>(slot)] *
                            norms[static_cast<std::size_t>(comparison.second) * kBlock + static_cast<std::size_t>(slot)]);
            }
            statistic /= static_cast<double>(used.size());
            const std::size_t index = static_cast<std::size_t>(m) * kBlock + static_cast<std::size_t>(slot);
            if (k == 0) {
              observed[index] = statistic;
            } else if (statistic >= observed[index]) {
              ++exceed[index];
            }
          }
        }
      }
      for (int slot = 0; slot < width; ++slot) {
        const std::int64_t row = begin + slot - first_vertex;
        if (!valid[slot]) {
          undefined[static_cast<std::size_t>(row)] = 1;
          continue;
        }
        for (int m = 0; m < measure_count; ++m) {
          const std::size_t index = static_cast<std::size_t>(m) * kBlock + static_cast<std::size_t>(slot);
          result.similarity(row, m) = observed[index];
          if (options.permutations > 0) {
            result.p_value(row, m) = (1.0 + exceed[index]) / (1.0 + options.permutations);
          }
        }
      }
      const std::size_t finished = done.fetch_add(static_cast<std::size_t>(width)) + static_cast<std::size_t>(width);
      if (progress && omp_get_thread_num() == 0) progress(finished, static_cast<std::size_t>(range));
      } catch (...) {
#pragma omp critical(searchlight_failure)
        if (!failure) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  for (std::int64_t row = 0; row < range; ++row) {
    if (undefined[static_cast<std::size_t>(row)] != 0) result.undefined_vertices.push_back(static_cast<std::int32_t>(first_vertex + row));
  }
  if (progress) progress(static_cast<std::size_t>(range), static_cast<std::size_t>(range));
  return result;
}

}  // namespace visalign::rsa
