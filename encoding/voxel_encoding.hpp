#pragma once
// The voxel-encoding model of the core study (figure 6): for one ROI and one CNN layer, a sparse
// linear model per vertex, y = X w with X = training images x (layer units + a constant column),
// fitted by ROMP (or OMP) on the regular (RE) images, its sparsity chosen per vertex by
// leave-one-out cross-validation on those images (or fixed); then the responses to the test
// images (AN, AI) are predicted from their layer activations and compared with the measured ones.

#include <Eigen/Core>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "encoding/matching_pursuit.hpp"
#include "encoding/prediction_accuracy.hpp"

namespace visalign::encoding {

struct VoxelEncodingOptions {
  PursuitOptions pursuit;                  // method, fixed sparsity (when no candidates), constant column
  std::vector<int> sparsity_candidates;    // leave-one-out choice among these; empty: pursuit.sparsity for every vertex
  AccuracyTestOptions accuracy;            // permutations, 80% vertex subsamples, seed, centring
};

/// Inputs of one ROI x layer model. Test sets are named (e.g. "AN", "AI"); their images are in the
/// same order in features and responses.
struct VoxelEncodingData {
  Eigen::MatrixXf training_features;                     // training images x units
  Eigen::MatrixXd training_responses;                    // training images x vertices
  std::map<std::string, Eigen::MatrixXf> test_features;  // test images x units, per test set
  std::map<std::string, Eigen::MatrixXd> test_responses; // test images x vertices, per test set
};

struct VoxelEncodingResult {
  std::vector<SparseModel> models;                        // per vertex
  std::vector<int> sparsity;                              // per vertex: the sparsity level used
  std::map<std::string, AccuracyTest> accuracy;           // per test set: pooled r, permutation p, subsample interval
  std::map<std::string, Eigen::VectorXd> vertex_accuracy; // per test set: Pearson r of each vertex over the test images
  std::map<std::string, Eigen::MatrixXd> predictions;     // per test set: test images x vertices
};

/// Checks shapes and values (std::invalid_argument naming the set, the expected and the found sizes;
/// NaN/Inf responses), fits and evaluates. progress(done, total) over the fitting steps.
VoxelEncodingResult fit_voxel_encoding(const VoxelEncodingData& data, const VoxelEncodingOptions& options,
                                       const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::encoding
