// visalign cnn compare-models: seed 001's model comparison (its S1 Table and Figs 6-7) over a list of models.
// Every analysis is one of the single commands (cnn predictivity, attack, eigenspectra, tuning, frequency),
// run in this process through the command table with a generated argument list into <out>/<model>/<analysis>/
// (one attack_<norm>/ per PGD attack);
// this command only validates the inputs of all of them up front, collects their summary tables into
// comparison.tsv (one row per model) and draws the relations between the columns as scatter plots.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/command_table.hpp"
#include "apps/commands.hpp"
#include "apps/image_list.hpp"
#include "apps/layer_eigenspectra.hpp"
#include "apps/layer_model.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "apps/svg_plot.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/pgd_attack.hpp"
#include "fmri/tsv_table.hpp"
#include "rsa/rdm_comparison.hpp"

namespace visalign::apps {

namespace {

struct CnnCompareModelsOptions {
  std::string models;
  std::string analyses = "predictivity,attack,eigenspectra,tuning,frequency";
  std::string layers = "relu1";
  std::string device = "auto";
  // The images the decisions are measured on.
  std::string images, fashion_mnist, fashion_mnist_folder;
  std::int64_t limit = 1000;
  // PGD robustness (cnn attack), one run per attack.
  std::string attacks = "seed001";
  int steps = 20;
  // Eigenspectra (cnn eigenspectra).
  std::string alpha_images;
  std::int64_t alpha_count = 1000;
  EigenspectrumSettings eigenspectrum;
  // Spatial-frequency tuning (cnn tuning).
  int units = 150, samples = 1000;
  // Frequency reliance (cnn frequency).
  std::int64_t frequency_images = 200;
  std::string frequency_norm = "l2";
  int frequency_steps = 20;
  // V1 predictivity (cnn predictivity).
  std::string spikes, stimuli, basis_images, predictivity_options;
  int batch_size = 100;
  std::string out;
};

const std::vector<std::string> known_analyses = {"predictivity", "attack", "eigenspectra", "tuning", "frequency"};

void declare(CnnCompareModelsOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("models", po::value(&options.models)->required()->value_name("TSV"),
       "the models: a TSV with columns 'name' (unique; names the output folder), 'model' (TorchScript) or 'network' ('cnn train' "
       "checkpoint; paths relative to the TSV), and optional 'options' (the model's flags as 'cnn attack' takes them, e.g. "
       "'--grey --mean 0 --std 1 --resize 28 --crop 28') and 'layers' (comma-separated; replaces --layers for that model)")
      ("analyses", po::value(&options.analyses)->default_value(options.analyses),
       "comma-separated analyses to run: predictivity (needs --spikes, --stimuli, --basis-images; skipped with a note without them), "
       "attack, eigenspectra, tuning, frequency")
      ("layers", po::value(&options.layers)->default_value(options.layers),
       "comma-separated layers for alpha, the SF score and V1 predictivity (convolutional: tuning takes their centre units). "
       "alpha and the SF score are reported for the model's most V1-like layer (the most predictive, seed 001) when predictivity "
       "ran, else for the first layer")
      ("device", po::value(&options.device)->default_value(options.device), "cpu, cuda, cuda:N or auto, for every analysis")
      ("images", po::value(&options.images)->value_name("TSV"),
       "labelled image files for accuracy and frequency analyses (a TSV with 'file' and 'class' or 'imagenet_index' columns)")
      ("fashion-mnist", po::value(&options.fashion_mnist)->value_name("SPLIT"), "instead of --images: Fashion-MNIST 'test' or 'train'")
      ("fashion-mnist-folder", po::value(&options.fashion_mnist_folder)->default_value(cnn::default_fashion_mnist_folder().string()),
       "the folder of the Fashion-MNIST IDX files")
      ("limit", po::value(&options.limit)->default_value(options.limit),
       "Fashion-MNIST: the first N images for clean and adversarial accuracy (0: all)")
      ("attacks", po::value(&options.attacks)->default_value(options.attacks),
       "the PGD attacks whose mean accuracy is the adversarial accuracy (seed 001): comma-separated NORM:EPSILON ([0, 1] pixels; "
       "norms linf, l2, l1, each at most once), or 'seed001': the seed's L-inf 1/1020, L2 0.15 and L1 40 for 3 x 224 x 224 "
       "inputs, scaled to the model's input of d values (L-inf as it is, L2 by sqrt(d / 150528), L1 by d / 150528; "
       "Fashion-MNIST: 0.00098, 0.0108, 0.208)")
      ("steps", po::value(&options.steps)->default_value(options.steps), "PGD steps of each attack (seed 001: 20, step 2 epsilon / steps)")
      ("alpha-images", po::value(&options.alpha_images)->value_name("DIR|TSV"),
       "natural images for the eigenspectra (at least --fit-last; default: with --fashion-mnist the first --alpha-count images "
       "of the split, written to <out>/alpha_images; with --images those images)")
      ("alpha-count", po::value(&options.alpha_count)->default_value(options.alpha_count),
       "Fashion-MNIST images for the eigenspectra when --alpha-images is not given")
      ("fit-first", po::value(&options.eigenspectrum.fit_first)->default_value(options.eigenspectrum.fit_first),
       "first eigenvalue index of the power-law fit")
      ("fit-last", po::value(&options.eigenspectrum.fit_last)->default_value(options.eigenspectrum.fit_last),
       "last eigenvalue index of the power-law fit")
      ("units", po::value(&options.units)->default_value(options.units), "tuning: units per in-silico experiment")
      ("samples", po::value(&options.samples)->default_value(options.samples), "tuning: in-silico experiments (mean and SD of the SF score)")
      ("frequency-images", po::value(&options.frequency_images)->default_value(options.frequency_images),
       "frequency: minimal perturbations of the first N images (with --fashion-mnist also the hybrid images' set)")
      ("frequency-norm", po::value(&options.frequency_norm)->default_value(options.frequency_norm), "frequency: the minimal perturbations' bound")
      ("frequency-steps", po::value(&options.frequency_steps)->default_value(options.frequency_steps), "frequency: PGD steps of the minimal-perturbation search")
      ("spikes", po::value(&options.spikes)->value_name("NPY"), "predictivity: V1 spike counts (stimuli x neurons x repeats)")
      ("stimuli", po::value(&options.stimuli)->value_name("DIR|TSV"), "predictivity: the stimuli the spikes answer, in their order (its --images)")
      ("basis-images", po::value(&options.basis_images)->value_name("DIR|TSV"), "predictivity: natural images for the PCA basis")
      ("predictivity-options", po::value(&options.predictivity_options)->default_value(""),
       "predictivity: further flags passed to 'cnn predictivity' as given (e.g. '--field-of-view 8')")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward/backward pass")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <name>/<analysis>/ per model (attack_<norm>/ per attack), comparison.tsv (+ .json provenance), one "
       "scatter plot (SVG) per relation");
  declaration.positional.add("models", 1);
}

/// One PGD attack of the adversarial accuracy.
struct Attack {
  std::string norm;  // linf, l2 or l1
  double epsilon = 0;
};

/// --attacks for a model whose input has `input_values` numbers (channels x height x width): the listed attacks,
/// or seed 001's budgets for 3 x 224 x 224 images scaled to the input (std::invalid_argument naming the item).
std::vector<Attack> parse_attacks(const std::string& text, std::int64_t input_values) {
  if (text == "seed001") {
    const double ratio = static_cast<double>(input_values) / (3.0 * 224.0 * 224.0);
    return {{"linf", 1.0 / 1020.0}, {"l2", 0.15 * std::sqrt(ratio)}, {"l1", 40.0 * ratio}};
  }
  std::vector<Attack> attacks;
  for (const std::string& item : split_option_list(text, "attacks")) {
    const std::size_t colon = item.find(':');
    Attack attack;
    attack.norm = item.substr(0, colon);
    try {
      cnn::parse_perturbation_norm(attack.norm);
      if (colon == std::string::npos) throw std::invalid_argument("no epsilon");
      std::size_t used = 0;
      const std::string number = item.substr(colon + 1);
      attack.epsilon = std::stod(number, &used);
      if (used != number.size() || !(attack.epsilon > 0) || !std::isfinite(attack.epsilon)) throw std::invalid_argument("epsilon");
    } catch (const std::exception&) {
      throw std::invalid_argument("--attacks: expected NORM:EPSILON with a norm linf, l2 or l1 and an epsilon > 0 (or 'seed001'), found '" +
                                  item + "'");
    }
    for (const Attack& other : attacks) {
      if (other.norm == attack.norm) throw std::invalid_argument("--attacks: norm " + attack.norm + " given twice");
    }
    attacks.push_back(attack);
  }
  return attacks;
}

std::string attack_text(const Attack& attack) {
  char text[64];
  std::snprintf(text, sizeof text, "%s %.3g", attack.norm.c_str(), attack.epsilon);
  return text;
}

/// One row of the models table, checked.
struct ModelEntry {
  std::string name;
  std::string file;                       // absolute or relative to the working folder
  std::vector<std::string> model_arguments;  // --model/--network FILE, the row's options, --device
  std::vector<std::string> layers;
  std::vector<Attack> attacks;  // resolved for the model's input size
};

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

/// The model's options parsed exactly as the single commands parse them (so that a typo fails here, before
/// any work, and not in the third analysis of the fifth model).
ClassifierInputOptions parse_model_arguments(const std::vector<std::string>& arguments, const std::string& where) {
  ClassifierInputOptions parsed;
  CommandDeclaration declaration;
  declare_model_input(parsed, declaration);
  try {
    po::variables_map values;
    po::store(po::command_line_parser(arguments).options(declaration.options).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw std::invalid_argument(where + ": options: " + error.what());
  }
  return parsed;
}

std::vector<ModelEntry> read_models(const CnnCompareModelsOptions& options) {
  const std::filesystem::path table_file = options.models;
  if (!std::filesystem::is_regular_file(table_file)) throw std::runtime_error(options.models + ": models table not found");
  const fmri::TsvTable table = fmri::read_tsv(table_file);
  const int name_column = table.column_index("name");
  const int model_column = table.column_index("model");
  const int network_column = table.column_index("network");
  const int options_column = table.column_index("options");
  const int layers_column = table.column_index("layers");
  if (name_column < 0 || (model_column < 0 && network_column < 0)) {
    throw std::runtime_error(options.models + ": expected columns 'name' and 'model' or 'network', found '" +
                             [&] { std::string s; for (const auto& c : table.columns) s += (s.empty() ? "" : ", ") + c; return s; }() + "'");
  }
  if (table.rows.empty()) throw std::runtime_error(options.models + ": no models");
  const std::vector<std::string> default_layers = split_option_list(options.layers, "layers");
  std::vector<ModelEntry> entries;
  std::set<std::string> names;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const std::string where = options.models + " row " + std::to_string(r + 2);
    ModelEntry entry;
    entry.name = row[static_cast<std::size_t>(name_column)];
    if (entry.name.empty() || entry.name == "." || entry.name == ".." ||
        entry.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+") != std::string::npos) {
      throw std::runtime_error(where + ": name '" + entry.name + "': expected letters, digits and ._-+ (it names the output folder)");
    }
    if (!names.insert(entry.name).second) throw std::runtime_error(where + ": duplicate model name '" + entry.name + "'");
    const std::string model = model_column >= 0 ? row[static_cast<std::size_t>(model_column)] : "";
    const std::string network = network_column >= 0 ? row[static_cast<std::size_t>(network_column)] : "";
    if (model.empty() == network.empty()) {
      throw std::runtime_error(where + " (" + entry.name + "): expected exactly one of 'model' and 'network', found " +
                               (model.empty() ? "neither" : "both"));
    }
    std::filesystem::path file = model.empty() ? network : model;
    if (file.is_relative()) file = table_file.parent_path() / file;
    entry.file = file.string();
    if (!std::filesystem::is_regular_file(file)) {
      throw std::runtime_error(entry.file + ": model file of '" + entry.name + "' (" + where + ") not found");
    }
    const std::vector<std::string> extra = options_column >= 0 ? split_words(row[static_cast<std::size_t>(options_column)]) : std::vector<std::string>{};
    for (const std::string& word : extra) {
      if (word == "--model" || word == "--network" || word == "--device" || word.rfind("--model=", 0) == 0 ||
          word.rfind("--network=", 0) == 0 || word.rfind("--device=", 0) == 0) {
        throw std::invalid_argument(where + " (" + entry.name + "): options: " + word + " is given by the table's columns and --device");
      }
    }
    entry.model_arguments = {model.empty() ? "--network" : "--model", entry.file};
    entry.model_arguments.insert(entry.model_arguments.end(), extra.begin(), extra.end());
    entry.model_arguments.insert(entry.model_arguments.end(), {"--device", options.device});
    const std::string layers = layers_column >= 0 ? row[static_cast<std::size_t>(layers_column)] : "";
    entry.layers = layers.empty() ? default_layers : split_option_list(layers, "layers of " + entry.name);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator = ",") {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

/// The cell of `column` in `row` of a summary table, or a clear error naming the file.
std::string cell(const fmri::TsvTable& table, const std::filesystem::path& file, std::size_t row, const std::string& column) {
  const int index = table.column_index(column);
  if (index < 0) throw std::runtime_error(file.string() + ": no column '" + column + "'");
  if (row >= table.rows.size()) throw std::runtime_error(file.string() + ": no row " + std::to_string(row + 1));
  return table.rows[row][static_cast<std::size_t>(index)];
}

/// The row of `layer` in a per-layer summary table.
std::size_t layer_row(const fmri::TsvTable& table, const std::filesystem::path& file, const std::string& layer) {
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (cell(table, file, r, "layer") == layer) return r;
  }
  throw std::runtime_error(file.string() + ": no row for layer '" + layer + "'");
}

double number_or_nan(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    return used == text.size() ? value : std::numeric_limits<double>::quiet_NaN();
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

/// What one model's analyses gave, as the single commands wrote it (text, so the table repeats their values).
struct ModelResult {
  std::string clean_accuracy = "nan", adversarial_accuracy = "nan", alpha = "nan", sf_score = "nan", sf_score_sd = "nan",
              v1_predictivity = "nan", f_rev = "nan", f_half = "nan";
  std::string layer, layer_choice;
  std::map<std::string, std::string> attack_accuracy;  // per norm
};

/// One scatter plot: y against x over the models, with the least-squares line and Pearson r when it exists.
struct Relation {
  std::string file, x_label, y_label, figure;
  std::string ModelResult::*x;
  std::string ModelResult::*y;
};

void write_relation(const Relation& relation, const std::vector<ModelEntry>& models, const std::vector<ModelResult>& results,
                    const std::string& attacks_note, const std::filesystem::path& file) {
  PlotSeries points{"models", {}, {}, false, true, {}};
  for (std::size_t m = 0; m < models.size(); ++m) {
    const double x = number_or_nan(results[m].*relation.x), y = number_or_nan(results[m].*relation.y);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    points.x.push_back(x);
    points.y.push_back(y);
    points.point_labels.push_back(models[m].name);
  }
  Plot plot;
  plot.title = relation.y_label + " vs " + relation.x_label;
  plot.x_label = relation.x_label;
  plot.y_label = relation.y_label;
  plot.series.push_back(points);
  const std::size_t n = points.x.size();
  plot.note = relation.figure + "; " + std::to_string(n) + " models";
  if (n >= 2) {
    const Eigen::Map<const Eigen::VectorXd> x(points.x.data(), static_cast<Eigen::Index>(n)), y(points.y.data(), static_cast<Eigen::Index>(n));
    const double x_mean = x.mean(), y_mean = y.mean();
    const double sxx = (x.array() - x_mean).square().sum();
    if (sxx > 0 && (y.array() - y_mean).square().sum() > 0) {
      const double slope = ((x.array() - x_mean) * (y.array() - y_mean)).sum() / sxx;
      const auto [low, high] = std::minmax_element(points.x.begin(), points.x.end());
      plot.series.push_back({"least-squares line", {*low, *high}, {y_mean + slope * (*low - x_mean), y_mean + slope * (*high - x_mean)}, true, false, {}});
      char text[64];
      std::snprintf(text, sizeof text, "; Pearson r = %.3f", rsa::pearson_correlation(x, y));
      plot.note += text;
    }
  }
  if (!attacks_note.empty()) plot.note += "\n" + attacks_note;
  write_svg(plot, file);
}

void run(const CnnCompareModelsOptions& options, const std::vector<Command>& analysis_commands, RunContext& context) {
  // 1. Everything is checked before any analysis runs and before anything is written.
  std::vector<std::string> analyses = split_option_list(options.analyses, "analyses");
  for (const std::string& analysis : analyses) {
    if (std::find(known_analyses.begin(), known_analyses.end(), analysis) == known_analyses.end()) {
      throw std::invalid_argument("--analyses: expected some of " + joined(known_analyses) + ", found '" + analysis + "'");
    }
  }
  // The table first: a missing model file or a repeated name is the likeliest mistake.
  std::vector<ModelEntry> models = read_models(options);
  context.provenance().add_input(options.models);
  auto wanted = [&](const std::string& analysis) { return std::find(analyses.begin(), analyses.end(), analysis) != analyses.end(); };
  std::vector<std::string> notes;
  if (wanted("predictivity")) {
    const bool has_command = std::any_of(analysis_commands.begin(), analysis_commands.end(),
                                         [](const Command& c) { return c.info.group == "cnn" && c.info.name == "predictivity"; });
    std::string skip;
    if (options.spikes.empty() || options.stimuli.empty() || options.basis_images.empty()) {
      skip = "V1 predictivity skipped: it needs --spikes, --stimuli and --basis-images";
    } else if (!has_command) {
      skip = "V1 predictivity skipped: this build has no 'cnn predictivity'";
    }
    if (!skip.empty()) {
      notes.push_back(skip + "; alpha and the SF score are those of the first layer");
      analyses.erase(std::find(analyses.begin(), analyses.end(), "predictivity"));
    } else {
      for (const std::string& file : {options.spikes, options.stimuli, options.basis_images}) {
        if (!std::filesystem::exists(file)) throw std::runtime_error(file + ": predictivity input not found");
        context.provenance().add_input(file);
      }
    }
  }
  const bool decisions = wanted("attack") || wanted("frequency");
  if (decisions && options.images.empty() == options.fashion_mnist.empty()) {
    throw std::invalid_argument("give exactly one of --images (a TSV of labelled image files) and --fashion-mnist (test or train)");
  }
  if (!options.fashion_mnist.empty() && options.fashion_mnist != "test" && options.fashion_mnist != "train") {
    throw std::invalid_argument("--fashion-mnist: expected 'test' or 'train', found '" + options.fashion_mnist + "'");
  }
  if (options.limit < 0) throw std::invalid_argument("--limit: expected >= 0, found " + std::to_string(options.limit));
  if (options.frequency_images < 1) throw std::invalid_argument("--frequency-images: expected >= 1, found " + std::to_string(options.frequency_images));
  parse_attacks(options.attacks, 1);  // its syntax, before any model loads
  try {
    cnn::parse_perturbation_norm(options.frequency_norm);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string("--frequency-norm: ") + error.what());
  }
  if (options.units < 1) throw std::invalid_argument("--units: expected >= 1, found " + std::to_string(options.units));
  if (options.samples < 1) throw std::invalid_argument("--samples: expected >= 1, found " + std::to_string(options.samples));
  if (options.steps < 1 || options.frequency_steps < 1) throw std::invalid_argument("--steps/--frequency-steps: expected >= 1");
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));

