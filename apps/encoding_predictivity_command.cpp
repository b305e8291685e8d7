// visalign encoding predictivity: noise-corrected neural predictivity of a feature set (seed 001,
// "V1 neural response predictivity"): features -> PCA -> PLS (or ridge) -> held-out Pearson r per
// neuron / sqrt(its Spearman-Brown split-half reliability), and the median over neurons.

#include <cmath>
#include <cstdio>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/neural_responses.hpp"
#include "apps/predictivity_regression_options.hpp"
#include "encoding/neural_predictivity.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct EncodingPredictivityOptions {
  std::string features;
  NeuralResponseInput responses;
  std::string pca_basis;
  int pca_components = 1000;
  PredictivityRegressionOptions regression;
  std::string training_features, training_responses;
  std::string out;
};

void declare(EncodingPredictivityOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("features", po::value(&options.features)->required()->value_name("NPY"),
       "model features of the recorded stimuli: stimuli x features (e.g. a CNN layer's activations, or pixels)");
  declare_neural_responses(options.responses, declaration);
  declaration.options.add_options()
      ("pca-basis", po::value(&options.pca_basis)->value_name("NPY"),
       "features of a separate image set (images x features) on which the PCA basis is fitted; default: the training stimuli")
      ("pca-components", po::value(&options.pca_components)->default_value(options.pca_components),
       "PCA dimensions the features are reduced to before the regression (0: no PCA; clipped to what the basis supports)");
  declare_predictivity_regression(options.regression, declaration);
  declaration.options.add_options()
      ("train-features", po::value(&options.training_features)->value_name("NPY"),
       "a separate training set instead of splits: its features (training stimuli x features) ...")
      ("train-responses", po::value(&options.training_responses)->value_name("NPY"),
       "... and its responses averaged over repeats (training stimuli x neurons); then all stimuli of --responses are test stimuli")
      ("out", po::value(&options.out)->required()->value_name("TSV"),
       "per-neuron table: accuracy, split-half r, Spearman-Brown reliability, noise-corrected predictivity (+ .json provenance)");
}

void run(const EncodingPredictivityOptions& options, RunContext& context) {
  const encoding::NeuralPredictivityOptions settings =
      predictivity_settings(options.regression, context.global().seed, options.pca_components);
  if (options.training_features.empty() != options.training_responses.empty()) {
    throw std::invalid_argument("--train-features and --train-responses: give both or neither");
  }
  context.check_output_location(options.out);

  encoding::NeuralPredictivityData data;
  data.features = read_finite_matrix(options.features, context);
  data.repeats = read_neural_responses(options.responses, context);
  if (!options.pca_basis.empty()) data.pca_basis = read_finite_matrix(options.pca_basis, context);
  if (!options.training_features.empty()) {
    data.training_features = read_finite_matrix(options.training_features, context);
    data.training_responses = read_finite_matrix(options.training_responses, context);
  }
  if (data.features.rows() != data.repeats.front().rows()) {
    throw std::runtime_error(options.features + ": rows: expected " + std::to_string(data.repeats.front().rows()) + " stimuli (as " +
                             options.responses.file + " with layout " + options.responses.layout + "), found " +
                             std::to_string(data.features.rows()));
  }
  ProgressBar progress = context.progress("predictivity");
  const encoding::NeuralPredictivity result =
      encoding::compute_neural_predictivity(data, settings, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
  progress.finish();

  context.provenance().add_note("pca_components_used", result.pca_components_used);
  context.provenance().add_note("pls_components_used", result.pls_components_used);
  context.provenance().add_note("median_accuracy", result.median_accuracy);
  context.provenance().add_note("median_noise_corrected", result.median_noise_corrected);
  fmri::write_tsv(neuron_predictivity_table(result), options.out);
  context.finished_output(options.out);
  const std::string design = options.training_features.empty() ? std::to_string(options.regression.splits) + " train/test splits" : "separate training set";
  const std::string regression = settings.regression == encoding::PredictivityRegression::pls
                                     ? "PLS (" + std::to_string(result.pls_components_used) + " components)"
                                     : "ridge";
  std::printf("neurons: %ld (%d without a noise-corrected value), stimuli: %ld, repeats: %zu, %s\n",
              static_cast<long>(result.accuracy.size()), result.neurons_undefined, static_cast<long>(data.features.rows()),
              data.repeats.size(), design.c_str());
  std::printf("features: %ld -> PCA %d -> %s\n", static_cast<long>(data.features.cols()), result.pca_components_used, regression.c_str());
  std::printf("median accuracy r = %.4f, median noise-corrected predictivity = %.4f\n", result.median_accuracy, result.median_noise_corrected);
}

}  // namespace

Command encoding_predictivity_command() {
  return make_command<EncodingPredictivityOptions>(
      {"encoding", "predictivity", "noise-corrected neural predictivity of model features (V1 predictivity)",
       "How well a model's features predict recorded neurons (seed 001): features reduced by PCA (basis from\n"
       "a separate image set, or the training stimuli), PLS regression with 25 components (or ridge with a\n"
       "leave-one-out penalty), 20 random 75/25 train/test splits of the stimuli (or a separate training set);\n"
       "per neuron the mean held-out Pearson r, divided by the square root of the neuron's Spearman-Brown\n"
       "corrected split-half reliability (random halves of the repeats). Neurons whose reliability is undefined\n"
       "(fewer than 2 repeats, constant responses) or not positive are reported, not dropped silently.\n"
       "Prints the medians over neurons."},
      declare, run);
}

}  // namespace visalign::apps
