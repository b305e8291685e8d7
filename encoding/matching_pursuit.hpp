#pragma once
// Sparse regression by matching pursuit: Orthogonal Matching Pursuit (OMP) and Regularized
// Orthogonal Matching Pursuit (ROMP, Needell & Vershynin 2009, "Uniform uncertainty principle and
// signal recovery via regularized orthogonal matching pursuit"), for the forward encoding models
// y = X w (X: images x CNN units, plus a column of ones; y: one vertex's responses).
//
// Both methods share one loop. With u_j = <r, x_j> / ||x_j|| (normalize_columns; <r, x_j>
// otherwise) the correlations of the residual r with the columns that are not yet in the support:
// - OMP adds the column with the largest |u_j|.
// - ROMP takes J = the s largest nonzero |u_j| (fewer when fewer are nonzero), and of all subsets of
//   J whose magnitudes are comparable (|u_i| <= 2 |u_j| for all i, j in the subset) adds the one
//   with the largest energy sum |u_j|^2 (the subsets to consider are the runs of J sorted by |u|;
//   ties go to the run of larger magnitudes).
// After each addition the weights are refitted by least squares on the whole support (an
// incremental QR factorization of the support columns, Gram-Schmidt with reorthogonalization, in
// double) and the residual is updated.
//
// Halting (s = PursuitOptions::sparsity; checked in this order after every iteration, and the
// residual tolerance also before the first):
// - residual_tolerance: ||r|| <= residual_tolerance * ||y|| (so an all-zero target stops at once
//   with an empty support).
// - OMP: the support has s columns (sparsity_reached).
// - ROMP with RompHalting::published (the default; the paper's loop "repeat s times or until
//   |I| >= 2s"): the support has >= 2s columns (support_limit; the last J0 is cut to its largest
//   |u| so that the support has exactly 2s), or s iterations have run (sparsity_reached). So s is
//   not the model size: a ROMP model of sparsity s has up to 2s columns.
// - ROMP with RompHalting::support_size (`sparsity` as the target support size): the support has
//   >= s columns (sparsity_reached). One iteration adds at most s columns, so the support ends with
//   s..2s-1 columns. Beware: the s largest correlations are nearly always comparable (within a
//   factor 2), so the first iteration usually adds all of them and this rule stops there: ROMP
//   then is one-shot thresholding of the correlations, much weaker than OMP or the published
//   loop (tests/encoding/matching_pursuit_test.cpp prints the recovery rates).
// - no_candidates: no column outside the support has a nonzero correlation with the residual
//   (|<r, x_j>| <= 1e-12 ||x_j|| ||y||, e.g. a target orthogonal to every column), or the chosen column is
//   linearly dependent on the support (its part orthogonal to the support has norm <=
//   sqrt(machine epsilon) times its norm, sklearn's criterion). OMP stops there without adding it;
//   ROMP skips dependent columns of J0 and stops only when none of J0 could be added.
//
// Special inputs (not errors):
// - The constant column (constant_column) is one more candidate atom, index features.cols(), with
//   norm sqrt(samples). A constant target is then fitted exactly by it (residual 0, stop
//   residual_tolerance). Without it a constant target is fitted like any other target (on centred
//   features its correlations are all 0: empty support, stop no_candidates).
// - All-zero feature columns are never selected. A constant (all-equal) feature column is an
//   ordinary column; with constant_column it is parallel to the constant atom, so at most one of
//   the two enters the support (the other is dependent).
//
// Errors (std::invalid_argument, checked before any work): sparsity < 1; fewer samples than the
// sparsity; features and targets with different numbers of rows; NaN or infinite values in
// features or targets (the message names the matrix, the sample and the column); a negative or NaN
// residual tolerance.
//
// Speed: for many targets the correlations of all residuals with all columns are blocked float
// matrix products (column blocks of the features x blocks of targets, OpenMP over the tiles); each
// tile keeps only each target's best 1 (OMP) or s (ROMP) candidates plus 8, which are then
// recomputed exactly in double before the choice (so a column can be missed only when its float
// correlation is within float rounding, ~1e-6 relative, of 8 others). Nothing of size features x
// targets is stored, and the results are identical for any number of threads. Thread count: the
// caller's OpenMP setting (omp_set_num_threads); small problems run on the calling thread.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace visalign::encoding {

enum class PursuitMethod { omp, romp };

