// visalign rsa searchlight: maps of R(RE-AN), R(RE-AI), their difference and permutation p-values
// (uncorrected and FDR) over the cortex (core study, figure 4); multithreaded, and split over MPI
// ranks when started with mpirun, with results identical to a single process's.

#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/process_group.hpp"
#include "apps/subject_data.hpp"
#include "fmri/searchlight_plan.hpp"
#include "fmri/surface_map_file.hpp"
#include "rsa/searchlight.hpp"
#include "rsa/statistics.hpp"
#include "surface/surface_file.hpp"

namespace visalign::apps {

namespace {

struct RsaSearchlightOptions {
  SubjectInput input;
  std::string reference = "RE";
  std::vector<std::string> compared = {"AN", "AI"};
  std::string distance = "correlation";
  std::string comparison = "spearman";
  int permutations = 1000;
  std::string out;
};

void declare(RsaSearchlightOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("reference", po::value(&options.reference)->default_value(options.reference), "reference image type")
      ("distance", po::value(&options.distance)->default_value(options.distance), "RDM distance: correlation, euclidean or cosine")
      ("comparison", po::value(&options.comparison)->default_value(options.comparison), "RDM comparison: spearman or pearson")
      ("permutations", po::value(&options.permutations)->default_value(options.permutations),
       "label permutations per vertex (the same permutations at every vertex); 0 for similarity maps only")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <subject>/<hemi>.searchlight.func.gii and .mgz (maps r_RE-AN, r_RE-AI, r_AI_minus_AN, "
       "p_RE-AN, p_RE-AI, q_RE-AN, q_RE-AI)");
  declare_subject_input(options.input, declaration);
}

void run(const RsaSearchlightOptions& options, RunContext& context) {
  const ProcessGroup group = ProcessGroup::join();
  if (!group.is_root()) context.set_verbosity(0);
  rsa::SearchlightOptions engine;
  engine.distance = rsa::parse_rdm_distance(options.distance);
  engine.comparison = rsa::parse_rdm_comparison(options.comparison);
  engine.permutations = options.permutations;
  engine.seed = context.global().seed;
  engine.threads = context.global().threads;
  if (group.is_root()) {
    std::filesystem::create_directories(options.out);
    context.check_output_location(std::filesystem::path(options.out) / "x");
  }
  for (const std::string& manifest_path : options.input.manifests) {
    const LoadedSubject subject = load_subject(manifest_path, options.input, context);
    const fmri::SubjectManifest& manifest = subject.manifest;
    const std::vector<HemisphereData>& hemispheres = subject.hemispheres;
    const auto folder = std::filesystem::path(options.out) / manifest.subject;
    if (group.is_root()) std::filesystem::create_directories(folder);
    for (const auto& hemisphere : hemispheres) {
      const fmri::SearchlightPlan plan = fmri::type_similarity_plan(hemisphere.design, options.reference, options.compared);
      const auto& measures = plan.measures;
      const auto [first, last] = group.share(hemisphere.vertex_count);
      ProgressBar progress = context.progress(manifest.subject + " " + hemisphere.files.name + " searchlight");
      const rsa::SearchlightResult local = rsa::searchlight_rsa(
          hemisphere.betas, {hemisphere.disks.offsets, hemisphere.disks.vertices}, plan.sets, plan.measures, engine, first, last,
          [&](std::size_t done, std::size_t total) { progress.update(done, total); });
      progress.finish();
      // Gather rank by rank (vertex ranges are contiguous and in rank order).
      const auto measure_count = static_cast<Eigen::Index>(measures.size());
      std::vector<double> local_values;
      for (Eigen::Index row = 0; row < local.similarity.rows(); ++row) {
        for (Eigen::Index m = 0; m < measure_count; ++m) {
          local_values.push_back(local.similarity(row, m));
          local_values.push_back(local.p_value(row, m));
        }
      }
      const std::vector<double> values = group.gather(local_values);
      const std::vector<std::int32_t> undefined = group.gather(local.undefined_vertices);
      if (!group.is_root()) continue;

      const Eigen::Index vertices = hemisphere.vertex_count;
      Eigen::MatrixXd similarity(vertices, measure_count), p_values(vertices, measure_count);
      for (Eigen::Index v = 0; v < vertices; ++v) {
        for (Eigen::Index m = 0; m < measure_count; ++m) {
          similarity(v, m) = values[static_cast<std::size_t>((v * measure_count + m) * 2)];
          p_values(v, m) = values[static_cast<std::size_t>((v * measure_count + m) * 2 + 1)];
        }
      }
      std::vector<surface::SurfaceMap> maps;
      for (Eigen::Index m = 0; m < measure_count; ++m) maps.push_back({"r_" + measures[m].name, "rho", similarity.col(m).cast<float>()});
      if (measure_count == 2) {
        maps.push_back({"r_" + options.compared[1] + "_minus_" + options.compared[0], "rho",
                        (similarity.col(1) - similarity.col(0)).cast<float>()});
      }
      for (Eigen::Index m = 0; m < measure_count; ++m) maps.push_back({"p_" + measures[m].name, "p", p_values.col(m).cast<float>()});
      std::vector<Eigen::VectorXd> q_values;
      for (Eigen::Index m = 0; m < measure_count; ++m) {
        q_values.push_back(rsa::benjamini_hochberg(p_values.col(m)));
        maps.push_back({"q_" + measures[m].name, "q (Benjamini-Hochberg)", q_values.back().cast<float>()});
      }
      const surface::Mesh white = surface::read_surface(hemisphere.files.white);
      for (const char* extension : {".searchlight.func.gii", ".searchlight.mgz"}) {
        const auto path = folder / (hemisphere.files.name + extension);
        fmri::write_surface_maps(maps, path, &white);
        context.finished_output(path);
      }
      const std::int64_t defined = vertices - static_cast<std::int64_t>(undefined.size());
      std::printf("%s %s: %lld vertices, %lld without a result (empty disk or constant patterns)%s\n", manifest.subject.c_str(),
                  hemisphere.files.name.c_str(), static_cast<long long>(vertices), static_cast<long long>(undefined.size()),
                  group.size() > 1 ? (", " + std::to_string(group.size()) + " MPI processes").c_str() : "");
      for (Eigen::Index m = 0; m < measure_count; ++m) {
        double sum = 0;
        std::int64_t significant = 0, fdr_significant = 0;
        for (Eigen::Index v = 0; v < vertices; ++v) {
          if (std::isnan(similarity(v, m))) continue;
          sum += similarity(v, m);
          significant += p_values(v, m) < 0.05 ? 1 : 0;
          fdr_significant += q_values[static_cast<std::size_t>(m)](v) < 0.05 ? 1 : 0;
        }
        std::printf("  %-7s mean r %.4f", measures[m].name.c_str(), defined > 0 ? sum / static_cast<double>(defined) : NAN);
        if (options.permutations > 0) {
          std::printf(", p < 0.05 at %.1f%% of vertices, q < 0.05 at %.1f%%", 100.0 * significant / std::max<std::int64_t>(1, defined),
                      100.0 * fdr_significant / std::max<std::int64_t>(1, defined));
        }
        std::printf("\n");
      }
    }
  }
}

}  // namespace

Command rsa_searchlight_command() {
  return make_command<RsaSearchlightOptions>(
      {"rsa", "searchlight", "searchlight RSA maps: R(RE-AN), R(RE-AI), difference, permutation p and FDR q",
       "For every vertex, the RDMs of its searchlight disk (3 mm on the flat patch by default) for RE, AN and\n"
       "AI images in each presentation; R(RE-AN) and R(RE-AI) are the means over presentations of the RDM\n"
       "comparisons (Spearman by default), with label-permutation p-values (the same permutations at every\n"
       "vertex) and Benjamini-Hochberg q-values over vertices. Results do not depend on --threads, and\n"
       "`mpirun -np N visalign rsa searchlight ...` splits the vertices over N processes and writes the same files."},
      declare, run);
}

}  // namespace visalign::apps
