#pragma once
// Choosing the sparsity of the matching-pursuit encoding models by leave-one-out cross-validation
// on the training samples (the study: the 40 RE images), and fitting every target with its own
// chosen sparsity.
//
// Fold i leaves sample i out: every target is fitted on the other samples (exactly as
// fit_sparse_model on features and targets with row i removed, up to rounding) for each candidate
// sparsity, and predicts sample i. The error of a candidate is the mean over the folds of the
// squared held-out prediction errors. All folds x targets (x candidates for ROMP) run as one batch
// of pursuits sharing the blocked correlation products. OMP's path is nested (the model of
// sparsity k is the first k steps of the model of sparsity K > k, or the whole path when it
// stopped earlier), so one pursuit to max(candidates) per fold and target gives all candidates;
// ROMP's first step depends on s, so each candidate is its own pursuit.
//
// Errors (std::invalid_argument): an empty candidate list, a candidate < 1 or repeated, a
// candidate larger than the training samples of a fold (samples - 1), and everything that
// fit_sparse_models refuses (shapes, NaN/inf).

#include <Eigen/Core>

#include <cstddef>
#include <functional>
#include <vector>

#include "encoding/matching_pursuit.hpp"

namespace visalign::encoding {

struct SparsitySelection {
  std::vector<int> candidates;          // the sparsity levels tried
  Eigen::MatrixXd leave_one_out_error;  // candidates x targets: mean squared error of the held-out predictions
  std::vector<int> chosen;              // per target: the candidate with the smallest error (ties: the smaller sparsity)
};

/// Leave-one-out cross-validation of the sparsity level on the training samples.
/// features: samples x features, targets: samples x targets; options.sparsity is ignored.
/// progress(done, total): pursuits finished (folds x targets, x candidates for ROMP); calling thread only.
SparsitySelection select_sparsity_leave_one_out(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                                const Eigen::Ref<const Eigen::MatrixXd>& targets, const std::vector<int>& candidates,
                                                const PursuitOptions& options,
                                                const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Fits every target with its own sparsity (sparsity_per_target: one per column of targets);
/// options.sparsity is ignored. features: samples x features, targets: samples x targets.
std::vector<SparseModel> fit_sparse_models_with_sparsity(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                                         const Eigen::Ref<const Eigen::MatrixXd>& targets,
                                                         const std::vector<int>& sparsity_per_target, const PursuitOptions& options,
                                                         const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::encoding
