// visalign cnn predictivity: V1 predictivity of a model's layers, or of the V1 simulator's features (seed
// 001, METHODS.md "V1 predictivity"): features of the recorded stimuli -> scores on the principal axes of
// the same features of separate natural images -> PLS with 25 components (or ridge) over 20 random 75/25
// splits -> per neuron the held-out r divided by the square root of its split-half reliability -> the
// median over neurons, per layer; the layer with the highest median is the most V1-like.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "apps/commands.hpp"
#include "apps/layer_file_stem.hpp"
#include "apps/image_list.hpp"
#include "apps/layer_predictivity.hpp"
#include "apps/option_lists.hpp"
#include "apps/predictivity_regression_options.hpp"
#include "apps/similarity_table.hpp"
#include "apps/svg_plot.hpp"
#include "apps/v1_model_options.hpp"
#include "cnn/v1_model.hpp"
#include "fmri/npy.hpp"
#include "fmri/response_repeats.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

namespace {

struct CnnPredictivityOptions {
  std::string spikes;
  std::string images, basis_images;
  int components = 1000;
  ClassifierInputOptions model;  // the model alone: --model/--grey/--network and the model options (--device)
  std::string layers;
  bool v1_simulator = false;
  cnn::V1ModelSpec v1;
  PredictivityRegressionOptions regression;
  double memory_gib = 4.0;
  std::string out;
};

void declare(CnnPredictivityOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("spikes", po::value(&options.spikes)->required()->value_name("NPY"),
       "spike counts with repeats: stimuli x neurons x repeats (at least 2 repeats), e.g. spikes.npy of 'cnn v1-simulate'")
      ("images", po::value(&options.images)->required()->value_name("DIR|TSV"),
       "the stimuli in the order of the spikes' rows: a folder (sorted by name) or a TSV with a 'file' column (the --images "
       "given to 'cnn v1-simulate', not its images.tsv, which has no files)")
      ("basis-images", po::value(&options.basis_images)->required()->value_name("DIR|TSV"),
       "separate natural images (none of the stimuli) on whose features the PCA axes are fitted, e.g. the rest of "
       "stimuli/imagenet1000_224")
      ("components", po::value(&options.components)->default_value(options.components),
       "principal axes of the basis features the regression sees (at most basis images - 1 exist)");
  declare_model_input(options.model, declaration);
  declaration.options.add_options()
      ("layers", po::value(&options.layers)->default_value(""), "comma-separated layers as 'cnn layers' lists them (default: every layer)")
      ("v1-simulator", po::bool_switch(&options.v1_simulator),
       "instead of --model/--network: the V1 simulator's expected counts (the --v1-* options, as 'cnn v1-simulate' takes "
       "them without the prefix) are the features");
  declare_v1_model_options(options.v1, declaration, "v1-");
  declare_predictivity_regression(options.regression, declaration);
  declaration.options.add_options()
      ("memory-gib", po::value(&options.memory_gib)->default_value(options.memory_gib),
       "activations held in memory at once (stimuli and basis images); layers are read in groups that fit, one pass each")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: summary.tsv (layer, units, components, median_noise_corrected_r, median_r, ...), <layer>.neurons.tsv "
       "per layer and predictivity.svg (+ .json provenance)");
}

/// Spike counts stimuli x neurons x repeats as one matrix per repeat; FormatError naming the file and its
/// shape unless it is 3-D with at least 2 repeats (the reliability needs two halves).
std::vector<Eigen::MatrixXd> read_spikes(const std::string& file, RunContext& context) {
  context.provenance().add_input(file);
  const fmri::NpyArray array = fmri::read_npy(file);
  std::string shape;
  for (std::int64_t extent : array.shape) shape += (shape.empty() ? "" : " x ") + std::to_string(extent);
  if (array.shape.size() != 3) {
    throw surface::FormatError(file, "shape: expected 3 axes (stimuli x neurons x repeats), found " +
                                         (shape.empty() ? std::string("a scalar") : shape));
  }
  if (array.shape[2] < 2) {
    throw surface::FormatError(file, "shape " + shape + ": expected at least 2 repeats (last axis) for the split-half reliability, found " +
                                         std::to_string(array.shape[2]));
  }
  return fmri::response_repeats(array, fmri::parse_response_layout("stimuli,neurons,repeats"), 0, file);
}