/// "omp" or "romp"; std::invalid_argument otherwise.
PursuitMethod parse_pursuit_method(const std::string& name);
std::string pursuit_method_name(PursuitMethod method);

/// When ROMP stops (see the header comment).
enum class RompHalting {
  published,     // Needell & Vershynin's loop: s iterations or a support of 2s columns (the default)
  support_size,  // stop once the support has >= s columns (s..2s-1 columns)
};

struct PursuitOptions {
  PursuitMethod method = PursuitMethod::romp;
  int sparsity = 10;                 // s (>= 1)
  double residual_tolerance = 1e-6;  // stop when ||residual|| <= tolerance * ||y||
  bool constant_column = true;       // the paper's model: a column of ones appended to X as a candidate atom
  bool normalize_columns = true;     // select by correlation with unit-norm columns (all-zero columns never selected)
  RompHalting romp_halting = RompHalting::published;
};

enum class PursuitStop { sparsity_reached, support_limit, residual_tolerance, no_candidates };
std::string pursuit_stop_name(PursuitStop stop);

struct SparseModel {
  std::vector<std::int32_t> support;  // column indices of X in the order added; the constant column is index X.cols()
  Eigen::VectorXd coefficients;       // least-squares weights on the support, in X's original units (support.size())
  double residual_norm = 0;           // ||y - X_support w|| on the training samples
  int iterations = 0;
  PursuitStop stop = PursuitStop::sparsity_reached;
};

/// One target. features: samples x features, target: samples.
SparseModel fit_sparse_model(const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::VectorXd>& target,
                             const PursuitOptions& options);

/// Many targets sharing the design (all vertices of a ROI against one CNN layer).
/// features: samples x features, targets: samples x targets; one model per target.
/// progress(done, total) optional (targets finished so far), called from the calling thread only.
std::vector<SparseModel> fit_sparse_models(const Eigen::Ref<const Eigen::MatrixXf>& features,
                                           const Eigen::Ref<const Eigen::MatrixXd>& targets, const PursuitOptions& options,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Predictions: test samples x targets (models.size()), from features: test samples x features
/// (the same columns as in the fit; the constant column's weight is added when it is in a support).
Eigen::MatrixXd predict_sparse_models(const std::vector<SparseModel>& models, const Eigen::Ref<const Eigen::MatrixXf>& features);

// ---- batches of pursuits (the engine under the functions above and the cross-validation) ---------

/// One pursuit of a batch: a target column, its own sparsity, and optionally one sample left out
/// of the fit (its row is ignored, as if it were removed from features and targets).
struct PursuitTask {
  Eigen::Index target = 0;           // column of targets
  int sparsity = 10;                 // replaces options.sparsity
  Eigen::Index held_out_sample = -1;  // a row of features/targets left out of the fit, or -1
};

/// After each iteration of a task with a held-out sample: the support size and the model's
/// prediction of the held-out sample (the first point is {0, 0}: the empty model).
struct HeldOutPathPoint {
  int support_size = 0;
  double prediction = 0;
};

struct PursuitBatch {
  std::vector<SparseModel> models;                           // one per task
  std::vector<std::vector<HeldOutPathPoint>> held_out_paths;  // one per task (empty without a held-out sample)
};

/// Runs all tasks together (one blocked correlation pass per iteration for all tasks still running).
/// A task's result is the same as fit_sparse_model's on the same data (with the held-out row
/// removed) up to rounding. progress(done, total): tasks finished; calling thread only.
PursuitBatch fit_sparse_model_batch(const Eigen::Ref<const Eigen::MatrixXf>& features, const Eigen::Ref<const Eigen::MatrixXd>& targets,
                                    const std::vector<PursuitTask>& tasks, const PursuitOptions& options,
                                    const std::function<void(std::size_t, std::size_t)>& progress = {});

/// ROMP's regularization step. magnitudes: |u_j| of J sorted in decreasing order (all > 0).
/// Returns the length of the run [first, first + length) of comparable magnitudes
/// (magnitudes[first] <= 2 magnitudes[first + length - 1]) with the largest energy (sum of squares);
/// ties go to the smaller first. {0, 0} for no magnitudes.
struct ComparableRun {
  std::size_t first = 0, length = 0;
};
ComparableRun maximal_energy_comparable_run(const std::vector<double>& magnitudes);

}  // namespace visalign::encoding
