#include "apps/predictivity_regression_options.hpp"

#include <cmath>

#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"

namespace visalign::apps {

void declare_predictivity_regression(PredictivityRegressionOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("regression", po::value(&options.regression)->default_value(options.regression), "pls (the method) or ridge")
      ("pls-components", po::value(&options.pls_components)->default_value(options.pls_components),
       "PLS components (clipped to training stimuli - 1)")
      ("ridge-penalties", po::value(&options.ridge_penalties)->default_value(options.ridge_penalties),
       "ridge penalties tried by leave-one-out cross-validation (--regression ridge)")
      ("splits", po::value(&options.splits)->default_value(options.splits), "random train/test splits of the stimuli")
      ("train-fraction", po::value(&options.train_fraction)->default_value(options.train_fraction),
       "share of the stimuli in each split's training set")
      ("reliability-splits", po::value(&options.reliability_splits)->default_value(options.reliability_splits),
       "random halves of the repeats averaged for each neuron's split-half reliability");
}

encoding::NeuralPredictivityOptions predictivity_settings(const PredictivityRegressionOptions& options, std::uint64_t seed,
                                                          int pca_components) {
  encoding::NeuralPredictivityOptions settings;
  settings.regression = encoding::parse_predictivity_regression(options.regression);
  settings.pls_components = options.pls_components;
  settings.ridge.penalties = parse_number_list(options.ridge_penalties, "ridge-penalties");
  settings.pca_components = pca_components;
  settings.splits = options.splits;
  settings.train_fraction = options.train_fraction;
  settings.reliability.splits = options.reliability_splits;
  settings.reliability.seed = seed;
  settings.seed = seed;
  return settings;
}

fmri::TsvTable neuron_predictivity_table(const encoding::NeuralPredictivity& result) {
  fmri::TsvTable table;
  table.columns = {"neuron", "accuracy", "split_half_r", "reliability_spearman_brown", "noise_corrected", "note"};
  for (Eigen::Index j = 0; j < result.accuracy.size(); ++j) {
    std::string note = result.reliability.undefined_reason[static_cast<std::size_t>(j)];
    if (note.empty() && !std::isfinite(result.noise_corrected(j))) note = "reliability <= 0 or accuracy undefined";
    table.rows.push_back({std::to_string(j), table_number(result.accuracy(j)), table_number(result.reliability.half_correlation(j)),
                          table_number(result.reliability.spearman_brown(j)), table_number(result.noise_corrected(j)),
                          note.empty() ? "ok" : note});
  }
  return table;
}

}  // namespace visalign::apps