  cnn::LabelledImages fashion_mnist;
  if (!options.fashion_mnist.empty()) {
    const std::int64_t needed = std::max({options.limit, options.frequency_images, options.alpha_images.empty() && wanted("eigenspectra") ? options.alpha_count : 0});
    fashion_mnist = cnn::read_fashion_mnist(options.fashion_mnist_folder, options.fashion_mnist, options.limit == 0 ? 0 : needed);
    context.provenance().add_input(options.fashion_mnist_folder);
  } else if (!options.images.empty()) {
    const ImageList list = read_image_list(options.images);
    if (list.classes.empty()) throw std::invalid_argument("--images " + options.images + ": a TSV with a 'class' (or 'imagenet_index') column is needed");
    context.provenance().add_input(options.images);
  }
  std::string alpha_images = options.alpha_images.empty() ? options.images : options.alpha_images;
  if (wanted("eigenspectra")) {
    if (alpha_images.empty() && options.fashion_mnist.empty()) throw std::invalid_argument("--alpha-images: needed for the eigenspectra");
    std::int64_t count = 0;
    if (!alpha_images.empty()) {
      count = static_cast<std::int64_t>(read_image_list(alpha_images).files.size());
      context.provenance().add_input(alpha_images);
    } else {
      count = std::min(options.alpha_count, fashion_mnist.images.count);
    }
    try {
      require_images_for_fit(count, options.eigenspectrum);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(std::string(error.what()) + (options.alpha_images.empty() && !options.fashion_mnist.empty() ? " (--alpha-count)" : ""));
    }
  }

