// visalign cnn attack: PGD robustness of a classifier (METHODS.md "Adversarial robustness"): adversarial
// accuracy over a range of epsilons, the minimal perturbation per image, and the adversarial images at
// one epsilon.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/classifier_input.hpp"
#include "apps/commands.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "cnn/pgd_attack.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct CnnAttackOptions {
  ClassifierInputOptions input;
  std::string norm = "linf";
  std::string epsilons = "0,0.01,0.02,0.05,0.1";
  int steps = 10;
  double step_size = 0.0;
  bool random_start = false;
  int target_class = -1;
  double minimal_max = 0.0;
  double minimal_tolerance = 1e-3;
  double save_epsilon = -1.0;
  int batch_size = 100;
  std::string out;
};

void declare(CnnAttackOptions& options, CommandDeclaration& declaration) {
  declare_classifier_input(options.input, declaration);
  declaration.options.add_options()
      ("norm", po::value(&options.norm)->default_value(options.norm), "perturbation bound: linf, l2 or l1")
      ("epsilons", po::value(&options.epsilons)->default_value(options.epsilons),
       "comma-separated perturbation radii in [0, 1] pixel units (L2, L1: of the whole image); adversarial accuracy at each "
       "(0: clean accuracy)")
      ("steps", po::value(&options.steps)->default_value(options.steps), "PGD steps")
      ("step-size", po::value(&options.step_size)->default_value(options.step_size), "PGD step size (0: 2 * epsilon / steps)")
      ("random-start", po::bool_switch(&options.random_start), "start from a random point of the ball (drawn from --seed)")
      ("target-class", po::value(&options.target_class)->default_value(options.target_class),
       "targeted attack toward this class (accuracy then counts images not moved to it); -1: untargeted")
      ("minimal", po::value(&options.minimal_max)->default_value(options.minimal_max)->value_name("MAX_EPSILON"),
       "also search each image's minimal epsilon up to this radius (bisection; 0: no search)")
      ("tolerance", po::value(&options.minimal_tolerance)->default_value(options.minimal_tolerance), "precision of the minimal epsilon")
      ("save-epsilon", po::value(&options.save_epsilon)->default_value(options.save_epsilon),
       "write the adversarial images at this epsilon (PNG) with attack.tsv (-1: none)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward/backward pass")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: robustness.tsv, minimal_epsilons.tsv (--minimal), images/ and attack.tsv (--save-epsilon)");
}

std::vector<double> parse_epsilons(const std::string& text) {
  const std::vector<double> values = parse_number_list(text, "epsilons");
  for (const double value : values) {
    if (!(value >= 0 && std::isfinite(value))) throw std::invalid_argument("--epsilons: expected numbers >= 0, found '" + text + "'");
  }
  return values;
}