/// The basis must be separate from the stimuli: the same file in both would let the PCA axes see a stimulus.
void require_separate_basis(const ImageList& stimuli, const ImageList& basis, const std::string& basis_option) {
  std::set<std::filesystem::path> stimulus_files;
  for (const auto& file : stimuli.files) stimulus_files.insert(std::filesystem::weakly_canonical(file));
  std::size_t shared = 0;
  std::string first;
  for (const auto& file : basis.files) {
    if (stimulus_files.count(std::filesystem::weakly_canonical(file)) > 0) {
      if (shared++ == 0) first = file.string();
    }
  }
  if (shared > 0) {
    throw std::invalid_argument("--basis-images " + basis_option + ": expected images separate from --images, found " +
                                std::to_string(shared) + " of the stimuli among them (first: " + first + ")");
  }
  if (basis.files.size() < 2) {
    throw std::invalid_argument("--basis-images " + basis_option + ": expected at least 2 images, found " + std::to_string(basis.files.size()));
  }
}

void run(const CnnPredictivityOptions& options, RunContext& context) {
  // Everything that can be wrong is checked before the model sees an image and before the output folder exists.
  LayerPredictivitySettings settings;
  settings.components = options.components;
  settings.memory_gib = options.memory_gib;
  settings.regression = predictivity_settings(options.regression, context.global().seed, 0);
  if (options.components < 1) throw std::invalid_argument("--components: expected >= 1, found " + std::to_string(options.components));
  if (!(options.memory_gib > 0)) throw std::invalid_argument("--memory-gib: expected > 0, found " + std::to_string(options.memory_gib));
  const bool has_model = !options.model.model.empty() || !options.model.network.empty();
  if (options.v1_simulator == has_model) {
    throw std::invalid_argument("give exactly one of --model, --network and --v1-simulator (the features to predict the spikes from)");
  }
  if (options.v1_simulator && !options.layers.empty()) {
    throw std::invalid_argument("--layers: the V1 simulator has one feature set (its neurons); --layers is for --model/--network");
  }
  if (options.v1_simulator) cnn::validate_v1_model_spec(options.v1);

  const std::vector<Eigen::MatrixXd> repeats = read_spikes(options.spikes, context);
  const auto stimuli = static_cast<std::int64_t>(repeats.front().rows());
  const ImageList stimulus_list = read_image_list(options.images);
  if (static_cast<std::int64_t>(stimulus_list.files.size()) != stimuli) {
    throw std::invalid_argument("--images " + options.images + ": expected " + std::to_string(stimuli) + " images (the stimuli of " +
                                options.spikes + "), found " + std::to_string(stimulus_list.files.size()));
  }
  context.provenance().add_input(options.images);
  const ImageList basis_list = read_image_list(options.basis_images);
  require_separate_basis(stimulus_list, basis_list, options.basis_images);
  context.provenance().add_input(options.basis_images);
  std::vector<std::filesystem::path> files = stimulus_list.files;  // stimuli first, then the basis images
  files.insert(files.end(), basis_list.files.begin(), basis_list.files.end());

  std::vector<FeaturePredictivity> results;
  std::string description;
  const std::filesystem::path folder = options.out;
  if (options.v1_simulator) {
    const cnn::V1Model simulator = cnn::V1Model::create(options.v1, options.model.model_options.device, context.global().threads);
    description = "V1 simulator (population seed " + std::to_string(options.v1.seed) + ")";
    std::filesystem::create_directories(folder);
    context.check_output_location(folder / "summary.tsv");
    const cnn::Preprocessing preprocessing = v1_stimulus_preprocessing(options.v1);  // as 'cnn v1-simulate' shows them
    Eigen::MatrixXf rates;
    {
      ProgressBar progress = context.progress("V1 rates");
      rates = simulator.rates(cnn::load_images(files, preprocessing), 100,
                              [&](std::size_t done, std::size_t total) { progress.update(done, total); });
      progress.finish();
    }
    ProgressBar progress = context.progress("predictivity v1_simulator");
    results.push_back(feature_predictivity("v1_simulator", rates.topRows(stimuli), rates.bottomRows(rates.rows() - stimuli), repeats, settings,
                                           [&](std::size_t done, std::size_t total) { progress.update(done, total); }));
    progress.finish();
  } else {
    const LayerModel model = LayerModel::load(options.model, context);
    description = model.description();
    const std::vector<std::string> layers = model.chosen_layers(options.layers, "--layers");
    std::filesystem::create_directories(folder);
    context.check_output_location(folder / "summary.tsv");
    // The model sees every stimulus whole, as the simulator and the recordings did: shorter side to the model's
    // input size, then the centre crop (not the ImageNet resize to --resize and crop, which would zoom in).
    cnn::Preprocessing framing = model.file_preprocessing();
    framing.resize_shorter = static_cast<int>(std::min(model.height(), model.width()));
    const cnn::ImageBatch images = cnn::load_images(files, framing);
    std::printf("%s: %zu layers; %lld stimuli + %zu basis images of %lld x %lld x %lld\n", description.c_str(), layers.size(),
                static_cast<long long>(stimuli), basis_list.files.size(), static_cast<long long>(images.channels),
                static_cast<long long>(images.height), static_cast<long long>(images.width));
    results = layer_predictivities(model, images, stimuli, layers, repeats, settings, context);
  }

  fmri::TsvTable summary;
  summary.columns = {"layer", "units", "components", "median_noise_corrected_r", "median_r", "neurons", "neurons_used",
                     "pls_components", "stimuli", "repeats", "basis_images"};
  Plot plot;
  plot.title = "V1 predictivity of " + description;
  plot.x_label = "layer (in model order)";
  plot.y_label = "median over neurons";
  plot.note = std::to_string(stimuli) + " stimuli, " + std::to_string(basis_list.files.size()) + " basis images, " +
              (settings.regression.regression == encoding::PredictivityRegression::pls ? "PLS" : "ridge") + ", " +
              std::to_string(options.regression.splits) + " splits";
  plot.reference_y = 0;
  PlotSeries corrected, raw;
  corrected.label = "noise-corrected r";
  raw.label = "r (uncorrected)";
  corrected.markers = raw.markers = true;
  std::size_t best = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const FeaturePredictivity& layer = results[i];
    const encoding::NeuralPredictivity& result = layer.result;
    const auto neurons = static_cast<long long>(result.accuracy.size());
    summary.rows.push_back({layer.layer, std::to_string(layer.units), std::to_string(layer.components),
                            table_number(result.median_noise_corrected), table_number(result.median_accuracy), std::to_string(neurons),
                            std::to_string(neurons - result.neurons_undefined),
                            settings.regression.regression == encoding::PredictivityRegression::pls ? std::to_string(result.pls_components_used) : "n/a",
                            std::to_string(stimuli), std::to_string(repeats.size()), std::to_string(basis_list.files.size())});
    const std::filesystem::path file = folder / (layer_file_stem(layer.layer) + ".neurons.tsv");
    fmri::write_tsv(neuron_predictivity_table(result), file);
    context.record_output(file);
    corrected.x.push_back(static_cast<double>(i + 1));
    corrected.y.push_back(result.median_noise_corrected);
    corrected.point_labels.push_back(layer.layer);
    raw.x.push_back(static_cast<double>(i + 1));
    raw.y.push_back(result.median_accuracy);
    // NaN medians never win; ties go to the earlier layer.
    if (std::isfinite(result.median_noise_corrected) &&
        (!std::isfinite(results[best].result.median_noise_corrected) || result.median_noise_corrected > results[best].result.median_noise_corrected)) {
      best = i;
    }
    std::printf("%-16s units %9lld  components %4d  median noise-corrected r %s  median r %s  (%lld of %lld neurons)\n",
                layer.layer.c_str(), static_cast<long long>(layer.units), layer.components, table_number(result.median_noise_corrected).c_str(),
                table_number(result.median_accuracy).c_str(), neurons - result.neurons_undefined, neurons);
  }
  plot.series = {corrected, raw};
  write_svg(plot, folder / "predictivity.svg");
  context.record_output(folder / "predictivity.svg");
  const FeaturePredictivity& winner = results[best];
  context.provenance().add_note("most_v1_like_layer", winner.layer);
  context.provenance().add_note("most_v1_like_median_noise_corrected_r", winner.result.median_noise_corrected);
  fmri::write_tsv(summary, folder / "summary.tsv");
  context.finished_output(folder / "summary.tsv");
  std::printf("most V1-like layer: %s (median noise-corrected r %s, %zu layers)\n", winner.layer.c_str(),
              table_number(winner.result.median_noise_corrected).c_str(), results.size());
}

}  // namespace

Command cnn_predictivity_command() { return make_command<CnnPredictivityOptions>(cnn_predictivity_info(), declare, run); }

}  // namespace visalign::apps
