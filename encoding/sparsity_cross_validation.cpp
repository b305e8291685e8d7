#include "encoding/sparsity_cross_validation.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace visalign::encoding {

namespace {

void validate_shapes(const char* function, const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets) {
  if (features.rows() != targets.rows()) {
    throw std::invalid_argument(std::string(function) + ": features: expected as many rows (samples) as the targets have (" +
                                std::to_string(targets.rows()) + "), found " + std::to_string(features.rows()));
  }
}

}  // namespace

SparsitySelection select_sparsity_leave_one_out(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                                const Eigen::Ref<const Eigen::MatrixXd>& targets, const std::vector<int>& candidates,
                                                const PursuitOptions& options,
                                                const std::function<void(std::size_t, std::size_t)>& progress) {
  constexpr const char* function = "select_sparsity_leave_one_out";
  validate_shapes(function, features, targets);
  const Eigen::Index samples = targets.rows();
  if (candidates.empty()) throw std::invalid_argument(std::string(function) + ": candidates: expected at least one sparsity level, found none");
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const int candidate = candidates[c];
    if (candidate < 1) {
      throw std::invalid_argument(std::string(function) + ": candidates: expected sparsity levels >= 1, found " + std::to_string(candidate));
    }
    if (candidate > samples - 1) {
      throw std::invalid_argument(std::string(function) + ": candidates: expected sparsity levels of at most the " +
                                  std::to_string(samples - 1) + " training samples of a leave-one-out fold (" + std::to_string(samples) +
                                  " samples), found " + std::to_string(candidate));
    }
    if (std::find(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(c), candidate) !=
        candidates.begin() + static_cast<std::ptrdiff_t>(c)) {
      throw std::invalid_argument(std::string(function) + ": candidates: expected distinct sparsity levels, found " +
                                  std::to_string(candidate) + " twice");
    }
  }

  const Eigen::Index target_count = targets.cols();
  const auto candidate_count = static_cast<Eigen::Index>(candidates.size());
  const bool nested = options.method == PursuitMethod::omp;
  const int largest = *std::max_element(candidates.begin(), candidates.end());
  // Tasks fold-major (the engine keeps a fold's tasks together anyway).
  std::vector<PursuitTask> tasks;
  tasks.reserve(static_cast<std::size_t>(samples * target_count * (nested ? 1 : candidate_count)));
  for (Eigen::Index fold = 0; fold < samples; ++fold) {
    if (nested) {
      for (Eigen::Index t = 0; t < target_count; ++t) tasks.push_back({t, largest, fold});
    } else {
      for (Eigen::Index c = 0; c < candidate_count; ++c) {
        for (Eigen::Index t = 0; t < target_count; ++t) tasks.push_back({t, candidates[static_cast<std::size_t>(c)], fold});
      }
    }
  }
  const PursuitBatch batch = fit_sparse_model_batch(features, targets, tasks, options, progress);

  SparsitySelection selection;
  selection.candidates = candidates;
  selection.leave_one_out_error = Eigen::MatrixXd::Zero(candidate_count, target_count);
  std::size_t k = 0;
  for (Eigen::Index fold = 0; fold < samples; ++fold) {
    if (nested) {
      for (Eigen::Index t = 0; t < target_count; ++t, ++k) {
        const std::vector<HeldOutPathPoint>& path = batch.held_out_paths[k];
        for (Eigen::Index c = 0; c < candidate_count; ++c) {
          // The model of sparsity s: the last point of the path with at most s columns.
          const int sparsity = candidates[static_cast<std::size_t>(c)];
          double prediction = 0;
          for (const HeldOutPathPoint& point : path) {
            if (point.support_size <= sparsity) prediction = point.prediction;
          }
          const double error = targets(fold, t) - prediction;
          selection.leave_one_out_error(c, t) += error * error;
        }
      }
    } else {
      for (Eigen::Index c = 0; c < candidate_count; ++c) {
        for (Eigen::Index t = 0; t < target_count; ++t, ++k) {
          const double error = targets(fold, t) - batch.held_out_paths[k].back().prediction;
          selection.leave_one_out_error(c, t) += error * error;
        }
      }
    }
  }
  selection.leave_one_out_error /= static_cast<double>(samples);

  selection.chosen.resize(static_cast<std::size_t>(target_count));
  for (Eigen::Index t = 0; t < target_count; ++t) {
    Eigen::Index best = 0;
    for (Eigen::Index c = 1; c < candidate_count; ++c) {
      const double error = selection.leave_one_out_error(c, t), best_error = selection.leave_one_out_error(best, t);
      if (error < best_error || (error == best_error && candidates[static_cast<std::size_t>(c)] < candidates[static_cast<std::size_t>(best)])) {
        best = c;
      }
    }
    selection.chosen[static_cast<std::size_t>(t)] = candidates[static_cast<std::size_t>(best)];
  }
  return selection;
}

std::vector<SparseModel> fit_sparse_models_with_sparsity(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                                         const Eigen::Ref<const Eigen::MatrixXd>& targets,
                                                         const std::vector<int>& sparsity_per_target, const PursuitOptions& options,
                                                         const std::function<void(std::size_t, std::size_t)>& progress) {
  constexpr const char* function = "fit_sparse_models_with_sparsity";
  validate_shapes(function, features, targets);
  if (static_cast<Eigen::Index>(sparsity_per_target.size()) != targets.cols()) {
    throw std::invalid_argument(std::string(function) + ": sparsity_per_target: expected one sparsity per target (" +
                                std::to_string(targets.cols()) + "), found " + std::to_string(sparsity_per_target.size()));
  }
  std::vector<PursuitTask> tasks(sparsity_per_target.size());
  for (std::size_t t = 0; t < tasks.size(); ++t) {
    const int sparsity = sparsity_per_target[t];
    if (sparsity < 1 || sparsity > targets.rows()) {
      throw std::invalid_argument(std::string(function) + ": sparsity_per_target: expected sparsity levels in 1.." +
                                  std::to_string(targets.rows()) + " (the samples), found " + std::to_string(sparsity) + " for target " +
                                  std::to_string(t));
    }
    tasks[t] = {static_cast<Eigen::Index>(t), sparsity, -1};
  }
  return fit_sparse_model_batch(features, targets, tasks, options, progress).models;
}

}  // namespace visalign::encoding
