// visalign cnn white-noise: the white-noise analysis of seed 002 (METHODS.md "White-noise analysis"):
// classification images (mean noise per predicted class, optionally with signal mixed in), their use as
// template classifiers on a labelled test set, the psychometric curve of accuracy against the signal's
// weight, and spike-triggered averages of a layer's units.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/classifier_input.hpp"
#include "apps/commands.hpp"
#include "apps/image_montage.hpp"
#include "apps/layer_model.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/template_classifier.hpp"
#include "cnn/white_noise.hpp"
#include "fmri/npy.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

struct CnnWhiteNoiseOptions {
  ClassifierInputOptions input;
  std::int64_t noise_images = 1000000;
  std::string noise = "uniform";
  double noise_sd = 0.25;
  double gamma = 0.0;
  std::string signal = "train";
  std::string psychometric = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1";
  std::string sta_layer;
  std::string sta_units;
  std::int64_t sta_images = 0;
  std::int64_t chunk_images = 1000;
  int batch_size = 1000;
  std::string out;
};

void declare(CnnWhiteNoiseOptions& options, CommandDeclaration& declaration) {
  declare_classifier_input(options.input, declaration);
  declaration.options.add_options()
      ("noise-images", po::value(&options.noise_images)->default_value(options.noise_images),
       "white-noise images fed to the classifier (the seed: 1 million)")
      ("noise", po::value(&options.noise)->default_value(options.noise),
       "noise distribution per pixel: uniform (in [0, 1], the seed's code) or gaussian (0.5 + --noise-sd * N(0, 1), clipped to [0, 1])")
      ("noise-sd", po::value(&options.noise_sd)->default_value(options.noise_sd), "standard deviation of gaussian noise")
      ("gamma", po::value(&options.gamma)->default_value(options.gamma),
       "weight of the signal in each stimulus gamma * signal + (1 - gamma) * noise (seed 002 eq. 3), in [0, 1]; the maps still "
       "average the noise alone. 0: pure noise")
      ("signal", po::value(&options.signal)->default_value(options.signal)->value_name("train|test"),
       "signal images for --gamma > 0, each noise image getting one drawn at random: 'train' (the Fashion-MNIST training images) "
       "or 'test' (the test images of --fashion-mnist / --images)")
      ("psychometric", po::value(&options.psychometric)->default_value(options.psychometric)->value_name("GAMMAS"),
       "comma-separated gammas: accuracy on gamma * test image + (1 - gamma) * noise at each ('' for none)")
      ("sta-layer", po::value(&options.sta_layer)->value_name("NAME"),
       "also compute spike-triggered averages of this layer's units ('cnn layers' lists the names)")
      ("sta-units", po::value(&options.sta_units)->value_name("INDICES"),
       "units of --sta-layer (flattened C-order indices); default: the centre unit of each channel of a C x H x W layer, "
       "every unit of a flat layer")
      ("sta-images", po::value(&options.sta_images)->default_value(options.sta_images),
       "noise images for the spike-triggered averages (the first ones of the same stream; 0: --noise-images)")
      ("chunk-images", po::value(&options.chunk_images)->default_value(options.chunk_images),
       "images per random stream of the noise (part of the noise's definition with --seed)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward pass (results do not depend on it)")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: classification_images.npy/.png, class_counts.tsv, template_classifier.tsv, confusion.tsv, "
       "psychometric.tsv, sta.npy, sta_covariance.npy, sta_units.tsv, sta.png, summary.json");
}

/// Each row (a channels x height x width map) stretched to [0, 1] for display: (v - min) / (max - min) over the
/// whole map; a NaN or constant map is mid grey.
cnn::ImageBatch stretched_maps(const Eigen::MatrixXd& maps, std::int64_t channels, std::int64_t height, std::int64_t width) {
  cnn::ImageBatch images;
  images.count = maps.rows();
  images.channels = channels;
  images.height = height;
  images.width = width;
  images.values.assign(static_cast<std::size_t>(maps.size()), 0.5f);
  for (Eigen::Index row = 0; row < maps.rows(); ++row) {
    if (maps.row(row).array().isNaN().any()) continue;
    const double low = maps.row(row).minCoeff(), high = maps.row(row).maxCoeff();
    if (!(high > low)) continue;
    for (Eigen::Index p = 0; p < maps.cols(); ++p) {
      images.values[static_cast<std::size_t>(row * maps.cols() + p)] = static_cast<float>((maps(row, p) - low) / (high - low));
    }
  }
  return images;
}

