#pragma once
// The regression side of the V1 predictivity (seed 001, METHODS.md "V1 predictivity") as the commands
// that compute it declare and report it: PLS with 25 components or ridge with a cross-validated penalty,
// random train/test splits of the stimuli, random halves of the repeats for each neuron's reliability,
// and the per-neuron table (accuracy, split-half r, Spearman-Brown reliability, noise-corrected r).
// Shared by `encoding predictivity` (features from a file) and `cnn predictivity` (a model's layers).

#include <cstdint>
#include <string>

#include "apps/command.hpp"
#include "encoding/neural_predictivity.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

struct PredictivityRegressionOptions {
  std::string regression = "pls";
  int pls_components = 25;
  std::string ridge_penalties = "0.01,0.1,1,10";
  int splits = 20;
  double train_fraction = 0.75;
  int reliability_splits = 10;
};

/// Declares --regression, --pls-components, --ridge-penalties, --splits, --train-fraction and
/// --reliability-splits (their values are the defaults shown).
void declare_predictivity_regression(PredictivityRegressionOptions& options, CommandDeclaration& declaration);

/// The library's options from the command's: the seed drives the train/test splits and the halves of
/// the repeats; pca_components is left at `pca_components` (0: the caller reduces the features itself).
/// std::invalid_argument naming the option for an unknown regression or a bad penalty list.
encoding::NeuralPredictivityOptions predictivity_settings(const PredictivityRegressionOptions& options, std::uint64_t seed,
                                                          int pca_components);

/// One row per neuron: neuron, accuracy, split_half_r, reliability_spearman_brown, noise_corrected, note
/// ("ok", or why the noise-corrected value is undefined).
fmri::TsvTable neuron_predictivity_table(const encoding::NeuralPredictivity& result);

}  // namespace visalign::apps
