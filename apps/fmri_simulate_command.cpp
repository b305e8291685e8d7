// visalign fmri simulate: a simulated subject with a planted answer, written like a real one.

#include <iostream>

#include "apps/commands.hpp"
#include "fmri/npy.hpp"
#include "fmri/simulated_subject.hpp"

namespace visalign::apps {

namespace {

struct FmriSimulateOptions {
  std::string out;
  fmri::SimulationOptions simulation;
  std::string low_level_features, high_level_features;
};

void declare(FmriSimulateOptions& options, CommandDeclaration& declaration) {
  auto& s = options.simulation;
  declaration.options.add_options()
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "folder to write the subject into (created if needed): surf/, label/, func/, features/, manifest.json, "
       "ground_truth.json")
      ("subject", po::value(&s.subject)->default_value(s.subject), "subject name in the manifest")
      ("order", po::value(&s.sphere_order)->default_value(s.sphere_order),
       "sphere subdivision order per hemisphere (5: 10,242 vertices as fsaverage5; 7: 163,842 as fsaverage)")
      ("images", po::value(&s.images)->default_value(s.images), "regular (RE) images; each also gets an AN and an AI image")
      ("categories", po::value(&s.categories)->default_value(s.categories), "image categories (images split evenly)")
      ("presentations", po::value(&s.presentations)->default_value(s.presentations), "presentations of every image")
      ("snr", po::value(&s.snr)->default_value(s.snr),
       "signal-to-noise ratio of one beta (signal variance / noise variance); 0 gives pure noise (for calibration)")
      ("radius", po::value(&s.white_radius_mm)->default_value(s.white_radius_mm)->value_name("MM"),
       "radius of the white-matter sphere (the pial sphere is 2.5 mm larger)")
      ("localizer-blocks", po::value(&s.localizer_blocks)->default_value(s.localizer_blocks),
       "localizer betas per condition (intact/scrambled for LO, moving/static for hMT)")
      ("low-level-features", po::value(&options.low_level_features)->value_name("NPY"),
       "low-level representation, (3 x images) rows (RE, AN, AI) by features, e.g. an early CNN layer; built in when absent")
      ("high-level-features", po::value(&options.high_level_features)->value_name("NPY"),
       "high-level representation, as above, e.g. a late CNN layer; built in when absent");
}

void run(const FmriSimulateOptions& options, RunContext& context) {
  fmri::SimulationOptions simulation = options.simulation;
  simulation.seed = context.global().seed;
  if (!options.low_level_features.empty()) {
    context.provenance().add_input(options.low_level_features);
    simulation.low_level_features = fmri::npy_matrix(fmri::read_npy(options.low_level_features), options.low_level_features);
  }
  if (!options.high_level_features.empty()) {
    context.provenance().add_input(options.high_level_features);
    simulation.high_level_features = fmri::npy_matrix(fmri::read_npy(options.high_level_features), options.high_level_features);
  }
  std::filesystem::create_directories(options.out);
  ProgressBar progress = context.progress("simulating vertices");
  const fmri::SimulatedSubject subject =
      fmri::simulate_subject(simulation, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
  progress.finish();
  const auto written = fmri::write_simulated_subject(subject, options.out);
  for (const auto& file : written) context.record_output(file);

  std::cout << options.out << ": simulated subject " << simulation.subject << " (seed " << simulation.seed << "), "
            << written.size() << " files, each with a .json provenance sidecar\n";
  for (const auto& hemisphere : subject.hemispheres) {
    std::cout << "  " << hemisphere.name << ": " << hemisphere.white.vertex_count() << " vertices, betas "
              << hemisphere.betas.rows() << " x " << hemisphere.betas.cols() << ", flat patch "
              << hemisphere.flat_patch.vertices.size() << " points; ROIs";
    for (const auto& [name, roi] : hemisphere.rois) std::cout << ' ' << name << ' ' << roi.vertices.size();
    std::cout << '\n';
  }
  std::cout << "  design: " << simulation.images << " images x (RE, AN, AI) x " << simulation.presentations
            << " presentations + blank, SNR " << simulation.snr << "\n"
            << "  manifest: " << (std::filesystem::path(options.out) / "manifest.json").string()
            << "; planted answer: " << (std::filesystem::path(options.out) / "ground_truth.json").string() << '\n';
}

}  // namespace

Command fmri_simulate_command() {
  return make_command<FmriSimulateOptions>(
      {"fmri", "simulate", "a simulated subject with a known answer (surfaces, labels, betas, design, manifest)",
       "Writes a subject exactly as a real one would come: FreeSurfer surfaces and flat patch of a synthetic\n"
       "sphere per hemisphere, labels V1-V4, LO and hMT around an occipital pole, betas for RE/AN/AI images x\n"
       "presentations + blank (GIFTI and MGZ), the design TSV, LO and hMT localizer betas, manifest.json, and\n"
       "ground_truth.json with the generative model. Each vertex mixes a low-level and a high-level\n"
       "representation by ROI (V1 mostly low-level, LO mostly high-level) plus noise at --snr. The built-in\n"
       "representations plant the study's answer: RE-AI similarity above RE-AN in every ROI. Deterministic\n"
       "for a given --seed."},
      declare, run);
}

}  // namespace visalign::apps
