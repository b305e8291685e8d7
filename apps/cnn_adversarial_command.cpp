// visalign cnn adversarial: the study's stimulus sets. For every RE image an AN image (grown from the
// mean image until the classifier gives the RE image's class with p >= 0.99) and an AI image (the RE
// image moved to a target class with p >= 0.99 by a small perturbation), as 8-bit PNGs with a stimulus
// table that `cnn activations` and the fMRI design read, and a contact sheet to look at.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/classifier_input.hpp"
#include "apps/commands.hpp"
#include "apps/image_montage.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "cnn/adversarial_images.hpp"
#include "encoding/split_half_reliability.hpp"
#include "fmri/tsv_table.hpp"
#include "surface/atomic_output.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

namespace {

struct CnnAdversarialOptions {
  ClassifierInputOptions input;
  std::string sets = "AN,AI";
  std::string target = "other-category";
  std::string objective = "log-probability";
  double lambda = 0.0;
  double step_levels = 1.0;
  int max_iterations = 500;
  double threshold = 0.99;
  bool no_quantise = false;
  int batch_size = 40;
  std::string class_names;
  std::string out;
};

void declare(CnnAdversarialOptions& options, CommandDeclaration& declaration) {
  declare_classifier_input(options.input, declaration);
  declaration.options.add_options()
      ("sets", po::value(&options.sets)->default_value(options.sets), "which sets to make: AN, AI or AN,AI")
      ("target", po::value(&options.target)->default_value(options.target),
       "AI target class: other-category (a class of another category of the set, drawn from --seed), runner-up (the most "
       "probable other class), or fixed:<class>")
      ("objective", po::value(&options.objective)->default_value(options.objective),
       "ascend log-probability (default) or probability of the class; the stopping rule is on the probability")
      ("lambda", po::value(&options.lambda)->default_value(options.lambda),
       "weight of the squared L2 distance to the mean image (AN) or the RE image (AI) in the objective")
      ("step-levels", po::value(&options.step_levels)->default_value(options.step_levels),
       "step size in 8-bit grey levels: each iteration moves every pixel by this many 1/255 along the gradient sign")
      ("max-iterations", po::value(&options.max_iterations)->default_value(options.max_iterations), "gradient steps at most per image")
      ("threshold", po::value(&options.threshold)->default_value(options.threshold), "stop when the class probability reaches this")
      ("no-quantise", po::bool_switch(&options.no_quantise),
       "test the stopping rule on the float image instead of the saved 8-bit one (saved stimuli may then fall short)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward/backward pass")
      ("class-names", po::value(&options.class_names)->value_name("TSV"),
       "the model's class names: a TSV with an 'index' column and a 'label' (or 'name') column, e.g. cnn/imagenet_classes.tsv of the "
       "shared data; they fill stimuli.tsv's class_name and predicted_name (Fashion-MNIST's are known)")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: images/<id>_<RE|AN|AI>.png, stimuli.tsv (with probabilities, iterations and norms), overview.png");
}

/// Class names by index from a TSV with 'index' and 'label' (or 'name') columns; FormatError naming the file otherwise.
std::vector<std::string> read_class_names(const std::string& file) {
  const fmri::TsvTable table = fmri::read_tsv(file);
  const int index = table.column_index("index");
  const int label = table.column_index("label") >= 0 ? table.column_index("label") : table.column_index("name");
  if (index < 0 || label < 0) throw surface::FormatError(file, "columns: expected 'index' and 'label' (or 'name')");
  std::vector<std::string> names;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::string& cell = table.rows[r][static_cast<std::size_t>(index)];
    std::size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(cell, &used);
    } catch (const std::exception&) {
    }
    if (used != cell.size() || value < 0 || value > 1000000) {
      throw surface::FormatError(file, "row " + std::to_string(r + 2) + ": index: expected a class index >= 0, found '" + cell + "'");
    }
    if (names.size() <= static_cast<std::size_t>(value)) names.resize(static_cast<std::size_t>(value) + 1);
    names[static_cast<std::size_t>(value)] = table.rows[r][static_cast<std::size_t>(label)];
  }
  return names;
}

double median(const std::vector<double>& values) {
  return encoding::median_of_finite(Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size())));
}

