// visalign encoding eigenspectrum: the eigenspectrum of a set of responses and its power-law
// exponent (seed 001, "Computing power law exponents"): PCA of model activations, or
// cross-validated PCA (Stringer et al. 2019) of neural responses with repeats, whose noise does not
// add to the spectrum.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/commands.hpp"
#include "apps/neural_responses.hpp"
#include "apps/similarity_table.hpp"
#include "encoding/eigenspectrum.hpp"
#include "encoding/principal_components.hpp"
#include "encoding/split_half_reliability.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct EncodingEigenspectrumOptions {
  std::string activations;
  NeuralResponseInput responses;
  int splits = 10;
  int first_index = 10, last_index = 1000;
  std::string solver = "exact";
  std::string out;
};

void declare(EncodingEigenspectrumOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("activations", po::value(&options.activations)->value_name("NPY"),
       "responses without repeats (stimuli x units, e.g. a CNN layer to >= 1000 natural images): PCA eigenspectrum");
  declare_neural_responses(options.responses, declaration, false);  // exactly one of --activations and --responses
  declaration.options.add_options()
      ("splits", po::value(&options.splits)->default_value(options.splits),
       "random halves of the repeats; the cross-validated spectrum is their mean (with --responses)")
      ("fit-first", po::value(&options.first_index)->default_value(options.first_index),
       "first eigenvalue index (1-based) of the power-law fit")
      ("fit-last", po::value(&options.last_index)->default_value(options.last_index),
       "last eigenvalue index of the power-law fit (clipped to the spectrum's length)")
      ("solver", po::value(&options.solver)->default_value(options.solver), "PCA solver for --activations: exact or randomized")
      ("out", po::value(&options.out)->required()->value_name("TSV"),
       "spectrum table (index, eigenvalue, fraction of the total); the power-law fit goes to <name>.power_law.tsv and, with "
       "--responses, the units' split-half reliabilities to <name>.reliability.tsv (each + .json provenance)");
}

std::filesystem::path beside(const std::filesystem::path& out, const std::string& what) {
  std::filesystem::path path = out;
  path.replace_extension("." + what + out.extension().string());
  return path;
}

