// visalign fmri simulate: a simulated subject with a planted answer, written like a real one.

#include <iostream>
#include <map>

#include "apps/commands.hpp"
#include "apps/image_list.hpp"
#include "apps/option_lists.hpp"
#include "fmri/npy.hpp"
#include "fmri/simulated_subject.hpp"
#include "fmri/roi.hpp"
#include "fmri/subject_rois.hpp"
#include "fmri/surface_label.hpp"
#include "surface/format_error.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"

namespace visalign::apps {

namespace {

struct FmriSimulateOptions {
  std::string out;
  fmri::SimulationOptions simulation;
  std::string stimuli;
  std::string low_level_features, high_level_features;
  std::string anatomy, flat_patch, hemispheres = "lh,rh";
  std::vector<std::string> anatomy_rois;
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
      ("anatomy", po::value(&options.anatomy)->value_name("DIR"),
       "simulate on a real subject's surfaces instead of synthetic spheres: a FreeSurfer subject folder with surf/lh.white and "
       "surf/rh.white (surf/?h.pial and surf/?h.inflated are used when there), e.g. fsaverage5; the ROIs come from --anatomy-roi")
      ("anatomy-roi", po::value(&options.anatomy_rois)->composing()->value_name("NAME=SOURCE"),
       "an ROI of --anatomy ({hemi} stands for lh or rh; paths relative to --anatomy): a label file "
       "(V1=label/{hemi}.V1_exvivo.label), ANNOT:REGION (LO=label/{hemi}.aparc.annot:lateraloccipital), or expression:EXPR over "
       "the names before it (V2=expression:V2 - V1). V1, V2, V3, V4, LO and hMT get their high-level shares, LO and hMT their "
       "localizer effects (repeatable)")
      ("hemispheres", po::value(&options.hemispheres)->default_value(options.hemispheres),
       "with --anatomy: the hemispheres to simulate (lh, rh or lh,rh), e.g. lh where only it has the labels")
      ("flat-patch", po::value(&options.flat_patch)->value_name("FILE"),
       "with --anatomy: the flattened cortex ({hemi} for lh/rh; relative to --anatomy): a FreeSurfer patch, or a flat surface "
       "whose faces are the flat map's (gifti/{hemi}.flat.gii.gz of fsaverage5)")
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
  // A table of RE images only stands for the whole set (AN and AI images named as their RE image); with AN or AI
  // rows, every image needs all three.
  const bool re_only = row_of.size() == ids.size();
  std::vector<Eigen::Index> rows;
  for (const char* type : {"RE", "AN", "AI"}) {
    for (const std::string& id : ids) {
      const auto found = row_of.find({id, type});
      if (found != row_of.end()) {
        rows.push_back(found->second);
      } else if (!re_only) {
        throw surface::FormatError(file, "image " + id + ": expected an " + std::string(type) + " row, found none");
      }
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

std::string for_hemisphere(std::string text, const std::string& hemisphere) {
  for (std::size_t at; (at = text.find("{hemi}")) != std::string::npos;) text.replace(at, 6, hemisphere);
  return text;
}

/// Both hemispheres of --anatomy with their ROIs and flat patch, every file checked.
std::map<std::string, fmri::SimulatedAnatomy> read_anatomy(const FmriSimulateOptions& options, RunContext& context) {
  const std::filesystem::path folder = options.anatomy;
  if (options.anatomy_rois.empty()) throw std::invalid_argument("--anatomy: expected --anatomy-roi NAME=SOURCE for its ROIs, found none");
  auto resolved = [&](const std::string& path) {
    const std::filesystem::path file = path;
    return file.is_absolute() ? file : folder / file;
  };
  std::map<std::string, fmri::SimulatedAnatomy> anatomy;
  for (const std::string& h : split_option_list(options.hemispheres, "hemispheres")) {
    if (h != "lh" && h != "rh") throw std::invalid_argument("--hemispheres: expected lh and/or rh, found '" + h + "'");
    fmri::SimulatedAnatomy& hemisphere = anatomy[h];
    hemisphere.source = folder.string();
    const std::filesystem::path white = folder / "surf" / (h + ".white");
    if (!std::filesystem::exists(white)) throw std::runtime_error(white.string() + ": --anatomy: the white surface is missing");
    context.provenance().add_input(white);
    hemisphere.white = surface::read_surface(white);
    for (const auto& [name, mesh] : {std::pair{"pial", &hemisphere.pial}, std::pair{"inflated", &hemisphere.inflated}}) {
      const std::filesystem::path file = folder / "surf" / (h + "." + name);
      if (!std::filesystem::exists(file)) continue;
      context.provenance().add_input(file);
      *mesh = surface::read_surface(file);
      if (mesh->vertex_count() != hemisphere.white.vertex_count()) {
        throw surface::FormatError(file.string(), "vertices: expected " + std::to_string(hemisphere.white.vertex_count()) + " (as " +
                                                      white.string() + "), found " + std::to_string(mesh->vertex_count()));
      }
    }
    if (!options.flat_patch.empty()) {
      const std::filesystem::path file = resolved(for_hemisphere(options.flat_patch, h));
      context.provenance().add_input(file);
      try {
        hemisphere.flat_patch = surface::read_freesurfer_patch(file);
      } catch (const surface::FormatError&) {  // not a FreeSurfer patch: a flat surface
        hemisphere.flat_patch = surface::patch_from_flat_surface(surface::read_surface(file), file.string());
      }
      surface::apply_patch(hemisphere.white, hemisphere.flat_patch, file.string());  // its vertices fit the surface
    }
    for (const std::string& spec : options.anatomy_rois) {
      const std::size_t equals = spec.find('=');
      if (equals == std::string::npos || equals == 0) throw std::invalid_argument("--anatomy-roi: expected NAME=SOURCE, found '" + spec + "'");
      const std::string name = spec.substr(0, equals), source = for_hemisphere(spec.substr(equals + 1), h);
      if (source.rfind("expression:", 0) == 0) {
        hemisphere.rois[name] = fmri::evaluate_roi_expression(source.substr(11), hemisphere.rois);
        hemisphere.rois[name].name = name;
      } else if (const std::size_t colon = source.rfind(':'); colon != std::string::npos && colon > 0) {
        const std::filesystem::path file = resolved(source.substr(0, colon));
        context.provenance().add_input(file);
        const fmri::Parcellation parcellation = fmri::read_parcellation(file);
        hemisphere.rois[name] = fmri::make_roi(name, fmri::parcellation_region_vertices(parcellation, source.substr(colon + 1), file.string()));
      } else {
        context.provenance().add_input(resolved(source));
        hemisphere.rois[name] = fmri::read_label_roi(resolved(source), name, hemisphere.white.vertex_count());
      }
      if (hemisphere.rois[name].vertices.empty()) throw std::invalid_argument("--anatomy-roi " + spec + ": the ROI is empty in " + h);
    }
  }
  return anatomy;
}

void run(const FmriSimulateOptions& options, RunContext& context) {
  fmri::SimulationOptions simulation = options.simulation;
  simulation.seed = context.global().seed;
  if (options.anatomy.empty() && (!options.anatomy_rois.empty() || !options.flat_patch.empty())) {
    throw std::invalid_argument("--anatomy-roi and --flat-patch go with --anatomy");
  }
  if (!options.anatomy.empty()) simulation.anatomy = read_anatomy(options, context);
  std::vector<Eigen::Index> table_rows;
  std::size_t table_size = 0;
  if (!options.stimuli.empty()) {
    context.provenance().add_input(options.stimuli);
    table_rows = read_stimulus_set(options.stimuli, simulation, table_size);
  }
  if (!table_rows.empty() && table_rows.size() != 3 * static_cast<std::size_t>(simulation.images) &&
      (!options.low_level_features.empty() || !options.high_level_features.empty())) {
    throw surface::FormatError(options.stimuli, "image_type: the feature NPYs need AN and AI rows for every image, and the table lists RE images only");
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
