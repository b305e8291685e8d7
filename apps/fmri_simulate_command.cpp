// visalign fmri simulate: a simulated subject with a planted answer, written like a real one.

#include <iostream>
#include <map>

#include "apps/commands.hpp"
#include "apps/image_list.hpp"
#include "fmri/npy.hpp"
#include "fmri/simulated_subject.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

namespace {

struct FmriSimulateOptions {
  std::string out;
  fmri::SimulationOptions simulation;
  std::string stimuli;
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
      ("stimuli", po::value(&options.stimuli)->value_name("TSV"),
       "the stimulus set the subject saw: a TSV with image_id, image_type (RE, AN, AI) and category columns, e.g. "
       "stimuli.tsv of 'cnn adversarial'. Its RE images name the design's images, in its order, with their categories "
       "(--images and --categories follow from it); every RE image needs an AN and an AI row. The feature NPYs then have "
       "one row per row of this table, in its order (as 'cnn v1-simulate --images' or 'cnn activations --images' of it write them)")
      ("low-level-features", po::value(&options.low_level_features)->value_name("NPY"),
       "low-level representation, (3 x images) rows (RE, AN, AI) by features, e.g. an early CNN layer or the V1 simulator's "
       "rates; built in when absent")
      ("high-level-features", po::value(&options.high_level_features)->value_name("NPY"),
       "high-level representation, as above, e.g. a late CNN layer; built in when absent (AI shares its RE image's "
       "category percept, AN a common noise percept: human perception)");
}

/// The rows of the stimulus table for RE..., AN..., AI... in the order of its RE images; sets the simulation's images,
/// their ids and categories. FormatError naming the table for an RE image without its AN or AI row, or no RE image.
std::vector<Eigen::Index> read_stimulus_set(const std::string& file, fmri::SimulationOptions& simulation, std::size_t& table_size) {
  const ImageList list = read_image_list(file);
  table_size = list.images.columns.size();
  std::map<std::pair<std::string, std::string>, Eigen::Index> row_of;  // (image_id, image_type) -> table row
  std::vector<std::string> ids, categories;
  for (std::size_t row = 0; row < list.images.columns.size(); ++row) {
    const fmri::DesignColumn& column = list.images.columns[row];
    if (!row_of.emplace(std::pair{column.image_id, column.image_type}, static_cast<Eigen::Index>(row)).second) {
      throw surface::FormatError(file, "row " + std::to_string(row + 2) + ": image " + column.image_id + " (" + column.image_type +
                                           ") is listed twice");
    }
    if (column.image_type == "RE") {
      ids.push_back(column.image_id);
      categories.push_back(column.category.empty() ? column.image_id : column.category);
    }
  }
  if (ids.empty()) throw surface::FormatError(file, "image_type: expected RE images (with their AN and AI images), found none");
  std::vector<Eigen::Index> rows;
  for (const char* type : {"RE", "AN", "AI"}) {
    for (const std::string& id : ids) {
      const auto found = row_of.find({id, type});
      if (found == row_of.end()) throw surface::FormatError(file, "image " + id + ": expected an " + std::string(type) + " row, found none");
      rows.push_back(found->second);
    }
  }
  simulation.images = static_cast<int>(ids.size());
  simulation.image_ids = ids;
  simulation.image_categories = categories;
  return rows;
}

/// A feature NPY: stimuli x features, reordered to RE..., AN..., AI... when the rows follow a stimulus table.
Eigen::MatrixXd read_features(const std::string& file, const std::vector<Eigen::Index>& table_rows, std::size_t table_size) {
  const Eigen::MatrixXd features = fmri::npy_matrix(fmri::read_npy(file), file);
  if (table_rows.empty()) return features;
  if (features.rows() != static_cast<Eigen::Index>(table_size)) {
    throw surface::FormatError(file, "rows: expected one per row of --stimuli (" + std::to_string(table_size) + "), found " +
                                         std::to_string(features.rows()));
  }
  Eigen::MatrixXd ordered(static_cast<Eigen::Index>(table_rows.size()), features.cols());
  for (std::size_t i = 0; i < table_rows.size(); ++i) ordered.row(static_cast<Eigen::Index>(i)) = features.row(table_rows[i]);
  return ordered;
}

void run(const FmriSimulateOptions& options, RunContext& context) {
  fmri::SimulationOptions simulation = options.simulation;
  simulation.seed = context.global().seed;
  std::vector<Eigen::Index> table_rows;
  std::size_t table_size = 0;
  if (!options.stimuli.empty()) {
    context.provenance().add_input(options.stimuli);
    table_rows = read_stimulus_set(options.stimuli, simulation, table_size);
  }
  if (!options.low_level_features.empty()) {
    context.provenance().add_input(options.low_level_features);
    simulation.low_level_features = read_features(options.low_level_features, table_rows, table_size);
  }
  if (!options.high_level_features.empty()) {
    context.provenance().add_input(options.high_level_features);
    simulation.high_level_features = read_features(options.high_level_features, table_rows, table_size);
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
