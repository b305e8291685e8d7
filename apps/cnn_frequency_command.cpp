// visalign cnn frequency: how much a classifier relies on low spatial frequencies (METHODS.md "Frequency
// analyses", seed 003): the hybrid-image curve p_low - p_high over the mixing frequency with its reversal
// frequency f_rev, and the radial Fourier power of the minimal adversarial perturbations with their
// half-power frequency f_0.5 (beside the clean images' profile). Tables, two SVG plots, a montage of hybrids.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/classifier_input.hpp"
#include "apps/commands.hpp"
#include "apps/image_montage.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "apps/svg_plot.hpp"
#include "cnn/fourier_filters.hpp"
#include "cnn/hybrid_images.hpp"
#include "cnn/perturbation_spectrum.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct CnnFrequencyOptions {
  ClassifierInputOptions input;
  std::string mix_frequencies =
      "0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95,1";
  int pairs_per_image = 1;
  std::string norm = "l2";
  int steps = 20;
  double step_size = 0.0;
  double max_epsilon = 0.0;
  double tolerance = 0.0;
  std::int64_t perturbation_images = 200;
  double bin_width = 0.0;
  int montage_pairs = 8;
  int batch_size = 100;
  std::string out;
};

void declare(CnnFrequencyOptions& options, CommandDeclaration& declaration) {
  declare_classifier_input(options.input, declaration);
  declaration.options.add_options()
      ("mix-frequencies", po::value(&options.mix_frequencies)->default_value(options.mix_frequencies),
       "comma-separated mixing frequencies f_mix, increasing, normalised to Nyquist (1 = Nyquist along an axis, at most sqrt(2) = "
       "the corners): a hybrid keeps the low image's Fourier coefficients with f <= f_mix and the high image's above")
      ("pairs-per-image", po::value(&options.pairs_per_image)->default_value(options.pairs_per_image),
       "hybrids per image: each image gives the low frequencies of this many hybrids, with images of other classes drawn at "
       "random (--seed) for the high frequencies")
      ("norm", po::value(&options.norm)->default_value(options.norm),
       "the minimal perturbations' bound: l2 (default: its gradient steps keep the perturbation's spatial structure), linf (sign "
       "steps, which spread power over all frequencies) or l1")
      ("steps", po::value(&options.steps)->default_value(options.steps), "PGD steps of the minimal-perturbation search")
      ("step-size", po::value(&options.step_size)->default_value(options.step_size), "PGD step size (0: 2 * epsilon / steps)")
      ("max-epsilon", po::value(&options.max_epsilon)->default_value(options.max_epsilon),
       "upper end of the minimal-epsilon search (0: 0.5 for linf, 10 for l2, 100 for l1, in [0, 1] pixel units)")
      ("tolerance", po::value(&options.tolerance)->default_value(options.tolerance),
       "precision of the minimal epsilon (0: max-epsilon / 500)")
      ("perturbation-images", po::value(&options.perturbation_images)->default_value(options.perturbation_images),
       "minimal perturbations of the first N images (0: no perturbation spectrum)")
      ("bin-width", po::value(&options.bin_width)->default_value(options.bin_width),
       "radial frequency bins of the power profiles (0: one DFT step, 2 / image size)")
      ("montage-pairs", po::value(&options.montage_pairs)->default_value(options.montage_pairs),
       "hybrids shown in hybrids.png (the first pairs; 0: no montage)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward/backward pass")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: hybrid.tsv, perturbation_spectrum.tsv, summary.tsv (with JSON provenance), hybrid_curve.svg, "
       "perturbation_spectrum.svg, hybrids.png");
}

std::vector<double> parse_mix_frequencies(const std::string& text) {
  const std::vector<double> values = parse_number_list(text, "mix-frequencies");
  for (std::size_t i = 0; i < values.size(); ++i) {
    cnn::require_normalised_frequency(values[i], "--mix-frequencies");
    if (i > 0 && !(values[i] > values[i - 1])) {
      throw std::invalid_argument("--mix-frequencies: expected increasing frequencies, found " + table_number(values[i - 1]) + " then " +
                                  table_number(values[i]));
    }
  }
  if (values.size() < 2) throw std::invalid_argument("--mix-frequencies: expected at least 2 frequencies (for f_rev), found '" + text + "'");
  return values;
}

double default_max_epsilon(cnn::PerturbationNorm norm) {
  switch (norm) {
    case cnn::PerturbationNorm::linf: return 0.5;
    case cnn::PerturbationNorm::l2: return 10.0;
    case cnn::PerturbationNorm::l1: return 100.0;
  }
  return 1.0;
}