void run(const EncodingEigenspectrumOptions& options, RunContext& context) {
  const bool neural = !options.responses.file.empty();
  if (neural == !options.activations.empty()) throw std::invalid_argument("give exactly one of --activations and --responses");
  if (options.splits < 1) throw std::invalid_argument("--splits: expected >= 1, found " + std::to_string(options.splits));
  if (options.first_index < 1 || options.last_index < options.first_index) {
    throw std::invalid_argument("--fit-first/--fit-last: expected 1 <= first <= last, found " + std::to_string(options.first_index) +
                                ".." + std::to_string(options.last_index));
  }
  context.check_output_location(options.out);

  Eigen::VectorXd spectrum;
  fmri::TsvTable reliability_table;
  std::string description;
  if (neural) {
    const std::vector<Eigen::MatrixXd> repeats = read_neural_responses(options.responses, context);
    if (repeats.size() < 2) {
      throw std::runtime_error(options.responses.file + ": cross-validated PCA needs at least 2 repeats, found " + std::to_string(repeats.size()));
    }
    ProgressBar progress = context.progress("cvPCA");
    for (int split = 0; split < options.splits; ++split) {
      auto [first, second] = encoding::split_half_means(repeats, context.global().seed, static_cast<std::uint64_t>(split));
      // A stimulus a unit never responded to in one half cannot enter the projections: use the unit's mean there.
      encoding::fill_missing_with_column_means(first);
      encoding::fill_missing_with_column_means(second);
      const Eigen::VectorXd values = encoding::cross_validated_eigenspectrum(first, second);
      spectrum = split == 0 ? values : Eigen::VectorXd(spectrum + values);
      progress.update(static_cast<std::size_t>(split + 1), static_cast<std::size_t>(options.splits));
    }
    progress.finish();
    spectrum /= options.splits;
    encoding::SplitHalfOptions reliability_options;
    reliability_options.splits = options.splits;
    reliability_options.seed = context.global().seed;
    const encoding::SplitHalfReliability reliability = encoding::split_half_reliability(repeats, reliability_options);
    reliability_table.columns = {"unit", "split_half_r", "reliability_spearman_brown", "note"};
    std::vector<double> defined;
    for (Eigen::Index j = 0; j < reliability.spearman_brown.size(); ++j) {
      const std::string& reason = reliability.undefined_reason[static_cast<std::size_t>(j)];
      reliability_table.rows.push_back({std::to_string(j), table_number(reliability.half_correlation(j)),
                                        table_number(reliability.spearman_brown(j)), reason.empty() ? "ok" : reason});
      if (reason.empty()) defined.push_back(reliability.spearman_brown(j));
    }
    std::sort(defined.begin(), defined.end());
    description = "cross-validated PCA of " + std::to_string(repeats.front().rows()) + " stimuli x " +
                  std::to_string(repeats.front().cols()) + " units, " + std::to_string(repeats.size()) + " repeats, mean of " +
                  std::to_string(options.splits) + " random halves";
    if (!defined.empty()) {
      std::printf("split-half reliability (Spearman-Brown) of %zu units: min %.3f, median %.3f, max %.3f; %zu undefined\n", defined.size(),
                  defined.front(), encoding::median_of_finite(Eigen::Map<const Eigen::VectorXd>(defined.data(), static_cast<Eigen::Index>(defined.size()))),
                  defined.back(), static_cast<std::size_t>(reliability.spearman_brown.size()) - defined.size());
    }
  } else {
    const Eigen::MatrixXd activations = read_finite_matrix(options.activations, context);
    encoding::PcaOptions pca;
    if (options.solver == "randomized") {
      pca.solver = encoding::PcaSolver::randomized;
      pca.components = static_cast<int>(std::min<Eigen::Index>({activations.rows(), activations.cols(), options.last_index}));
      pca.seed = context.global().seed;
    } else if (options.solver != "exact") {
      throw std::invalid_argument("--solver: expected exact or randomized, found '" + options.solver + "'");
    }
    const encoding::PrincipalComponents components = encoding::fit_pca(activations, pca);
    spectrum = components.explained_variance;
    description = "PCA of " + std::to_string(activations.rows()) + " stimuli x " + std::to_string(activations.cols()) + " units";
  }

  const encoding::PowerLawFit fit = encoding::fit_power_law(spectrum, options.first_index, options.last_index);
  double total = 0;
  for (Eigen::Index i = 0; i < spectrum.size(); ++i) total += std::max(0.0, spectrum(i));
  fmri::TsvTable table;
  table.columns = {"index", "eigenvalue", "fraction_of_positive_total"};
  for (Eigen::Index i = 0; i < spectrum.size(); ++i) {
    table.rows.push_back({std::to_string(i + 1), table_number(spectrum(i)), table_number(total > 0 ? spectrum(i) / total : NAN)});
  }
  fmri::TsvTable power_law;
  power_law.columns = {"alpha", "log_intercept", "first_index", "last_index", "points_used", "nonpositive_left_out", "r_squared"};
  power_law.rows.push_back({table_number(fit.alpha), table_number(fit.log_intercept), std::to_string(fit.first_index),
                            std::to_string(fit.last_index), std::to_string(fit.points_used), std::to_string(fit.nonpositive_left_out),
                            table_number(fit.r_squared)});
  context.provenance().add_note("power_law_alpha", fit.alpha);
  fmri::write_tsv(table, options.out);
  context.finished_output(options.out);
  fmri::write_tsv(power_law, beside(options.out, "power_law"));
  context.finished_output(beside(options.out, "power_law"));
  if (neural) {
    fmri::write_tsv(reliability_table, beside(options.out, "reliability"));
    context.finished_output(beside(options.out, "reliability"));
  }
  std::printf("%s: %ld eigenvalues\n", description.c_str(), static_cast<long>(spectrum.size()));
  std::printf("power law over indices %d..%d (%d positive values, %d non-positive left out): alpha = %.4f, r^2 = %.4f\n",
              fit.first_index, fit.last_index, fit.points_used, fit.nonpositive_left_out, fit.alpha, fit.r_squared);
}

}  // namespace

Command encoding_eigenspectrum_command() {
  return make_command<EncodingEigenspectrumOptions>(
      {"encoding", "eigenspectrum", "eigenspectrum (PCA or cross-validated PCA) and its power-law exponent",
       "The eigenspectrum of a representation and the exponent alpha of its power law (seed 001): alpha =\n"
       "minus the slope of log(eigenvalue) against log(index) over indices 10..1000 (or the range that exists).\n"
       "--activations: PCA of stimuli x units. --responses (with repeats): cross-validated PCA (Stringer et al.\n"
       "2019) - eigenvectors from one half of the repeats, eigenvalues from the covariance of the two halves'\n"
       "projections - averaged over random halves, plus each unit's split-half reliability."},
      declare, run);
}

}  // namespace visalign::apps