  for (ModelEntry& entry : models) {
    const std::string where = entry.name + " (" + entry.file + ")";
    const ClassifierInputOptions parsed = parse_model_arguments(entry.model_arguments, options.models + ": " + entry.name);
    const LayerModel model = [&] {
      try {
        return LayerModel::load(parsed, context);
      } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(where + ": " + error.what());
      } catch (const std::runtime_error& error) {
        throw std::runtime_error(std::string(error.what()) + " (model '" + entry.name + "' of " + options.models + ")");
      }
    }();
    if (!options.fashion_mnist.empty() && (model.channels() != 1 || model.height() != 28 || model.width() != 28)) {
      throw std::invalid_argument(where + ": --fashion-mnist: the images are 1 x 28 x 28, the model takes " + std::to_string(model.channels()) +
                                  " x " + std::to_string(model.height()) + " x " + std::to_string(model.width()) +
                                  " (a grey TorchScript model needs '--grey --resize 28 --crop 28' in its options)");
    }
    entry.attacks = parse_attacks(options.attacks, model.channels() * model.height() * model.width());
    if (wanted("eigenspectra") || wanted("tuning") || wanted("predictivity")) {
      model.require_layers(entry.layers, "layers of " + where);
      if (wanted("tuning")) {
        const std::vector<cnn::LayerInfo> available = model.layers();
        for (const std::string& layer : entry.layers) {
          const auto found = std::find_if(available.begin(), available.end(), [&](const cnn::LayerInfo& info) { return info.name == layer; });
          if (found->shape.size() != 3) {
            throw std::invalid_argument("layers of " + where + ": tuning needs channels x height x width layers, " + layer + " has " +
                                        std::to_string(found->shape.size()) + " dimensions");
          }
        }
      }
    }
  }
  const std::filesystem::path folder = options.out;
  if (std::filesystem::exists(folder) && !std::filesystem::is_directory(folder)) throw std::runtime_error(options.out + ": --out exists and is not a folder");

  // 2. Shared inputs and the analyses, model by model.
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "comparison.tsv");
  if (wanted("eigenspectra") && alpha_images.empty()) {
    // Fashion-MNIST for the eigenspectra: 8-bit PNGs hold its 8-bit pixels exactly.
    const std::filesystem::path image_folder = folder / "alpha_images";
    std::filesystem::create_directories(image_folder);
    fmri::TsvTable list;
    list.columns = {"file", "class"};
    const std::int64_t count = std::min(options.alpha_count, fashion_mnist.images.count);
    for (std::int64_t i = 0; i < count; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "fmnist_%s_%05lld.png", options.fashion_mnist.c_str(), static_cast<long long>(i));
      cnn::write_png(image_folder / name, fashion_mnist.images, i);
      list.rows.push_back({name, std::to_string(fashion_mnist.labels[static_cast<std::size_t>(i)])});
    }
    fmri::write_tsv(list, image_folder / "images.tsv");
    alpha_images = (image_folder / "images.tsv").string();
  }
  std::vector<std::string> image_arguments;
  if (!options.fashion_mnist.empty()) {
    image_arguments = {"--fashion-mnist", options.fashion_mnist, "--fashion-mnist-folder", options.fashion_mnist_folder};
  } else {
    image_arguments = {"--images", options.images};
  }
  const GlobalOptions& global = context.global();
  const std::vector<std::string> global_arguments = {"--threads", std::to_string(global.threads), "--seed", std::to_string(global.seed),
                                                     global.verbosity >= 2 ? "--verbose" : "--quiet"};
  for (const std::string& note : notes) {
    if (global.verbosity > 0) std::cerr << "compare-models: " << note << '\n';
  }

  std::vector<ModelResult> results(models.size());
  nlohmann::json model_notes = nlohmann::json::array();
  const std::vector<std::string> order = {"predictivity", "attack", "eigenspectra", "tuning", "frequency"};
  for (std::size_t m = 0; m < models.size(); ++m) {
    const ModelEntry& entry = models[m];
    ModelResult& result = results[m];
    nlohmann::json model_note = {{"name", entry.name}, {"file", entry.file}, {"arguments", entry.model_arguments}, {"layers", entry.layers}};
    // One run per analysis, and one per attack: <out>/<model>/<analysis>/, attacks in <out>/<model>/attack_<norm>/.
    std::vector<std::pair<std::string, std::filesystem::path>> runs;  // analysis, its folder
    for (const std::string& analysis : order) {
      if (!wanted(analysis)) continue;
      if (analysis != "attack") {
        runs.emplace_back(analysis, folder / entry.name / analysis);
        continue;
      }
      for (const Attack& attack : entry.attacks) runs.emplace_back(analysis, folder / entry.name / ("attack_" + attack.norm));
    }
    std::size_t attack_index = 0;
    for (const auto& [analysis, out] : runs) {
      std::vector<std::string> arguments = {"cnn", analysis};
      arguments.insert(arguments.end(), entry.model_arguments.begin(), entry.model_arguments.end());
      if (analysis == "predictivity") {
        arguments.insert(arguments.end(), {"--spikes", options.spikes, "--images", options.stimuli, "--basis-images", options.basis_images,
                                           "--layers", joined(entry.layers)});
        const std::vector<std::string> extra = split_words(options.predictivity_options);
        arguments.insert(arguments.end(), extra.begin(), extra.end());
      } else if (analysis == "attack") {
        arguments.insert(arguments.end(), image_arguments.begin(), image_arguments.end());
        if (!options.fashion_mnist.empty()) arguments.insert(arguments.end(), {"--limit", std::to_string(options.limit)});
        const Attack& attack = entry.attacks[attack_index++];
        char epsilon[32];
        std::snprintf(epsilon, sizeof epsilon, "%.10g", attack.epsilon);
        arguments.insert(arguments.end(), {"--norm", attack.norm, "--epsilons", std::string("0,") + epsilon, "--steps",
                                           std::to_string(options.steps), "--batch-size", std::to_string(options.batch_size)});
      } else if (analysis == "eigenspectra") {
        arguments.insert(arguments.end(), {"--images", alpha_images, "--layers", joined(entry.layers), "--fit-first",
                                           std::to_string(options.eigenspectrum.fit_first), "--fit-last", std::to_string(options.eigenspectrum.fit_last)});
      } else if (analysis == "tuning") {
        arguments.insert(arguments.end(), {"--layers", joined(entry.layers), "--units", std::to_string(options.units), "--samples",
                                           std::to_string(options.samples)});
      } else if (analysis == "frequency") {
        arguments.insert(arguments.end(), image_arguments.begin(), image_arguments.end());
        if (!options.fashion_mnist.empty()) arguments.insert(arguments.end(), {"--limit", std::to_string(options.frequency_images)});
        arguments.insert(arguments.end(), {"--perturbation-images", std::to_string(options.frequency_images), "--norm", options.frequency_norm,
                                           "--steps", std::to_string(options.frequency_steps), "--batch-size", std::to_string(options.batch_size)});
      }
      arguments.insert(arguments.end(), global_arguments.begin(), global_arguments.end());
      arguments.insert(arguments.end(), {"--out", out.string()});
      std::filesystem::create_directories(out);
      if (global.verbosity > 0) {
        std::cerr << "compare-models [" << m + 1 << "/" << models.size() << "] " << entry.name << ": " << out.filename().string() << " ..." << std::endl;
      }
      const auto start = std::chrono::steady_clock::now();
      const int code = run_command_from_table(analysis_commands, arguments);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (code != 0) {
        throw std::runtime_error(out.string() + ": 'visalign " + joined(std::vector<std::string>(arguments.begin(), arguments.begin() + 2), " ") +
                                 "' failed with exit code " + std::to_string(code) + " (its message is above)");
      }
      if (global.verbosity > 0) {
        char text[64];
        std::snprintf(text, sizeof text, "%.1f s", seconds);
        std::cerr << "compare-models [" << m + 1 << "/" << models.size() << "] " << entry.name << ": " << out.filename().string() << " done in " << text << std::endl;
      }
      model_note["analyses"][out.filename().string()] = {{"folder", out.string()}, {"seconds", seconds}, {"command_line", "visalign " + joined(arguments, " ")}};
    }
    // 3. The model's row, from the summary tables the commands wrote.
    result.layer = entry.layers.front();
    result.layer_choice = "first of the layers";
    if (wanted("predictivity")) {
      const std::filesystem::path file = folder / entry.name / "predictivity" / "summary.tsv";
      const fmri::TsvTable table = fmri::read_tsv(file);
      double best = -std::numeric_limits<double>::infinity();
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const std::string value = cell(table, file, r, "median_noise_corrected_r");
        if (number_or_nan(value) > best) {
          best = number_or_nan(value);
          result.v1_predictivity = value;
          result.layer = cell(table, file, r, "layer");
          result.layer_choice = "most V1-predictive";
        }
      }
    }
    if (wanted("attack")) {
      // robustness.tsv of each attack: epsilon 0 (clean, the same images for every attack), then the attack's epsilon.
      double sum = 0;
      for (const Attack& attack : entry.attacks) {
        const std::filesystem::path file = folder / entry.name / ("attack_" + attack.norm) / "robustness.tsv";
        const fmri::TsvTable table = fmri::read_tsv(file);
        result.clean_accuracy = cell(table, file, 0, "accuracy");
        const std::string accuracy = cell(table, file, 1, "accuracy");
        result.attack_accuracy[attack.norm] = accuracy;
        sum += number_or_nan(accuracy);
      }
      result.adversarial_accuracy = table_number(sum / static_cast<double>(entry.attacks.size()));
    }
    if (wanted("eigenspectra")) {
      const std::filesystem::path file = folder / entry.name / "eigenspectra" / "summary.tsv";
      const fmri::TsvTable table = fmri::read_tsv(file);
      result.alpha = cell(table, file, layer_row(table, file, result.layer), "alpha");
    }
    if (wanted("tuning")) {
      const std::filesystem::path file = folder / entry.name / "tuning" / "summary.tsv";
      const fmri::TsvTable table = fmri::read_tsv(file);
      const std::size_t row = layer_row(table, file, result.layer);
      result.sf_score = cell(table, file, row, "score_mean");
      result.sf_score_sd = cell(table, file, row, "score_sd");
    }
    if (wanted("frequency")) {
      const std::filesystem::path file = folder / entry.name / "frequency" / "summary.tsv";
      const fmri::TsvTable table = fmri::read_tsv(file);
      result.f_rev = cell(table, file, 0, "f_rev");
      result.f_half = cell(table, file, 0, "f_0.5");
    }
    model_note["layer"] = result.layer;
    model_notes.push_back(model_note);
  }

  // 4. The table, its provenance and the plots.
  fmri::TsvTable comparison;
  comparison.columns = {"model", "clean_accuracy", "adversarial_accuracy", "alpha", "sf_score", "v1_predictivity", "f_rev", "f_0.5",
                        "sf_score_sd", "layer", "layer_choice"};
  const std::vector<Attack>& listed = models.front().attacks;  // the same norms for every model, epsilons by input size
  for (const Attack& attack : listed) comparison.columns.push_back("adversarial_accuracy_" + attack.norm);
  comparison.columns.insert(comparison.columns.end(), {"attacks", "file"});
  for (std::size_t m = 0; m < models.size(); ++m) {
    const ModelResult& r = results[m];
    std::vector<std::string> row = {models[m].name, r.clean_accuracy, r.adversarial_accuracy, r.alpha, r.sf_score, r.v1_predictivity, r.f_rev,
                                    r.f_half, r.sf_score_sd, r.layer, r.layer_choice};
    std::string attacks;
    for (const Attack& attack : models[m].attacks) {
      const auto found = r.attack_accuracy.find(attack.norm);
      row.push_back(found == r.attack_accuracy.end() ? "nan" : found->second);
      attacks += (attacks.empty() ? "" : ", ") + attack_text(attack);
    }
    row.insert(row.end(), {wanted("attack") ? attacks : "", models[m].file});
    comparison.rows.push_back(std::move(row));
  }
  context.provenance().add_note("models", model_notes);
  context.provenance().add_note("analyses", analyses);
  if (!notes.empty()) context.provenance().add_note("notes", notes);
  if (wanted("eigenspectra")) context.provenance().add_note("alpha_images", alpha_images);

  const std::string adversarial = "adversarial accuracy";
  std::string attacks_note = "PGD";  // the plots' subtitle
  for (const Attack& attack : listed) attacks_note += " " + attack_text(attack) + (&attack == &listed.back() ? "" : ",");
  attacks_note += options.attacks == "seed001" ? " (mean; seed 001's budgets, scaled)" : " (mean)";
  const std::vector<Relation> relations = {
      {"adversarial_accuracy_vs_v1_predictivity.svg", "V1 predictivity (median noise-corrected r)", adversarial, "seed 001 Fig 6A",
       &ModelResult::v1_predictivity, &ModelResult::adversarial_accuracy},
      {"adversarial_accuracy_vs_alpha.svg", "power-law exponent alpha", adversarial, "seed 001 Fig 6B", &ModelResult::alpha, &ModelResult::adversarial_accuracy},
      {"adversarial_accuracy_vs_sf_score.svg", "V1 spatial-frequency score", adversarial, "seed 001 Fig 7A", &ModelResult::sf_score,
       &ModelResult::adversarial_accuracy},
      {"v1_predictivity_vs_sf_score.svg", "V1 spatial-frequency score", "V1 predictivity (median noise-corrected r)", "seed 001 Fig 7B",
       &ModelResult::sf_score, &ModelResult::v1_predictivity},
      {"adversarial_accuracy_vs_f_rev.svg", "hybrid-image reversal frequency f_rev", adversarial, "seed 003", &ModelResult::f_rev,
       &ModelResult::adversarial_accuracy},
      {"adversarial_accuracy_vs_f_0.5.svg", "half-power frequency f_0.5 of minimal perturbations", adversarial, "seed 003", &ModelResult::f_half,
       &ModelResult::adversarial_accuracy},
  };
  for (const Relation& relation : relations) {
    const bool drawable = std::any_of(results.begin(), results.end(), [&](const ModelResult& r) {
      return std::isfinite(number_or_nan(r.*relation.x)) && std::isfinite(number_or_nan(r.*relation.y));
    });
    if (!drawable) continue;  // an analysis that did not run
    write_relation(relation, models, results, relation.y == &ModelResult::adversarial_accuracy ? attacks_note : "", folder / relation.file);
    context.record_output(folder / relation.file);
  }
  fmri::write_tsv(comparison, folder / "comparison.tsv");
  context.finished_output(folder / "comparison.tsv");

  std::printf("%-24s %8s %8s %8s %8s %8s %8s %8s  %s\n", "model", "clean", "advers.", "alpha", "SF", "V1 pred", "f_rev", "f_0.5", "layer");
  for (std::size_t m = 0; m < models.size(); ++m) {
    const ModelResult& r = results[m];
    auto short_number = [](const std::string& text) {
      const double value = number_or_nan(text);
      char out[32];
      std::snprintf(out, sizeof out, "%.4g", value);
      return std::string(out);
    };
    std::printf("%-24s %8s %8s %8s %8s %8s %8s %8s  %s\n", models[m].name.c_str(), short_number(r.clean_accuracy).c_str(),
                short_number(r.adversarial_accuracy).c_str(), short_number(r.alpha).c_str(), short_number(r.sf_score).c_str(),
                short_number(r.v1_predictivity).c_str(), short_number(r.f_rev).c_str(), short_number(r.f_half).c_str(), r.layer.c_str());
  }
}

}  // namespace

Command cnn_compare_models_command(const std::vector<Command>& analysis_commands) {
  // Not make_command: the run needs the table of analysis commands it calls.
  Command command;
  command.info = cnn_compare_models_info();
  command.main = [info = command.info, analysis_commands](const std::vector<std::string>& arguments, const std::string& command_line) {
    CnnCompareModelsOptions options;
    CommandDeclaration declaration;
    declare(options, declaration);
    return run_declared_command(info, declaration, arguments, command_line,
                                [&](RunContext& context) { run(options, analysis_commands, context); });
  };
  return command;
}

}  // namespace visalign::apps
