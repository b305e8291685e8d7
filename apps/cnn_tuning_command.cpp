// visalign cnn tuning: in-silico electrophysiology (METHODS.md section 2, "Spatial-frequency tuning"; seed 001):
// the Gabor set through a model, the spatial-frequency and orientation tuning of the centre unit of every
// channel of the chosen layers, each layer's preferred-frequency distribution and its V1 score against De
// Valois et al. (1982). With --v1-simulator the units are the neurons of the V1 simulator (cnn::V1Model) instead,
// and the command also reports how well their drawn preferred frequencies are recovered.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/layer_file_stem.hpp"
#include "apps/image_montage.hpp"
#include "apps/layer_model.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "apps/svg_plot.hpp"
#include "apps/v1_model_options.hpp"
#include "cnn/gabor_stimuli.hpp"
#include "cnn/spatial_frequency_score.hpp"
#include "cnn/tuning_curves.hpp"
#include "cnn/v1_model.hpp"
#include "cnn/v1_spatial_frequencies.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct CnnTuningOptions {
  ClassifierInputOptions input;  // the model alone: --model/--grey/--network and the model options
  std::string layers;
  bool v1_simulator = false;     // the units are the V1 simulator's neurons instead of a model's layers
  cnn::V1ModelSpec v1;           // its population (--v1-...); field_of_view 0: the Gabor set's
  int image_size = 0;
  double field_of_view = 0, sigma = 0, gamma = 1;
  std::string frequencies;
  int orientations = 10, phases = 10;
  int units = 150, samples = 1000;
  double flat_tolerance = 1e-4;
  std::string out;
};

void declare(CnnTuningOptions& options, CommandDeclaration& declaration) {
  declare_model_input(options.input, declaration);
  declaration.options.add_options()
      ("layers", po::value(&options.layers),
       "comma-separated convolutional layers ('cnn layers' lists them); each needs a channels x height x width output "
       "(required with --model or --network)")
      ("v1-simulator", po::bool_switch(&options.v1_simulator),
       "instead of a model: record the neurons of the V1 simulator ('cnn v1-simulate'; --v1-... options), their expected "
       "spike counts as the responses, one layer named v1_simulator; it sees the Gabor set's images (--image-size, 0: 224 "
       "px) over the set's field of view; the tuning table adds each neuron's drawn preferred frequency and the summary how "
       "many are recovered");
  // 0 by default: the simulator sees the stimuli's degrees (METHODS' 35 px per degree) unless told otherwise.
  options.v1.field_of_view = 0;
  declare_v1_model_options(options.v1, declaration, "v1-", /*with_image_size=*/false);
  declaration.options.add_options()
      ("image-size", po::value(&options.image_size)->default_value(options.image_size),
       "Gabor images of this many pixels square (0: the model's input: --crop for a TorchScript model, the checkpoint's "
       "size for a network); for a TorchScript model it replaces --crop")
      ("field-of-view", po::value(&options.field_of_view)->default_value(options.field_of_view),
       "degrees spanned by the image (0: METHODS' 35 px per degree, i.e. 6.4 degrees at 224 px, 0.8 at 28 px; with "
       "--v1-simulator: --v1-field-of-view when that is given)")
      ("sigma", po::value(&options.sigma)->default_value(options.sigma),
       "Gaussian envelope of the patches in pixels (0: METHODS' 35 px at 224 px, scaled with the image size)")
      ("gamma", po::value(&options.gamma)->default_value(options.gamma), "aspect ratio of the envelope")
      ("frequencies", po::value(&options.frequencies)->default_value(""),
       "comma-separated spatial frequencies in cycles/image (default: METHODS' 2.5,3.5,5,7.1,10,14.1,20,28.3,40,56, "
       "without those above the Nyquist frequency of smaller images, which would alias)")
      ("orientations", po::value(&options.orientations)->default_value(options.orientations),
       "number of orientations, evenly in [0, 172.5] degrees as METHODS")
      ("phases", po::value(&options.phases)->default_value(options.phases), "number of phases, evenly in [0, 360) degrees")
      ("flat-tolerance", po::value(&options.flat_tolerance)->default_value(options.flat_tolerance),
       "drop units whose tuning curve's peak-to-peak is at most this fraction of the unit's largest |response| to one "
       "stimulus: METHODS drops flat curves, and 1e-4 also drops those flat up to float rounding, as a linear unit's "
       "(a convolution before its ReLU) are, its mean over evenly spaced phases being the same at every frequency; "
       "0: only curves that are exactly flat")
      ("units", po::value(&options.units)->default_value(options.units), "units recorded per in-silico experiment (drawn with replacement)")
      ("samples", po::value(&options.samples)->default_value(options.samples),
       "in-silico experiments per layer (their scores give the mean and SD; drawn from --seed)")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <layer>.tuning.tsv and <layer>.sf_histogram.svg per layer, summary.tsv, stimuli.tsv, stimuli.png");
  declaration.positional.add("model", 1);
}