void run(const CnnFrequencyOptions& options, RunContext& context) {
  // Everything checkable is checked before the model runs.
  const std::vector<double> mix_frequencies = parse_mix_frequencies(options.mix_frequencies);
  if (options.pairs_per_image < 1) throw std::invalid_argument("--pairs-per-image: expected >= 1, found " + std::to_string(options.pairs_per_image));
  if (options.steps < 1) throw std::invalid_argument("--steps: expected >= 1, found " + std::to_string(options.steps));
  if (options.step_size < 0) throw std::invalid_argument("--step-size: expected >= 0, found " + table_number(options.step_size));
  if (!(options.max_epsilon >= 0 && std::isfinite(options.max_epsilon))) {
    throw std::invalid_argument("--max-epsilon: expected >= 0, found " + table_number(options.max_epsilon));
  }
  if (!(options.tolerance >= 0)) throw std::invalid_argument("--tolerance: expected >= 0, found " + table_number(options.tolerance));
  if (options.perturbation_images < 0) {
    throw std::invalid_argument("--perturbation-images: expected >= 0, found " + std::to_string(options.perturbation_images));
  }
  if (!(options.bin_width >= 0 && options.bin_width < 1)) {
    throw std::invalid_argument("--bin-width: expected in [0, 1), found " + table_number(options.bin_width));
  }
  if (options.montage_pairs < 0) throw std::invalid_argument("--montage-pairs: expected >= 0, found " + std::to_string(options.montage_pairs));
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  cnn::PerturbationSpectrumOptions spectrum_options;
  spectrum_options.attack.norm = cnn::parse_perturbation_norm(options.norm);
  spectrum_options.attack.steps = options.steps;
  spectrum_options.attack.step_size = options.step_size;
  spectrum_options.attack.batch_size = options.batch_size;
  spectrum_options.attack.seed = context.global().seed;
  spectrum_options.max_epsilon = options.max_epsilon > 0 ? options.max_epsilon : default_max_epsilon(spectrum_options.attack.norm);
  spectrum_options.tolerance = options.tolerance > 0 ? options.tolerance : spectrum_options.max_epsilon / 500;
  spectrum_options.bin_width = options.bin_width;

  const LoadedClassifier loaded = load_classifier(options.input, context);
  const cnn::Classifier& classifier = loaded.classifier;
  const ClassifierImages input = load_classifier_images(options.input, loaded, context);
  const cnn::ImageBatch& pixels = input.set.images;
  const std::vector<std::int64_t>& labels = input.set.labels;
  std::vector<cnn::HybridPair> pairs;
  try {
    pairs = cnn::draw_hybrid_pairs(labels, options.pairs_per_image, context.global().seed);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string(error.what()) + " (the hybrids mix images of different classes: take more images or classes)");
  }
  const std::filesystem::path folder = options.out;
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "summary.tsv");
  std::printf("%s: %lld images of %lld x %lld, %zu hybrid pairs, %zu mixing frequencies\n", classifier.description().c_str(),
              static_cast<long long>(pixels.count), static_cast<long long>(pixels.height), static_cast<long long>(pixels.width), pairs.size(),
              mix_frequencies.size());

  // Hybrid images.
  cnn::HybridCurve curve;
  {
    ProgressBar progress = context.progress("hybrid images");
    curve = cnn::hybrid_image_curve(classifier, pixels, labels, pairs, mix_frequencies, options.batch_size,
                                    [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
  }
  fmri::TsvTable hybrid_table;
  hybrid_table.columns = {"f_mix", "p_low", "p_high", "p_low_minus_p_high", "sem", "low_chosen", "high_chosen", "pairs"};
  for (const cnn::HybridCurvePoint& point : curve.points) {
    hybrid_table.rows.push_back({table_number(point.mixing_frequency), table_number(point.p_low), table_number(point.p_high),
                                 table_number(point.difference), table_number(point.difference_sem), table_number(point.low_chosen),
                                 table_number(point.high_chosen), std::to_string(curve.pairs)});
  }
  std::printf("hybrid images: f_rev %s (%s)\n", table_number(curve.reversal.frequency).c_str(), curve.reversal.status.c_str());

  // Minimal perturbations of the first images.
  const std::int64_t perturbed_count = std::min<std::int64_t>(options.perturbation_images, pixels.count);
  cnn::PerturbationSpectrum spectrum;
  if (perturbed_count > 0) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(perturbed_count));
    for (std::int64_t i = 0; i < perturbed_count; ++i) first[static_cast<std::size_t>(i)] = i;
    const cnn::LabelledImages subset = cnn::select_images(input.set, first);
    ProgressBar progress = context.progress("minimal perturbations");
    spectrum = cnn::minimal_perturbation_spectrum(classifier, subset.images, subset.labels, spectrum_options,
                                                  [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
    std::printf("minimal %s perturbations: %lld of %lld images (%lld misclassified already, %lld unbroken up to %s, %lld not reproduced): "
                "f_0.5 %s (clean images %s)\n",
                options.norm.c_str(), static_cast<long long>(spectrum.used_count), static_cast<long long>(perturbed_count),
                static_cast<long long>(spectrum.misclassified), static_cast<long long>(spectrum.unbroken),
                table_number(spectrum_options.max_epsilon).c_str(), static_cast<long long>(spectrum.replay_failed),
                table_number(spectrum.perturbation_half_power_frequency).c_str(), table_number(spectrum.image_half_power_frequency).c_str());
  }
  std::vector<double> used_epsilons;
  for (std::size_t i = 0; i < spectrum.used.size(); ++i) {
    if (spectrum.used[i]) used_epsilons.push_back(spectrum.minimal_epsilon[i]);
  }
  std::sort(used_epsilons.begin(), used_epsilons.end());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double median_epsilon = used_epsilons.empty() ? nan
                                : used_epsilons.size() % 2 == 1 ? used_epsilons[used_epsilons.size() / 2]
                                                                : 0.5 * (used_epsilons[used_epsilons.size() / 2 - 1] + used_epsilons[used_epsilons.size() / 2]);
  double mean_epsilon = nan;
  if (!used_epsilons.empty()) {
    mean_epsilon = 0;
    for (const double e : used_epsilons) mean_epsilon += e / static_cast<double>(used_epsilons.size());
  }

  fmri::TsvTable spectrum_table;
  spectrum_table.columns = {"frequency", "coefficients", "perturbation_power", "perturbation_mean_power", "perturbation_cumulative",
                            "image_power", "image_mean_power", "image_cumulative"};
  if (perturbed_count > 0) {
    const std::vector<double> perturbation_cumulative = cnn::cumulative_power_fraction(spectrum.perturbation_power);
    const std::vector<double> image_cumulative = cnn::cumulative_power_fraction(spectrum.image_power);
    for (std::size_t k = 0; k < spectrum.image_power.power.size(); ++k) {
      const double coefficients = static_cast<double>(spectrum.image_power.coefficients[k]);
      auto per_coefficient = [&](double power) { return coefficients > 0 ? power / coefficients : nan; };
      spectrum_table.rows.push_back({table_number(spectrum.image_power.frequency[k]), std::to_string(spectrum.image_power.coefficients[k]),
                                     table_number(spectrum.perturbation_power.power[k]), table_number(per_coefficient(spectrum.perturbation_power.power[k])),
                                     table_number(perturbation_cumulative[k]), table_number(spectrum.image_power.power[k]),
                                     table_number(per_coefficient(spectrum.image_power.power[k])), table_number(image_cumulative[k])});
    }
  }
  fmri::TsvTable summary;
  summary.columns = {"classifier", "images", "pairs", "f_rev", "f_rev_status", "sign_changes", "norm", "perturbation_images", "perturbations_used",
                     "misclassified", "unbroken", "median_minimal_epsilon", "mean_minimal_epsilon", "f_0.5", "f_0.5_clean_images"};
  summary.rows.push_back({classifier.description(), std::to_string(pixels.count), std::to_string(curve.pairs), table_number(curve.reversal.frequency),
                          curve.reversal.status, std::to_string(curve.reversal.crossings), options.norm, std::to_string(perturbed_count),
                          std::to_string(spectrum.used_count), std::to_string(spectrum.misclassified), std::to_string(spectrum.unbroken),
                          table_number(median_epsilon), table_number(mean_epsilon),
                          table_number(perturbed_count > 0 ? spectrum.perturbation_half_power_frequency : nan),
                          table_number(perturbed_count > 0 ? spectrum.image_half_power_frequency : nan)});
  context.provenance().add_note("classifier", classifier.description());
  context.provenance().add_note("f_rev", curve.reversal.frequency);
  context.provenance().add_note("f_rev_status", curve.reversal.status);
  if (perturbed_count > 0) context.provenance().add_note("f_0.5", spectrum.perturbation_half_power_frequency);

  // Pictures: the curve, the spectra, a few hybrids.
  {
    Plot plot;
    plot.title = "Hybrid images: " + classifier.description();
    plot.x_label = "mixing frequency f_mix (1 = Nyquist)";
    plot.y_label = "probability";
    plot.reference_y = 0;
    plot.note = "f_rev " + table_number(curve.reversal.frequency) + " (" + curve.reversal.status + "), " + std::to_string(curve.pairs) + " pairs";
    PlotSeries difference{"p_low - p_high", {}, {}, true, true, {}};
    PlotSeries upper{"+ sem", {}, {}, true, false, {}}, lower{"- sem", {}, {}, true, false, {}};
    PlotSeries low{"p_low", {}, {}, true, false, {}}, high{"p_high", {}, {}, true, false, {}};
    for (const cnn::HybridCurvePoint& point : curve.points) {
      for (PlotSeries* series : {&difference, &upper, &lower, &low, &high}) series->x.push_back(point.mixing_frequency);
      difference.y.push_back(point.difference);
      upper.y.push_back(point.difference + point.difference_sem);
      lower.y.push_back(point.difference - point.difference_sem);
      low.y.push_back(point.p_low);
      high.y.push_back(point.p_high);
    }
    plot.series = {difference, upper, lower, low, high};
    if (std::isfinite(curve.reversal.frequency)) {
      plot.series.push_back({"f_rev", {curve.reversal.frequency, curve.reversal.frequency}, {-1.0, 1.0}, true, false, {}});
    }
    write_svg(plot, folder / "hybrid_curve.svg");
  }
  if (perturbed_count > 0) {
    Plot plot;
    plot.title = "Minimal " + options.norm + " perturbations: " + classifier.description();
    plot.x_label = "spatial frequency f (1 = Nyquist)";
    plot.y_label = "fraction of the power below f";
    plot.reference_y = 0.5;
    plot.note = "f_0.5 " + table_number(spectrum.perturbation_half_power_frequency) + " (clean images " +
                table_number(spectrum.image_half_power_frequency) + "), " + std::to_string(spectrum.used_count) + " perturbations";
    PlotSeries perturbation{"perturbations", {}, {}, true, false, {}}, image{"clean images", {}, {}, true, false, {}};
    const std::vector<double> perturbation_cumulative = cnn::cumulative_power_fraction(spectrum.perturbation_power);
    const std::vector<double> image_cumulative = cnn::cumulative_power_fraction(spectrum.image_power);
    perturbation.x.push_back(0.0);
    perturbation.y.push_back(0.0);
    image.x.push_back(0.0);
    image.y.push_back(0.0);
    for (std::size_t k = 0; k < image_cumulative.size(); ++k) {
      const double edge = spectrum.image_power.frequency[k] + 0.5 * spectrum.image_power.bin_width;  // cumulative at the upper edge
      perturbation.x.push_back(edge);
      perturbation.y.push_back(perturbation_cumulative[k]);
      image.x.push_back(edge);
      image.y.push_back(image_cumulative[k]);
    }
    plot.series = {perturbation, image};
    for (const auto& [f, label] : {std::pair{spectrum.perturbation_half_power_frequency, "f_0.5 perturbations"},
                                  std::pair{spectrum.image_half_power_frequency, "f_0.5 clean images"}}) {
      if (std::isfinite(f)) plot.series.push_back({label, {f, f}, {0.0, 0.5}, true, false, {}});
    }
    write_svg(plot, folder / "perturbation_spectrum.svg");
  }
  if (options.montage_pairs > 0) {
    // Each group: low image, high image, hybrids at four mixing frequencies.
    const std::size_t shown = std::min<std::size_t>(static_cast<std::size_t>(options.montage_pairs), pairs.size());
    std::vector<std::int64_t> low_indices, high_indices;
    for (std::size_t p = 0; p < shown; ++p) {
      low_indices.push_back(pairs[p].low_image);
      high_indices.push_back(pairs[p].high_image);
    }
    const cnn::ImageBatch low = cnn::select_images(input.set, low_indices).images;
    const cnn::ImageBatch high = cnn::select_images(input.set, high_indices).images;
    std::vector<cnn::ImageBatch> hybrids;
    for (const double f : {0.1, 0.25, 0.5, 0.8}) hybrids.push_back(cnn::hybrid_images(low, high, f));
    write_image_montage(folder / "hybrids.png", {&low, &high, &hybrids[0], &hybrids[1], &hybrids[2], &hybrids[3]}, 2, 84);
  }
  fmri::write_tsv(hybrid_table, folder / "hybrid.tsv");
  context.finished_output(folder / "hybrid.tsv");
  if (perturbed_count > 0) {
    fmri::write_tsv(spectrum_table, folder / "perturbation_spectrum.tsv");
    context.finished_output(folder / "perturbation_spectrum.tsv");
  }
  fmri::write_tsv(summary, folder / "summary.tsv");
  context.finished_output(folder / "summary.tsv");
}

}  // namespace

Command cnn_frequency_command() {
  return make_command<CnnFrequencyOptions>(cnn_frequency_info(), declare, run);
}

}  // namespace visalign::apps