/// The images as rows (N x channels * height * width).
Eigen::MatrixXf image_rows(const cnn::ImageBatch& images) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(images.values.data(), images.count, images.channels * images.height * images.width);
}

/// Per class the mean of the labelled images (classes x pixels; NaN rows for classes without images).
Eigen::MatrixXd class_mean_images(const cnn::ImageBatch& images, const std::vector<std::int64_t>& labels, std::int64_t classes) {
  const Eigen::MatrixXf rows = image_rows(images);
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(classes, rows.cols());
  std::vector<std::int64_t> counts(static_cast<std::size_t>(classes), 0);
  for (Eigen::Index i = 0; i < rows.rows(); ++i) {
    const std::int64_t label = labels[static_cast<std::size_t>(i)];
    if (label < 0 || label >= classes) continue;
    sums.row(label) += rows.row(i).cast<double>();
    ++counts[static_cast<std::size_t>(label)];
  }
  for (std::int64_t c = 0; c < classes; ++c) {
    if (counts[static_cast<std::size_t>(c)] == 0) {
      sums.row(c).setConstant(std::numeric_limits<double>::quiet_NaN());
    } else {
      sums.row(c) /= static_cast<double>(counts[static_cast<std::size_t>(c)]);
    }
  }
  return sums;
}

std::vector<double> parse_gammas(const std::string& text) {
  if (text.empty()) return {};
  const std::vector<double> gammas = parse_number_list(text, "psychometric");
  for (const double gamma : gammas) {
    if (!(gamma >= 0 && gamma <= 1)) throw std::invalid_argument("--psychometric: expected gammas in [0, 1], found '" + text + "'");
  }
  return gammas;
}

/// The units of the spike-triggered averages: those asked for, or the centre unit of each channel of a
/// C x H x W layer (every unit of a flat one). std::invalid_argument for an index outside the layer.
std::vector<std::int64_t> sta_units_of(const std::string& text, const cnn::LayerInfo& layer) {
  std::int64_t size = 1;
  for (const std::int64_t extent : layer.shape) size *= extent;
  std::vector<std::int64_t> units;
  if (!text.empty()) {
    units = parse_integer_list(text, "sta-units");
    for (const std::int64_t unit : units) {
      if (unit < 0 || unit >= size) {
        throw std::invalid_argument("--sta-units: layer " + layer.name + " has units 0.." + std::to_string(size - 1) + ", found " +
                                    std::to_string(unit));
      }
    }
  } else if (layer.shape.size() == 3) {
    const std::int64_t height = layer.shape[1], width = layer.shape[2];
    for (std::int64_t channel = 0; channel < layer.shape[0]; ++channel) units.push_back((channel * height + height / 2) * width + width / 2);
  } else {
    for (std::int64_t unit = 0; unit < size; ++unit) units.push_back(unit);
  }
  return units;
}

std::string class_name(const std::vector<std::string>& names, std::int64_t c) {
  return c < static_cast<std::int64_t>(names.size()) ? names[static_cast<std::size_t>(c)] : std::to_string(c);
}