void run(const CnnAdversarialOptions& options, RunContext& context) {
  std::vector<std::string> sets;
  for (const std::string& set : split_option_list(options.sets, "sets")) {
    if (set != "AN" && set != "AI") throw std::invalid_argument("--sets: expected AN, AI or AN,AI, found '" + options.sets + "'");
    if (std::find(sets.begin(), sets.end(), set) == sets.end()) sets.push_back(set);
  }
  cnn::AdversarialImageOptions adversarial;
  adversarial.objective = options.objective;
  adversarial.lambda = options.lambda;
  adversarial.step_size = options.step_levels / 255.0;
  adversarial.max_iterations = options.max_iterations;
  adversarial.threshold = options.threshold;
  adversarial.quantise = !options.no_quantise;
  adversarial.batch_size = options.batch_size;
  const std::filesystem::path folder = options.out;
  // Everything is checked before the long work: options, classifier, images, targets, the output folder.
  std::vector<std::string> class_names;
  if (!options.class_names.empty()) {
    context.provenance().add_input(options.class_names);
    class_names = read_class_names(options.class_names);
  }
  const LoadedClassifier loaded = load_classifier(options.input, context);
  const cnn::Classifier& classifier = loaded.classifier;
  const ClassifierImages input = load_classifier_images(options.input, loaded, context);
  if (class_names.empty()) class_names = input.set.class_names;
  auto name_of = [&](std::int64_t c) { return c >= 0 && static_cast<std::size_t>(c) < class_names.size() ? class_names[static_cast<std::size_t>(c)] : ""; };
  const cnn::ImageBatch& regular = input.set.images;
  const std::vector<std::int64_t>& classes = input.set.labels;
  const Eigen::MatrixXf regular_probabilities = classifier.probabilities(regular, options.batch_size);
  if (std::any_of(classes.begin(), classes.end(), [&](std::int64_t c) { return c >= regular_probabilities.cols(); })) {
    throw std::invalid_argument("image classes: a class index is outside the model's " + std::to_string(regular_probabilities.cols()) +
                                " classes");
  }
  std::vector<std::int64_t> targets;
  if (std::find(sets.begin(), sets.end(), "AI") != sets.end()) {
    targets = cnn::interference_targets(options.target, classes, input.categories, regular_probabilities, context.global().seed);
  }
  std::filesystem::create_directories(folder / "images");
  context.check_output_location(folder / "stimuli.tsv");

  std::vector<std::pair<std::string, cnn::AdversarialImages>> made;
  for (const std::string& set : sets) {
    ProgressBar progress = context.progress(set + " images");
    auto update = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
    made.emplace_back(set, set == "AN" ? cnn::noise_images(classifier, regular, classes, adversarial, update)
                                       : cnn::interference_images(classifier, regular, targets, adversarial, update));
    progress.finish();
  }

  fmri::TsvTable table;
  table.columns = {"file", "image_id", "image_type", "category", "class", "class_probability", "predicted", "predicted_probability",
                   "iterations", "reached", "l2", "linf", "class_name", "predicted_name"};
  const std::vector<std::int64_t> regular_predicted = cnn::predicted_classes(regular_probabilities);
  for (std::int64_t i = 0; i < regular.count; ++i) {
    const std::string file = "images/" + input.image_ids[i] + "_RE.png";
    cnn::write_png(folder / file, regular, i);
    const std::int64_t predicted = regular_predicted[i];
    table.rows.push_back({file, input.image_ids[i], "RE", input.categories[i], std::to_string(classes[i]),
                          table_number(regular_probabilities(i, classes[i])), std::to_string(predicted),
                          table_number(regular_probabilities(i, predicted)), "0", "", "0", "0", name_of(classes[i]), name_of(predicted)});
  }
  for (const auto& [set, images] : made) {
    for (std::int64_t i = 0; i < images.images.count; ++i) {
      const std::string file = "images/" + input.image_ids[i] + "_" + set + ".png";
      cnn::write_png(folder / file, images.images, i);
      table.rows.push_back({file, input.image_ids[i], set, input.categories[i], std::to_string(images.classes[i]),
                            table_number(images.class_probability[i]), std::to_string(images.predicted[i]),
                            table_number(images.predicted_probability[i]), std::to_string(images.iterations[i]),
                            images.reached[i] ? "yes" : "no", table_number(images.l2[i]), table_number(images.linf[i]),
                            name_of(images.classes[i]), name_of(images.predicted[i])});
    }
  }
  std::vector<const cnn::ImageBatch*> sheets{&regular};
  for (const auto& entry : made) sheets.push_back(&entry.second.images);
  write_image_montage(folder / "overview.png", sheets, regular.count >= 40 ? 4 : 2);
  context.record_output(folder / "overview.png");

  nlohmann::json summary;
  summary["classifier"] = classifier.description();
  summary["device"] = classifier.device();
  summary["ai_target_rule"] = options.target;
  std::size_t short_of_threshold = 0;
  for (const auto& [set, images] : made) {
    std::vector<double> iterations(images.iterations.begin(), images.iterations.end());
    const auto reached = static_cast<std::size_t>(std::count(images.reached.begin(), images.reached.end(), true));
    short_of_threshold += images.reached.size() - reached;
    summary[set] = {{"images", images.reached.size()}, {"reached", reached},
                    {"iterations_median", median(iterations)},
                    {"iterations_max", *std::max_element(iterations.begin(), iterations.end())},
                    {"l2_median", median(images.l2)}, {"linf_median", median(images.linf)},
                    {"l2_max", *std::max_element(images.l2.begin(), images.l2.end())},
                    {"linf_max", *std::max_element(images.linf.begin(), images.linf.end())}};
    std::printf("%s: %zu of %zu images reached p >= %g; iterations median %g, max %g; distance to the %s: L2 median %.4g (max %.4g), "
                "L-inf median %.4g (max %.4g) = %.3g grey levels\n",
                set.c_str(), reached, images.reached.size(), options.threshold, median(iterations),
                *std::max_element(iterations.begin(), iterations.end()), set == "AN" ? "mean image" : "RE image",
                median(images.l2), *std::max_element(images.l2.begin(), images.l2.end()), median(images.linf),
                *std::max_element(images.linf.begin(), images.linf.end()), median(images.linf) * 255.0);
  }
  context.provenance().add_note("summary", summary);
  fmri::write_tsv(table, folder / "stimuli.tsv");
  context.finished_output(folder / "stimuli.tsv");
  if (short_of_threshold > 0) {
    std::fprintf(stderr, "warning: %zu images did not reach p >= %g within %d iterations (stimuli.tsv: reached = no); "
                 "raise --max-iterations or --step-levels\n", short_of_threshold, options.threshold, options.max_iterations);
  }
}

}  // namespace

Command cnn_adversarial_command() {
  return make_command<CnnAdversarialOptions>(cnn_adversarial_info(), declare, run);
}

}  // namespace visalign::apps