void run(const CnnAttackOptions& options, RunContext& context) {
  cnn::PgdOptions pgd;
  pgd.norm = cnn::parse_perturbation_norm(options.norm);
  pgd.steps = options.steps;
  pgd.step_size = options.step_size;
  pgd.random_start = options.random_start;
  pgd.seed = context.global().seed;
  pgd.batch_size = options.batch_size;
  pgd.targeted = options.target_class >= 0;
  if (options.steps < 1) throw std::invalid_argument("--steps: expected >= 1, found " + std::to_string(options.steps));
  if (options.step_size < 0) throw std::invalid_argument("--step-size: expected >= 0, found " + table_number(options.step_size));
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  if (!(options.minimal_max >= 0 && std::isfinite(options.minimal_max))) {
    throw std::invalid_argument("--minimal: expected a radius >= 0, found " + table_number(options.minimal_max));
  }
  if (options.minimal_max > 0 && !(options.minimal_tolerance > 0)) {
    throw std::invalid_argument("--tolerance: expected > 0, found " + table_number(options.minimal_tolerance));
  }
  const std::vector<double> epsilons = parse_epsilons(options.epsilons);
  const std::filesystem::path folder = options.out;
  const LoadedClassifier loaded = load_classifier(options.input, context);
  const cnn::Classifier& classifier = loaded.classifier;
  const ClassifierImages input = load_classifier_images(options.input, loaded, context);
  const cnn::ImageBatch& pixels = input.set.images;
  const std::vector<std::int64_t>& labels = input.set.labels;
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "robustness.tsv");

  // Targeted: success means reaching the target, so "accuracy" is the fraction of images not moved to it.
  const std::vector<std::int64_t> attack_classes =
      pgd.targeted ? std::vector<std::int64_t>(labels.size(), options.target_class) : labels;
  fmri::TsvTable robustness;
  robustness.columns = {"norm", "epsilon", "accuracy", "correct", "images"};
  {
    ProgressBar progress = context.progress("PGD " + options.norm);
    const std::size_t total = epsilons.size() * labels.size();
    std::size_t finished = 0;
    for (const double epsilon : epsilons) {
      cnn::PgdOptions at = pgd;
      at.epsilon = epsilon;
      std::int64_t correct = 0;
      if (epsilon == 0) {
        const std::vector<std::int64_t> predicted = cnn::predicted_classes(classifier.probabilities(pixels, options.batch_size));
        for (std::size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
      } else {
        const cnn::AttackResult result = cnn::pgd_attack(classifier, pixels, attack_classes, at, [&](std::size_t done, std::size_t) {
          progress.update(finished + done, total);
        });
        for (std::size_t i = 0; i < labels.size(); ++i) correct += result.predicted[i] == labels[i] ? 1 : 0;
      }
      finished += labels.size();
      progress.update(finished, total);
      const double accuracy = labels.empty() ? 0.0 : static_cast<double>(correct) / labels.size();
      robustness.rows.push_back({options.norm, table_number(epsilon), table_number(accuracy), std::to_string(correct), std::to_string(labels.size())});
      context.detail("epsilon " + table_number(epsilon) + ": accuracy " + table_number(accuracy));
    }
    progress.finish();
  }
  for (const auto& row : robustness.rows) std::printf("%s epsilon %-8s accuracy %s (%s of %s)\n", row[0].c_str(), row[1].c_str(), row[2].c_str(), row[3].c_str(), row[4].c_str());

  if (options.minimal_max > 0) {
    if (pgd.targeted) throw std::invalid_argument("--minimal: the minimal-epsilon search is untargeted (drop --target-class)");
    ProgressBar progress = context.progress("minimal epsilon");
    const std::vector<double> minimal = cnn::minimal_epsilons(classifier, pixels, labels, pgd, options.minimal_max,
                                                              options.minimal_tolerance,
                                                              [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
    fmri::TsvTable table;
    table.columns = {"image_id", "class", "minimal_epsilon"};
    std::vector<double> finite;
    for (std::size_t i = 0; i < minimal.size(); ++i) {
      table.rows.push_back({input.image_ids[i], std::to_string(labels[i]), std::isfinite(minimal[i]) ? table_number(minimal[i]) : "inf"});
      if (std::isfinite(minimal[i])) finite.push_back(minimal[i]);
    }
    fmri::write_tsv(table, folder / "minimal_epsilons.tsv");
    context.finished_output(folder / "minimal_epsilons.tsv");
    std::sort(finite.begin(), finite.end());
    if (!finite.empty()) {
      std::printf("minimal %s epsilon: median %s over %zu of %zu images (the others resist up to %s)\n", options.norm.c_str(),
                  table_number(finite[finite.size() / 2]).c_str(), finite.size(), minimal.size(), table_number(options.minimal_max).c_str());
    }
  }

  if (options.save_epsilon >= 0) {
    cnn::PgdOptions at = pgd;
    at.epsilon = options.save_epsilon;
    const cnn::AttackResult result = cnn::pgd_attack(classifier, pixels, attack_classes, at);
    std::filesystem::create_directories(folder / "images");
    fmri::TsvTable table;
    table.columns = {"file", "image_id", "class", "predicted", "probability", "success", "linf", "l2", "l1"};
    for (std::int64_t i = 0; i < pixels.count; ++i) {
      const std::string file = "images/" + input.image_ids[i] + "_pgd.png";
      cnn::write_png(folder / file, result.adversarial, i);
      table.rows.push_back({file, input.image_ids[i], std::to_string(labels[i]), std::to_string(result.predicted[i]),
                            table_number(result.probabilities(i, result.predicted[i])), result.success[i] ? "yes" : "no",
                            table_number(result.linf[i]), table_number(result.l2[i]), table_number(result.l1[i])});
    }
    fmri::write_tsv(table, folder / "attack.tsv");
    context.finished_output(folder / "attack.tsv");
  }
  fmri::write_tsv(robustness, folder / "robustness.tsv");
  context.finished_output(folder / "robustness.tsv");
}

}  // namespace

Command cnn_attack_command() {
  return make_command<CnnAttackOptions>(cnn_attack_info(), declare, run);
}

}  // namespace visalign::apps