/// The stimulus set the options describe for images of `image_size` pixels with `channels` channels.
cnn::ScaledGaborStimulusSpec stimulus_spec_of(const CnnTuningOptions& options, int image_size, int channels) {
  if (options.orientations < 1) throw std::invalid_argument("--orientations: expected >= 1, found " + std::to_string(options.orientations));
  if (options.phases < 1) throw std::invalid_argument("--phases: expected >= 1, found " + std::to_string(options.phases));
  if (options.field_of_view < 0) throw std::invalid_argument("--field-of-view: expected degrees > 0 (or 0), found " + table_number(options.field_of_view));
  if (options.sigma < 0) throw std::invalid_argument("--sigma: expected pixels > 0 (or 0), found " + table_number(options.sigma));
  if (!(options.gamma > 0)) throw std::invalid_argument("--gamma: expected > 0, found " + table_number(options.gamma));
  cnn::ScaledGaborStimulusSpec scaled = cnn::scaled_gabor_stimulus_spec(cnn::GaborStimulusSpec{}, image_size);
  cnn::GaborStimulusSpec& spec = scaled.spec;
  spec.channels = channels;
  if (options.field_of_view > 0) spec.field_of_view = options.field_of_view;
  if (options.sigma > 0) spec.sigma = options.sigma;
  spec.gamma = options.gamma;
  if (!options.frequencies.empty()) {
    spec.frequencies = parse_number_list(options.frequencies, "frequencies");
    scaled.dropped_frequencies.clear();
    for (const double frequency : spec.frequencies) {
      if (!(frequency > 0) || frequency > image_size / 2.0) {
        throw std::invalid_argument("--frequencies: expected cycles/image in (0, " + table_number(image_size / 2.0) + "] (the Nyquist frequency of " +
                                    std::to_string(image_size) + " px images), found " + table_number(frequency));
      }
    }
  }
  spec.orientations = cnn::evenly_spaced(0.0, 172.5, static_cast<std::size_t>(options.orientations));
  spec.phases = cnn::evenly_spaced(0.0, 360.0 - 360.0 / options.phases, static_cast<std::size_t>(options.phases));
  cnn::validate_gabor_stimulus_spec(spec);
  return scaled;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

std::string fixed3(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

/// A histogram as the outline of its bars: (edge, 0), (edge, p0), (next edge, p0), ... (last edge, 0).
PlotSeries histogram_outline(const std::string& label, const std::vector<double>& edges, const std::vector<double>& counts) {
  double total = 0;
  for (const double count : counts) total += count;
  PlotSeries series;
  series.label = label;
  series.x.push_back(edges.front());
  series.y.push_back(0.0);
  for (std::size_t bin = 0; bin < counts.size(); ++bin) {
    const double fraction = total > 0 ? counts[bin] / total : 0.0;
    series.x.insert(series.x.end(), {edges[bin], edges[bin + 1]});
    series.y.insert(series.y.end(), {fraction, fraction});
  }
  series.x.push_back(edges.back());
  series.y.push_back(0.0);
  return series;
}

struct LayerResult {
  cnn::LayerInfo layer;
  std::vector<Eigen::Index> units;  // centre unit of each channel (the simulator: every neuron)
  Eigen::MatrixXf responses;        // stimuli x channels
  std::vector<cnn::V1Neuron> neurons;  // the simulator's neurons, one per unit; empty for a model's layers
};

/// The units' responses to the Gabor set and what they came from.
struct TuningResponses {
  std::string description;  // the model, or the simulated population
  cnn::ScaledGaborStimulusSpec stimuli;
  std::vector<LayerResult> layers;
};

/// The output folder, created and checked before the long work.
std::filesystem::path prepare_output_folder(const CnnTuningOptions& options, RunContext& context) {
  const std::filesystem::path folder = options.out;
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "summary.tsv");
  return folder;
}

/// The centre units of the chosen layers of a model (--model / --network).
TuningResponses model_responses(const CnnTuningOptions& options, RunContext& context) {
  if (options.layers.empty()) throw std::invalid_argument("--layers: required with --model or --network ('cnn layers' lists them)");
  ClassifierInputOptions input = options.input;
  if (options.image_size > 0 && !input.model.empty()) input.model_options.crop = options.image_size;
  const std::vector<std::string> names = split_option_list(options.layers, "layers");
  // Everything is checked before the long work and before any output: the model, its size, the layers.
  const LayerModel model = LayerModel::load(input, context);
  if (model.height() != model.width()) {
    throw std::invalid_argument("the Gabor set is square; the model takes " + std::to_string(model.height()) + " x " + std::to_string(model.width()) + " images");
  }
  if (options.image_size > 0 && options.image_size != model.height()) {
    throw std::invalid_argument("--image-size: the network takes " + std::to_string(model.height()) + " px images, found " +
                                std::to_string(options.image_size));
  }
  const int image_size = static_cast<int>(model.height());
  TuningResponses result{model.description(), stimulus_spec_of(options, image_size, static_cast<int>(model.channels())), {}};
  const cnn::GaborStimulusSpec& spec = result.stimuli.spec;
  model.require_layers(names, "--layers");
  const std::vector<cnn::LayerInfo> available = model.layers();
  std::vector<LayerResult>& layers = result.layers;
  std::size_t units_per_image = 0;
  for (const std::string& name : names) {
    const auto found = std::find_if(available.begin(), available.end(), [&](const cnn::LayerInfo& layer) { return layer.name == name; });
    LayerResult layer{*found, cnn::centre_unit_indices(*found), {}, {}};
    std::size_t units = 1;
    for (const std::int64_t size : found->shape) units *= static_cast<std::size_t>(size);
    units_per_image += units;
    layers.push_back(std::move(layer));
  }
  prepare_output_folder(options, context);

  // The set runs in chunks whose activations (every unit of every layer) stay near 256 MB; only the
  // centre units are kept. Activations do not depend on the chunking (eval mode, one image at a time).
  const std::vector<cnn::GaborStimulus> stimuli = cnn::gabor_stimuli(spec);
  const std::size_t chunk = std::clamp<std::size_t>((std::size_t{256} << 20) / (4 * units_per_image + 1), 1, 500);
  for (LayerResult& layer : layers) layer.responses.resize(static_cast<Eigen::Index>(stimuli.size()), static_cast<Eigen::Index>(layer.units.size()));
  ProgressBar progress = context.progress("Gabor responses");
  for (std::size_t first = 0; first < stimuli.size(); first += chunk) {
    const std::size_t count = std::min(chunk, stimuli.size() - first);
    const cnn::ImageBatch images = cnn::gabor_images(spec, first, count);
    const std::vector<Eigen::MatrixXf> activations =
        model.activations(images, names, [&](std::size_t done, std::size_t) { progress.update(first + done, stimuli.size()); });
    for (std::size_t l = 0; l < layers.size(); ++l) {
      layers[l].responses.middleRows(static_cast<Eigen::Index>(first), static_cast<Eigen::Index>(count)) =
          activations[l](Eigen::all, layers[l].units);
    }
  }
  progress.finish();
  return result;
}

/// The V1 simulator's neurons (--v1-simulator): one layer "v1_simulator" whose units are the neurons and whose
/// responses are their expected spike counts (cnn::V1Model::rates). The simulator sees the Gabor set's images:
/// its image size is the set's, and its field of view the set's (--v1-field-of-view, when given, sets both).
TuningResponses simulator_responses(const CnnTuningOptions& options, RunContext& context) {
  if (!options.input.model.empty() || !options.input.network.empty()) {
    throw std::invalid_argument("--v1-simulator: the simulated neurons are the units; give no --model or --network with it");
  }
  if (!options.layers.empty()) {
    throw std::invalid_argument("--layers: not used with --v1-simulator (its one layer is v1_simulator), found '" + options.layers + "'");
  }
  if (options.v1.field_of_view < 0) {
    throw std::invalid_argument("--v1-field-of-view: expected degrees > 0 (or 0: the Gabor set's), found " + table_number(options.v1.field_of_view));
  }
  if (options.v1.field_of_view > 0 && options.field_of_view > 0 && options.v1.field_of_view != options.field_of_view) {
    throw std::invalid_argument("--v1-field-of-view: the simulator sees the Gabor set's images, so it must equal --field-of-view (" +
                                table_number(options.field_of_view) + "), found " + table_number(options.v1.field_of_view));
  }
  const int image_size = options.image_size > 0 ? options.image_size : cnn::GaborStimulusSpec{}.image_size;
  CnnTuningOptions stimulus_options = options;
  if (options.field_of_view == 0) stimulus_options.field_of_view = options.v1.field_of_view;
  TuningResponses result{"", stimulus_spec_of(stimulus_options, image_size, 1), {}};
  const cnn::GaborStimulusSpec& spec = result.stimuli.spec;
  cnn::V1ModelSpec v1 = options.v1;
  v1.image_size = spec.image_size;
  v1.field_of_view = spec.field_of_view;
  cnn::validate_v1_model_spec(v1);
  const cnn::V1Model simulator = cnn::V1Model::create(v1, options.input.model_options.device, context.global().threads);
  result.description = "the V1 simulator (" + std::to_string(v1.simple_cells) + " simple + " + std::to_string(v1.complex_cells) +
                       " complex cells, population seed " + std::to_string(v1.seed) + ", on " + simulator.device() + ")";
  context.provenance().add_note("v1_simulator", nlohmann::json{{"simple_cells", v1.simple_cells}, {"complex_cells", v1.complex_cells},
                                                               {"image_size", v1.image_size}, {"field_of_view_degrees", v1.field_of_view},
                                                               {"bandwidth_octaves", v1.bandwidth_octaves}, {"rf_jitter_degrees", v1.rf_jitter},
                                                               {"peak_rate", v1.peak_rate}, {"baseline_rate", v1.baseline_rate},
                                                               {"population_seed", v1.seed}});
  const auto neuron_count = static_cast<Eigen::Index>(simulator.neurons().size());
  LayerResult layer{{"v1_simulator", {neuron_count}}, {}, {}, simulator.neurons()};
  for (Eigen::Index n = 0; n < neuron_count; ++n) layer.units.push_back(n);
  prepare_output_folder(options, context);

  // Images in chunks of 200 (40 MB at 224 px): the rates of an image do not depend on its batch.
  const std::vector<cnn::GaborStimulus> stimuli = cnn::gabor_stimuli(spec);
  constexpr std::size_t chunk = 200;
  layer.responses.resize(static_cast<Eigen::Index>(stimuli.size()), neuron_count);
  ProgressBar progress = context.progress("Gabor responses");
  for (std::size_t first = 0; first < stimuli.size(); first += chunk) {
    const std::size_t count = std::min(chunk, stimuli.size() - first);
    layer.responses.middleRows(static_cast<Eigen::Index>(first), static_cast<Eigen::Index>(count)) =
        simulator.rates(cnn::gabor_images(spec, first, count), 100,
                        [&](std::size_t done, std::size_t) { progress.update(first + done, stimuli.size()); });
  }
  progress.finish();
  result.layers.push_back(std::move(layer));
  return result;
}

/// How well the tuning recovers the simulator's drawn preferred frequencies, over its tuned neurons.
struct FrequencyRecovery {
  std::size_t neurons = 0;          // tuned neurons compared
  std::size_t within_one_step = 0;  // preferred stimulus frequency at most one step from the one nearest the drawn frequency
  double log_correlation = 0;       // Pearson r of log preferred and log drawn frequency (NaN for fewer than 2 neurons or no spread)
};

/// Per neuron: the stimulus frequency (index) nearest its drawn frequency on a log scale; a drawn frequency
/// beyond the set's range is nearest its end, which is the best any tuning curve on the set can say.
std::size_t nearest_frequency_index(const std::vector<double>& frequencies_cpd, double drawn_cpd) {
  std::size_t nearest = 0;
  for (std::size_t k = 1; k < frequencies_cpd.size(); ++k) {
    if (std::fabs(std::log(frequencies_cpd[k] / drawn_cpd)) < std::fabs(std::log(frequencies_cpd[nearest] / drawn_cpd))) nearest = k;
  }
  return nearest;
}

FrequencyRecovery frequency_recovery(const cnn::TuningCurves& tuning, const std::vector<cnn::V1Neuron>& neurons) {
  FrequencyRecovery recovery;
  double sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0, sum_xy = 0;
  for (std::size_t n = 0; n < neurons.size(); ++n) {
    if (!tuning.tuned[n]) continue;
    const std::size_t preferred = tuning.preferred_frequency_index[n];
    const std::size_t nearest = nearest_frequency_index(tuning.frequencies_cycles_per_degree, neurons[n].frequency_cpd);
    recovery.neurons += 1;
    recovery.within_one_step += (preferred + 1 >= nearest && preferred <= nearest + 1) ? 1 : 0;
    const double x = std::log(tuning.frequencies_cycles_per_degree[preferred]), y = std::log(neurons[n].frequency_cpd);
    sum_x += x;
    sum_y += y;
    sum_xx += x * x;
    sum_yy += y * y;
    sum_xy += x * y;
  }
  const auto count = static_cast<double>(recovery.neurons);
  const double covariance = sum_xy - sum_x * sum_y / count;
  const double spread = std::sqrt((sum_xx - sum_x * sum_x / count) * (sum_yy - sum_y * sum_y / count));
  recovery.log_correlation = recovery.neurons >= 2 && spread > 0 ? covariance / spread : std::numeric_limits<double>::quiet_NaN();
  return recovery;
}

void run(const CnnTuningOptions& options, RunContext& context) {
  if (options.units < 1) throw std::invalid_argument("--units: expected >= 1, found " + std::to_string(options.units));
  if (options.samples < 1) throw std::invalid_argument("--samples: expected >= 1, found " + std::to_string(options.samples));
  if (!(options.flat_tolerance >= 0) || !std::isfinite(options.flat_tolerance)) {
    throw std::invalid_argument("--flat-tolerance: expected >= 0, found " + table_number(options.flat_tolerance));
  }
  if (options.image_size < 0) throw std::invalid_argument("--image-size: expected pixels >= 2 (or 0), found " + std::to_string(options.image_size));
  const TuningResponses responses = options.v1_simulator ? simulator_responses(options, context) : model_responses(options, context);
  const cnn::ScaledGaborStimulusSpec& scaled = responses.stimuli;
  const cnn::GaborStimulusSpec& spec = scaled.spec;
  const std::vector<LayerResult>& layers = responses.layers;
  const std::vector<cnn::GaborStimulus> stimuli = cnn::gabor_stimuli(spec);
  const std::filesystem::path folder = options.out;

  nlohmann::json stimulus_note = {{"image_size", spec.image_size}, {"field_of_view_degrees", spec.field_of_view}, {"sigma_pixels", spec.sigma},
                                  {"gamma", spec.gamma}, {"orientations_degrees", spec.orientations}, {"phases_degrees", spec.phases},
                                  {"frequencies_cycles_per_image", spec.frequencies}, {"channels", spec.channels},
                                  {"frequencies_dropped_above_nyquist", scaled.dropped_frequencies}, {"model", responses.description}};
  context.provenance().add_note("gabor_stimuli", stimulus_note);
  {
    fmri::TsvTable table;
    table.columns = {"stimulus", "orientation_deg", "phase_deg", "cycles_per_image", "cycles_per_degree"};
    for (std::size_t s = 0; s < stimuli.size(); ++s) {
      table.rows.push_back({std::to_string(s), table_number(stimuli[s].orientation_deg), table_number(stimuli[s].phase_deg),
                            table_number(stimuli[s].cycles_per_image), table_number(stimuli[s].cycles_per_degree)});
    }
    fmri::write_tsv(table, folder / "stimuli.tsv");
    context.record_output(folder / "stimuli.tsv");
    // A look at the set: every frequency at the first phase, for the first and the middle orientation.
    cnn::ImageBatch examples;
    for (const std::size_t orientation : {std::size_t{0}, spec.orientations.size() / 2}) {
      for (std::size_t frequency = 0; frequency < spec.frequencies.size(); ++frequency) {
        const cnn::ImageBatch one = cnn::gabor_images(spec, (frequency * spec.orientations.size() + orientation) * spec.phases.size(), 1);
        examples.channels = one.channels;
        examples.height = one.height;
        examples.width = one.width;
        examples.count += 1;
        examples.values.insert(examples.values.end(), one.values.begin(), one.values.end());
      }
    }
    write_image_montage(folder / "stimuli.png", {&examples}, static_cast<int>(spec.frequencies.size()));
    context.record_output(folder / "stimuli.png");
  }

  const cnn::SpatialFrequencyHistogram de_valois = cnn::de_valois_v1_distribution();
  fmri::TsvTable summary;
  summary.columns = {"layer", "shape", "channels", "tuned_units", "dropped_units", "score_mean", "score_sd", "score_whole"};
  for (std::size_t bin = 0; bin + 1 < de_valois.edges.size(); ++bin) {
    summary.columns.push_back("count_" + table_number(de_valois.edges[bin]) + "_" + table_number(de_valois.edges[bin + 1]));
  }
  // The simulator's neurons have known preferred frequencies: how many the tuning finds (tuned neurons only).
  if (options.v1_simulator) summary.columns.insert(summary.columns.end(), {"recovered_within_one_step", "log_frequency_correlation"});
  cnn::SpatialFrequencyScoreOptions score_options;
  score_options.units_per_sample = static_cast<std::size_t>(options.units);
  score_options.samples = static_cast<std::size_t>(options.samples);
  score_options.seed = context.global().seed;
  std::printf("%zu Gabor stimuli (%d px = %s deg, sigma %s px, %zu frequencies %s..%s c/deg) through %s\n", stimuli.size(), spec.image_size,
              table_number(spec.field_of_view).c_str(), table_number(spec.sigma).c_str(), spec.frequencies.size(),
              table_number(stimuli.front().cycles_per_degree).c_str(), table_number(stimuli.back().cycles_per_degree).c_str(),
              responses.description.c_str());
  std::printf("%-16s %8s %6s %8s %18s %7s  %s\n", "layer", "channels", "tuned", "dropped", "score (mean +- SD)", "whole",
              "preferred-SF counts per De Valois bin");
  for (const LayerResult& layer : layers) {
    const cnn::TuningCurves tuning = cnn::tuning_curves(layer.responses, stimuli, options.flat_tolerance);
    const std::vector<double> preferred = cnn::preferred_cycles_per_degree(tuning);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    cnn::SpatialFrequencyScore score{nan, nan, {}, std::vector<double>(de_valois.counts.size(), 0.0), nan};
    if (!preferred.empty()) score = cnn::spatial_frequency_score(preferred, de_valois, score_options);

    fmri::TsvTable table;
    table.columns = {"channel", "unit", "tuned", "preferred_cycles_per_image", "preferred_cycles_per_degree", "preferred_orientation_deg", "peak_to_peak"};
    const bool simulated = !layer.neurons.empty();
    if (simulated) table.columns.insert(table.columns.end(), {"neuron_type", "drawn_frequency_cpd"});
    for (const double frequency : tuning.frequencies_cycles_per_image) table.columns.push_back("sf_" + table_number(frequency));
    for (std::size_t c = 0; c < layer.units.size(); ++c) {
      const bool tuned = tuning.tuned[c] != 0;
      const std::size_t f = tuning.preferred_frequency_index[c];
      std::vector<std::string> row = {std::to_string(c), std::to_string(layer.units[c]), tuned ? "yes" : "no",
                                      tuned ? table_number(tuning.frequencies_cycles_per_image[f]) : "nan",
                                      tuned ? table_number(tuning.frequencies_cycles_per_degree[f]) : "nan",
                                      tuned ? table_number(tuning.orientations_deg[tuning.preferred_orientation_index[c]]) : "nan",
                                      table_number(tuning.peak_to_peak(static_cast<Eigen::Index>(c)))};
      if (simulated) row.insert(row.end(), {layer.neurons[c].type, table_number(layer.neurons[c].frequency_cpd)});
      for (Eigen::Index k = 0; k < tuning.frequency_curves.cols(); ++k) row.push_back(table_number(tuning.frequency_curves(static_cast<Eigen::Index>(c), k)));
      table.rows.push_back(std::move(row));
    }
    const std::string stem = layer_file_stem(layer.layer.name);
    fmri::write_tsv(table, folder / (stem + ".tuning.tsv"));
    context.record_output(folder / (stem + ".tuning.tsv"));

    Plot plot;
    plot.title = layer.layer.name + ": preferred spatial frequency";
    plot.x_label = "preferred spatial frequency (cycles/degree)";
    plot.y_label = "fraction of units";
    plot.log_x = true;
    plot.note = preferred.empty() ? "no tuned units"
                                  : "V1 score " + fixed3(score.mean) + " +- " + fixed3(score.standard_deviation) + " (" +
                                        std::to_string(options.units) + " units x " + std::to_string(options.samples) +
                                        " experiments); whole layer " + fixed3(score.whole_score);
    plot.series = {histogram_outline("model (" + std::to_string(preferred.size()) + " units)", de_valois.edges, score.counts),
                   histogram_outline("V1, De Valois 1982", de_valois.edges, de_valois.counts)};
    write_svg(plot, folder / (stem + ".sf_histogram.svg"));
    context.record_output(folder / (stem + ".sf_histogram.svg"));

    std::vector<std::string> row = {layer.layer.name, shape_text(layer.layer.shape), std::to_string(layer.units.size()),
                                    std::to_string(tuning.tuned_units), std::to_string(tuning.dropped_units), table_number(score.mean),
                                    table_number(score.standard_deviation), table_number(score.whole_score)};
    std::string counts;
    for (const double count : score.counts) {
      row.push_back(table_number(count));
      counts += (counts.empty() ? "" : " ") + table_number(count);
    }
    FrequencyRecovery recovery;
    if (simulated) {
      recovery = frequency_recovery(tuning, layer.neurons);
      const double fraction = recovery.neurons > 0 ? static_cast<double>(recovery.within_one_step) / static_cast<double>(recovery.neurons)
                                                   : std::numeric_limits<double>::quiet_NaN();
      row.insert(row.end(), {table_number(fraction), table_number(recovery.log_correlation)});
    }
    summary.rows.push_back(std::move(row));
    std::printf("%-16s %8zu %6zu %8zu %9s +- %-6s %7s  %s\n", layer.layer.name.c_str(), layer.units.size(), tuning.tuned_units, tuning.dropped_units,
                table_number(score.mean).c_str(), table_number(score.standard_deviation).c_str(), table_number(score.whole_score).c_str(),
                counts.c_str());
    if (preferred.empty()) {
      std::printf("%s: no tuned units, so no score (every curve is flat; a linear layer's are, the phases cancelling: "
                  "record its rectified output, the next layer)\n", layer.layer.name.c_str());
    }
    if (simulated) {
      std::printf("drawn preferred frequency recovered within one stimulus-frequency step: %zu of %zu tuned neurons (%s); "
                  "correlation of log frequencies (preferred vs drawn) %s\n",
                  recovery.within_one_step, recovery.neurons,
                  table_number(recovery.neurons > 0 ? static_cast<double>(recovery.within_one_step) / static_cast<double>(recovery.neurons) : 0.0).c_str(),
                  table_number(recovery.log_correlation).c_str());
    }
  }
  fmri::write_tsv(summary, folder / "summary.tsv");
  context.finished_output(folder / "summary.tsv");
}

}  // namespace

Command cnn_tuning_command() {
  return make_command<CnnTuningOptions>(cnn_tuning_info(), declare, run);
}

}  // namespace visalign::apps
