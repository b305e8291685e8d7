// visalign rsa layers: the same RSA on CNN layer activations, and Mann-Kendall trends of R(RE-AN)
// and R(RE-AI) across layers (core study, figure 5).

#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/layer_activations.hpp"
#include "apps/similarity_options.hpp"
#include "apps/similarity_table.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct RsaLayersOptions {
  std::string layers;
  SimilarityStatistics statistics;
  std::string out;
};

void declare(RsaLayersOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("layers", po::value(&options.layers)->required()->value_name("JSON"),
       "layer list: {\"images\": \"images.tsv\", \"layers\": [{\"name\": \"conv1\", \"activations\": \"conv1.npy\"}, ...]} "
       "in network order; paths relative to the JSON; each NPY is images x units with rows as images.tsv describes "
       "(a design table: image_id, image_type, presentation 1)")
      ("out", po::value(&options.out)->required()->value_name("TSV"),
       "results table (+ .json provenance); the Mann-Kendall trends go to <name>.trends.tsv beside it");
  declare_similarity_statistics(options.statistics, declaration);
  declaration.positional.add("layers", 1);
}

/// "layers.tsv" -> "layers.trends.tsv".
std::filesystem::path trends_path(const std::filesystem::path& out) {
  std::filesystem::path path = out;
  path.replace_extension(".trends" + out.extension().string());
  return path;
}

void run(const RsaLayersOptions& options, RunContext& context) {
  rsa::SimilarityAnalysisOptions analysis_options = similarity_analysis_options(options.statistics, context.global());
  analysis_options.subsample_fraction = 0;  // units of a layer: the bootstrap intervals suffice
  context.check_output_location(options.out);
  const LayerList list = read_layer_list(options.layers, context);
  const fmri::Design& images = list.images;

  fmri::TsvTable table;
  table.columns = similarity_table_columns({"layer", "units"});
  std::map<std::string, std::vector<double>> series;
  ProgressBar progress = context.progress("layer RSA");
  const auto& layers = list.layers;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    rsa::TypePatterns patterns;
    for (const std::string& type : images.image_types()) {
      const auto rows = images.columns_of(type, images.presentations().front());
      Eigen::MatrixXd matrix(static_cast<Eigen::Index>(rows.size()), layers[l].activations.cols());
      for (std::size_t i = 0; i < rows.size(); ++i) {
        matrix.row(static_cast<Eigen::Index>(i)) = layers[l].activations.row(rows[i]).cast<double>();
      }
      patterns[type] = matrix;
    }
    const rsa::SimilarityAnalysis analysis = rsa::analyze_similarity({patterns}, analysis_options);
    append_similarity_rows(table, {layers[l].name, std::to_string(layers[l].activations.cols())}, analysis, analysis_options);
    for (const auto& similarity : analysis.similarities) series[similarity.type].push_back(similarity.mean);
    progress.update(l + 1, layers.size());
  }
  progress.finish();
  std::printf("%-12s %10s %10s\n", "layer", "R(RE-AN)", "R(RE-AI)");
  for (std::size_t l = 0; l < layers.size(); ++l) {
    std::printf("%-12s %10.4f %10.4f\n", layers[l].name.c_str(), series["AN"].size() > l ? series["AN"][l] : NAN,
                series["AI"].size() > l ? series["AI"][l] : NAN);
  }
  fmri::TsvTable trends;
  trends.columns = {"measure", "layers", "S", "variance", "z", "p"};
  if (layers.size() >= 3) {
    for (const auto& [type, values] : series) {
      const rsa::MannKendallResult trend = rsa::mann_kendall(values);
      trends.rows.push_back({"RE-" + type, std::to_string(values.size()), table_number(trend.s), table_number(trend.variance),
                             table_number(trend.z), table_number(trend.p)});
      std::printf("Mann-Kendall trend of R(RE-%s) across layers: S = %g, z = %.3f, p = %.4g\n", type.c_str(), trend.s, trend.z, trend.p);
    }
  }
  fmri::write_tsv(table, options.out);
  context.finished_output(options.out);
  if (!trends.rows.empty()) {
    const std::filesystem::path trend_path = trends_path(options.out);
    fmri::write_tsv(trends, trend_path);
    context.finished_output(trend_path);
  }
}

}  // namespace

Command rsa_layers_command() {
  return make_command<RsaLayersOptions>(
      {"rsa", "layers", "layer RSA: R(RE-AN), R(RE-AI) per CNN layer, with Mann-Kendall trends across layers",
       "The ROI analysis on CNN activations: for each layer (images x units NPY), the RDMs of the RE, AN and\n"
       "AI images, R(RE-AN) and R(RE-AI) with permutation p-values and bootstrap intervals, the bootstrap\n"
       "test of their difference, and the Mann-Kendall trend (tie-corrected) of each across layers."},
      declare, run);
}

}  // namespace visalign::apps
