// visalign rsa roi: ROI-level RSA of the core study (figure 3): R(RE-AN), R(RE-AI) and their
// difference in the most reliable vertices of each ROI, with permutation and bootstrap statistics.

#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/similarity_options.hpp"
#include "apps/similarity_table.hpp"
#include "apps/subject_data.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct RsaRoiOptions {
  SubjectInput input;
  std::string rois = "V1,V2,V3,V4,LO";
  int per_hemisphere = 100;
  bool hemispheres_separately = false;
  SimilarityStatistics statistics;
  std::string out;
};

void declare(RsaRoiOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("rois", po::value(&options.rois)->default_value(options.rois), "comma-separated ROI names of the manifest")
      ("per-hemisphere", po::value(&options.per_hemisphere)->default_value(options.per_hemisphere),
       "most reliable vertices per ROI and hemisphere (vertex selection as 'rsa select')")
      ("hemispheres-separately", po::bool_switch(&options.hemispheres_separately),
       "also analyse each hemisphere's vertices on their own (rows 'lh', 'rh' besides 'both')")
      ("out", po::value(&options.out)->required()->value_name("DIR"), "output folder: <subject>.roi_rsa.tsv (+ .json provenance)");
  declare_similarity_statistics(options.statistics, declaration);
  declare_subject_input(options.input, declaration);
}

void run(const RsaRoiOptions& options, RunContext& context) {
  const rsa::SimilarityAnalysisOptions analysis_options = similarity_analysis_options(options.statistics, context.global());
  std::filesystem::create_directories(options.out);
  for (const std::string& manifest_path : options.input.manifests) {
    const LoadedSubject subject = load_subject(manifest_path, options.input, context);
    const fmri::SubjectManifest& manifest = subject.manifest;
    const std::vector<HemisphereData>& hemispheres = subject.hemispheres;
    for (std::size_t h = 1; h < hemispheres.size(); ++h) {
      if (hemispheres[h].design.image_ids() != hemispheres[0].design.image_ids() ||
          hemispheres[h].design.image_types() != hemispheres[0].design.image_types()) {
        throw std::runtime_error(manifest_path + ": the hemispheres' designs name different images or types");
      }
    }
    const std::vector<std::string> rois = roi_names(options.rois, hemispheres, manifest_path);
    const auto selections = select_vertices(hemispheres, rois, options.per_hemisphere, analysis_options.reference,
                                            analysis_options.distance, context);
    fmri::TsvTable table;
    table.columns = similarity_table_columns({"subject", "roi", "hemispheres", "vertices"});
    struct SummaryLine {
      std::string roi, hemispheres;
      rsa::SimilarityAnalysis analysis;
    };
    std::vector<SummaryLine> summary;
    ProgressBar progress = context.progress(manifest.subject + " ROI RSA");
    std::size_t done = 0;
    for (const auto& roi : rois) {
      std::vector<std::pair<std::string, std::vector<std::size_t>>> groups = {{"both", {}}};
      for (std::size_t h = 0; h < hemispheres.size(); ++h) groups.front().second.push_back(h);
      if (options.hemispheres_separately && hemispheres.size() > 1) {
        for (std::size_t h = 0; h < hemispheres.size(); ++h) groups.push_back({hemispheres[h].files.name, {h}});
      }
      for (const auto& [label, members] : groups) {
        std::vector<const HemisphereData*> used;
        std::vector<const fmri::SelectedVertices*> selected;
        std::size_t vertices = 0;
        for (const std::size_t h : members) {
          used.push_back(&hemispheres[h]);
          selected.push_back(&selections[h].selected.at(roi));
          vertices += selected.back()->vertices.size();
        }
        if (vertices < 2) throw std::runtime_error(manifest_path + ": ROI " + roi + " has fewer than 2 selectable vertices");
        const rsa::SimilarityAnalysis analysis = rsa::analyze_similarity(roi_response_patterns(used, selected), analysis_options);
        append_similarity_rows(table, {manifest.subject, roi, label, std::to_string(vertices)}, analysis, analysis_options);
        if (analysis.similarities.size() >= 2) summary.push_back({roi, label, analysis});
      }
      progress.update(++done, rois.size());
    }
    progress.finish();
    const auto path = std::filesystem::path(options.out) / (manifest.subject + ".roi_rsa.tsv");
    fmri::write_tsv(table, path);
    context.finished_output(path);
    // The table a person reads: the means over presentations.
    std::printf("%-12s %-8s %-5s %9s %8s %9s %8s %9s %8s\n", "subject", "roi", "hemi", "R(RE-AN)", "p", "R(RE-AI)", "p", "AI - AN",
                "p_boot");
    for (const auto& line : summary) {
      std::printf("%-12s %-8s %-5s %9.4f %8.4f %9.4f %8.4f %9.4f %8.4f\n", manifest.subject.c_str(), line.roi.c_str(),
                  line.hemispheres.c_str(), line.analysis.similarities[0].mean, line.analysis.similarities[0].p_mean,
                  line.analysis.similarities[1].mean, line.analysis.similarities[1].p_mean, line.analysis.difference.difference,
                  line.analysis.difference.p_one_sided);
    }
  }
}

}  // namespace

Command rsa_roi_command() {
  return make_command<RsaRoiOptions>(
      {"rsa", "roi", "ROI RSA: R(RE-AN), R(RE-AI) and their difference in each ROI's most reliable vertices",
       "Selects each ROI's most reliable vertices (as 'rsa select'), builds the RDMs of the RE, AN and AI images\n"
       "in each presentation from both hemispheres' selected vertices, and compares RE with AN and AI (Spearman\n"
       "by default): per presentation and their mean, label-permutation p-values, bootstrap-over-vertices\n"
       "error bars (68% and 95%; 80% subsamples), and a bootstrap over images of R(RE-AI) - R(RE-AN) with its\n"
       "95% interval and one-sided p. Writes <subject>.roi_rsa.tsv for plotting figure 3 and prints a summary."},
      declare, run);
}

}  // namespace visalign::apps