void run(const CnnWhiteNoiseOptions& options, RunContext& context) {
  cnn::NoiseOptions noise;
  noise.images = options.noise_images;
  noise.kind = cnn::parse_noise_kind(options.noise);
  noise.gaussian_sd = options.noise_sd;
  noise.gamma = options.gamma;
  noise.chunk_images = options.chunk_images;
  noise.batch_size = options.batch_size;
  noise.seed = context.global().seed;
  if (options.noise_images < 1) throw std::invalid_argument("--noise-images: expected >= 1, found " + std::to_string(options.noise_images));
  if (!(options.gamma >= 0 && options.gamma <= 1)) throw std::invalid_argument("--gamma: expected a weight in [0, 1], found " + table_number(options.gamma));
  if (options.gamma > 0 && options.signal != "train" && options.signal != "test") {
    throw std::invalid_argument("--signal: expected 'train' or 'test', found '" + options.signal + "'");
  }
  if (options.sta_images < 0) throw std::invalid_argument("--sta-images: expected >= 0, found " + std::to_string(options.sta_images));
  if (options.sta_layer.empty() && !options.sta_units.empty()) throw std::invalid_argument("--sta-units: needs --sta-layer");
  const std::vector<double> gammas = parse_gammas(options.psychometric);

  const std::filesystem::path folder = options.out;
  const LayerModel model = LayerModel::load(options.input, context);
  const cnn::Classifier& classifier = model.classifier();
  noise.channels = model.channels();
  noise.height = model.height();
  noise.width = model.width();
  cnn::validate_noise_options(noise);
  cnn::LayerInfo sta_layer;
  std::vector<std::int64_t> sta_units;
  if (!options.sta_layer.empty()) {
    model.require_layers({options.sta_layer}, "--sta-layer");
    for (const cnn::LayerInfo& layer : model.layers()) {
      if (layer.name == options.sta_layer) sta_layer = layer;
    }
    sta_units = sta_units_of(options.sta_units, sta_layer);
  }
  // Networks take their own size; TorchScript test images are resized and cropped by --resize / --crop.
  const LoadedClassifier loaded{classifier, options.input.network.empty() ? 0 : model.height(), options.input.network.empty() ? 0 : model.width()};
  const ClassifierImages test = load_classifier_images(options.input, loaded, context);
  const cnn::ImageBatch& test_images = test.set.images;
  if (test_images.height != model.height() || test_images.width != model.width()) {
    throw std::invalid_argument("test images of " + std::to_string(test_images.height) + " x " + std::to_string(test_images.width) +
                                " pixels, the model takes " + std::to_string(model.height()) + " x " + std::to_string(model.width()) +
                                " (for a TorchScript model set --resize and --crop to its input size)");
  }
  cnn::LabelledImages training;
  const cnn::ImageBatch* signal = nullptr;
  if (options.gamma > 0) {
    if (options.signal == "train") {
      if (model.channels() != 1 || model.height() != 28 || model.width() != 28) {
        throw std::invalid_argument("--signal train: the Fashion-MNIST training images are 1 x 28 x 28, the model takes " +
                                    std::to_string(model.channels()) + " x " + std::to_string(model.height()) + " x " +
                                    std::to_string(model.width()) + " (use --signal test)");
      }
      training = cnn::read_fashion_mnist(options.input.fashion_mnist_folder, "train");
      context.provenance().add_input(options.input.fashion_mnist_folder);
      signal = &training.images;
    } else {
      signal = &test_images;
    }
  }
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "summary.json");
  const std::vector<std::string> names =
      options.input.fashion_mnist.empty() ? std::vector<std::string>() : cnn::fashion_mnist_class_names();

  // Classification images.
  const auto start = std::chrono::steady_clock::now();
  cnn::ClassificationImages maps;
  {
    ProgressBar progress = context.progress("white noise");
    maps = cnn::classification_images(classifier, noise, signal, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::int64_t classes = static_cast<std::int64_t>(maps.counts.size());
  std::printf("%lld noise images (%s%s) in %.1f s (%.0f images/s); images per predicted class:", static_cast<long long>(maps.images),
              options.noise.c_str(), options.gamma > 0 ? (", gamma " + table_number(options.gamma)).c_str() : "", seconds,
              static_cast<double>(maps.images) / seconds);
  for (const std::int64_t count : maps.counts) std::printf(" %lld", static_cast<long long>(count));
  std::printf("\n");
  if (!maps.empty_classes.empty()) {
    std::printf("never predicted (no classification image; grey in the montage, NaN in the NPY):");
    for (const std::int64_t c : maps.empty_classes) std::printf(" %s", class_name(names, c).c_str());
    std::printf("\n");
  }
  fmri::write_npy(maps.class_means, folder / "classification_images.npy");
  context.finished_output(folder / "classification_images.npy");
  const Eigen::MatrixXd mean_images = class_mean_images(test_images, test.set.labels, classes);
  {
    const cnn::ImageBatch shown = stretched_maps(maps.class_means, maps.channels, maps.height, maps.width);
    const cnn::ImageBatch means_shown = stretched_maps(mean_images, maps.channels, maps.height, maps.width);
    write_image_montage(folder / "classification_images.png", {&shown, &means_shown}, 5);
    context.finished_output(folder / "classification_images.png");
  }
  fmri::TsvTable counts;
  counts.columns = {"class", "name", "count", "fraction"};
  for (std::int64_t c = 0; c < classes; ++c) {
    counts.rows.push_back({std::to_string(c), class_name(names, c), std::to_string(maps.counts[static_cast<std::size_t>(c)]),
                           table_number(static_cast<double>(maps.counts[static_cast<std::size_t>(c)]) / static_cast<double>(maps.images))});
  }
  fmri::write_tsv(counts, folder / "class_counts.tsv");
  context.finished_output(folder / "class_counts.tsv");

  // Template classifiers on the test set: the classification images, and the class mean test images for reference.
  const Eigen::MatrixXf test_rows = image_rows(test_images);
  const cnn::TemplateClassification by_maps = cnn::classify_by_templates(maps.class_means, test_rows, test.set.labels);
  const cnn::TemplateClassification by_means = cnn::classify_by_templates(mean_images, test_rows, test.set.labels);
  const double chance = 1.0 / static_cast<double>(classes);
  fmri::TsvTable templates;
  templates.columns = {"templates", "accuracy", "correct", "images", "chance", "unusable_templates"};
  auto template_row = [&](const std::string& what, const cnn::TemplateClassification& result) {
    templates.rows.push_back({what, table_number(result.accuracy), std::to_string(result.correct), std::to_string(test_images.count),
                              table_number(chance), std::to_string(result.unusable_classes.size())});
  };
  template_row("classification_images", by_maps);
  template_row("class_mean_test_images", by_means);
  fmri::write_tsv(templates, folder / "template_classifier.tsv");
  context.finished_output(folder / "template_classifier.tsv");
  fmri::TsvTable confusion;
  confusion.columns = {"true_class"};
  for (std::int64_t c = 0; c < classes; ++c) confusion.columns.push_back("predicted_" + std::to_string(c));
  for (std::int64_t t = 0; t < classes; ++t) {
    std::vector<std::string> row{std::to_string(t)};
    for (std::int64_t p = 0; p < classes; ++p) row.push_back(std::to_string(by_maps.confusion(t, p)));
    confusion.rows.push_back(row);
  }
  fmri::write_tsv(confusion, folder / "confusion.tsv");
  context.finished_output(folder / "confusion.tsv");
  std::printf("template classifier on %lld test images: accuracy %s with the classification images (chance %s), %s with the "
              "class mean test images\n",
              static_cast<long long>(test_images.count), table_number(by_maps.accuracy).c_str(), table_number(chance).c_str(),
              table_number(by_means.accuracy).c_str());

  nlohmann::json summary = {
      {"classifier", model.description()},
      {"noise", {{"kind", options.noise}, {"sd", noise.kind == cnn::NoiseKind::gaussian ? nlohmann::json(options.noise_sd) : nlohmann::json()},
                 {"images", maps.images}, {"gamma", options.gamma}, {"signal", options.gamma > 0 ? nlohmann::json(options.signal) : nlohmann::json()},
                 {"seed", noise.seed}, {"chunk_images", noise.chunk_images}, {"device", classifier.device()}}},
      {"seconds", seconds},
      {"images_per_second", static_cast<double>(maps.images) / seconds},
      {"counts", maps.counts},
      {"never_predicted", maps.empty_classes},
      {"template_classifier", {{"accuracy", by_maps.accuracy}, {"chance", chance}, {"test_images", test_images.count},
                               {"class_mean_images_accuracy", by_means.accuracy}}},
      {"display", "classification_images.png: per class the classification image (left) and the class mean test image (right), "
                  "each stretched to [0, 1] by its own minimum and maximum; never-predicted classes are grey"},
      {"npy_layout", "classification_images.npy and sta*.npy: rows x (channels * height * width), C order: reshape to (rows, "
                     "channels, height, width)"}};

  // Psychometric curve.
  if (!gammas.empty()) {
    ProgressBar progress = context.progress("psychometric curve");
    const std::vector<cnn::PsychometricPoint> curve = cnn::psychometric_curve(
        classifier, test_images, test.set.labels, gammas, noise, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
    fmri::TsvTable table;
    table.columns = {"gamma", "accuracy", "correct", "images"};
    nlohmann::json points = nlohmann::json::array();
    for (const cnn::PsychometricPoint& point : curve) {
      table.rows.push_back({table_number(point.gamma), table_number(point.accuracy), std::to_string(point.correct), std::to_string(point.images)});
      points.push_back({{"gamma", point.gamma}, {"accuracy", point.accuracy}});
      std::printf("gamma %-5s accuracy %s\n", table_number(point.gamma).c_str(), table_number(point.accuracy).c_str());
    }
    summary["psychometric"] = points;
    fmri::write_tsv(table, folder / "psychometric.tsv");
    context.finished_output(folder / "psychometric.tsv");
  }

  // Spike-triggered averages: the same noise stream, a second pass reading the layer.
  if (!options.sta_layer.empty()) {
    const std::int64_t sta_images = options.sta_images > 0 ? options.sta_images : options.noise_images;
    const std::int64_t pixels = noise.channels * noise.height * noise.width;
    cnn::SpikeTriggeredAverager averager(static_cast<std::int64_t>(sta_units.size()), pixels);
    ProgressBar progress = context.progress("spike-triggered averages");
    for (std::int64_t first = 0; first < sta_images; first += noise.chunk_images) {
      const std::int64_t count = std::min(noise.chunk_images, sta_images - first);
      const cnn::ImageBatch chunk = cnn::white_noise_images(noise, first, count, classifier.device());
      const Eigen::MatrixXf layer = model.activations(chunk, {options.sta_layer})[0];
      Eigen::MatrixXf responses(count, static_cast<Eigen::Index>(sta_units.size()));
      for (std::size_t u = 0; u < sta_units.size(); ++u) responses.col(static_cast<Eigen::Index>(u)) = layer.col(sta_units[u]);
      averager.add(chunk, responses);
      progress.update(static_cast<std::size_t>(first + count), static_cast<std::size_t>(sta_images));
    }
    progress.finish();
    const cnn::SpikeTriggeredAverages sta = averager.result();
    fmri::write_npy(sta.average, folder / "sta.npy");
    context.finished_output(folder / "sta.npy");
    fmri::write_npy(sta.covariance, folder / "sta_covariance.npy");
    context.finished_output(folder / "sta_covariance.npy");
    fmri::TsvTable table;
    table.columns = {"row", "unit", "response_mean"};
    for (std::size_t u = 0; u < sta_units.size(); ++u) {
      table.rows.push_back({std::to_string(u), std::to_string(sta_units[u]), table_number(sta.response_mean(static_cast<Eigen::Index>(u)))});
    }
    fmri::write_tsv(table, folder / "sta_units.tsv");
    context.finished_output(folder / "sta_units.tsv");
    const cnn::ImageBatch shown = stretched_maps(sta.covariance, noise.channels, noise.height, noise.width);
    write_image_montage(folder / "sta.png", {&shown}, 10);
    context.finished_output(folder / "sta.png");
    summary["sta"] = {{"layer", options.sta_layer}, {"units", sta_units}, {"images", sta.images},
                      {"display", "sta.png: the reverse-correlation map (sta_covariance.npy) of each unit, stretched to [0, 1]"}};
    std::printf("spike-triggered averages of %zu units of %s over %lld noise images\n", sta_units.size(), options.sta_layer.c_str(),
                static_cast<long long>(sta.images));
  }
  context.provenance().add_note("template_accuracy", by_maps.accuracy);
  context.provenance().add_note("counts", maps.counts);
  surface::write_bytes_atomically(folder / "summary.json", summary.dump(2) + "\n");
  context.finished_output(folder / "summary.json");
}

}  // namespace

Command cnn_white_noise_command() {
  return make_command<CnnWhiteNoiseOptions>(cnn_white_noise_info(), declare, run);
}

}  // namespace visalign::apps
