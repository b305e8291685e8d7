#pragma once
// V1 predictivity (seed 001, "V1 neural response predictivity"): how well a model's features
// predict each recorded neuron, corrected for the neuron's own noise. Features (optionally reduced
// by PCA, the basis fitted on a separate image set) -> PLS regression (25 components) or ridge with
// a cross-validated penalty; per neuron the Pearson r on held-out stimuli divided by the square root
// of the neuron's Spearman-Brown corrected split-half reliability; the median over neurons.

#include <Eigen/Core>

#include <functional>
#include <optional>
#include <vector>

#include "encoding/ridge_regression.hpp"
#include "encoding/split_half_reliability.hpp"

namespace visalign::encoding {

enum class PredictivityRegression { pls, ridge };
PredictivityRegression parse_predictivity_regression(const std::string& name);  // "pls" / "ridge"

struct NeuralPredictivityOptions {
  PredictivityRegression regression = PredictivityRegression::pls;
  int pls_components = 25;          // clipped to what the training set supports (training stimuli - 1, features)
  RidgeOptions ridge;               // penalties {0.01, 0.1, 1, 10}, leave-one-out
  int pca_components = 1000;        // 0: no PCA; otherwise clipped to what the basis set supports
  int splits = 20;                  // repeated random train/test splits of the stimuli (when no separate training set)
  double train_fraction = 0.75;
  SplitHalfOptions reliability;     // random halves of the repeats, averaged over splits
  std::uint64_t seed = 0;
};

/// What the regression learns from and is tested on.
struct NeuralPredictivityData {
  Eigen::MatrixXd features;                  // stimuli x features, the stimuli with repeats
  std::vector<Eigen::MatrixXd> repeats;      // per repeat: stimuli x neurons (NaN: missing trial)
  std::optional<Eigen::MatrixXd> pca_basis;  // basis images x features: PCA fitted here (else on `features`)
  /// Optional separate training set (responses averaged over repeats): then the model is fitted on
  /// it once and tested on all the stimuli with repeats, instead of repeated splits.
  std::optional<Eigen::MatrixXd> training_features;   // training stimuli x features
  std::optional<Eigen::MatrixXd> training_responses;  // training stimuli x neurons
};

struct NeuralPredictivity {
  Eigen::MatrixXd split_accuracy;       // splits x neurons: Pearson r on each split's test stimuli (one row with a training set)
  Eigen::VectorXd accuracy;             // neurons: mean over splits (NaN where a split's r is undefined throughout)
  SplitHalfReliability reliability;     // neurons
  Eigen::VectorXd noise_corrected;      // neurons: accuracy / sqrt(Spearman-Brown reliability); NaN where undefined
  double median_accuracy = NAN, median_noise_corrected = NAN;
  int pca_components_used = 0, pls_components_used = 0;
  int neurons_undefined = 0;            // neurons whose noise-corrected value is undefined (reliability <= 0 or undefined)
};

/// std::invalid_argument for shapes that do not match (naming them), NaN features, fewer than 4
/// stimuli, no neurons. progress(done, total) over the splits.
NeuralPredictivity compute_neural_predictivity(const NeuralPredictivityData& data, const NeuralPredictivityOptions& options,
                                               const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::encoding
