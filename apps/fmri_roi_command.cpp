// visalign fmri roi: ROIs from labels and annotations, localizer contrasts and ROI algebra,
// written as FreeSurfer labels (and t/p maps).

#include <iostream>
#include <map>

#include "apps/commands.hpp"
#include "fmri/betas.hpp"
#include "fmri/localizer.hpp"
#include "fmri/roi.hpp"
#include "fmri/subject_rois.hpp"
#include "fmri/surface_label.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/surface_file.hpp"

namespace visalign::apps {

namespace {

struct FmriRoiOptions {
  std::string surface;
  std::vector<std::string> rois;
  std::string localizer_betas, localizer_design, contrast, mask;
  double p_threshold = 0.05;
  std::string expression;
  std::string name = "roi";
  std::string output, t_map, p_map;
};

void declare(FmriRoiOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("surface", po::value(&options.surface)->required()->value_name("FILE"),
       "the hemisphere's white surface (vertex count; coordinates for the written label)")
      ("roi", po::value(&options.rois)->composing()->value_name("NAME=FILE[:REGION]"),
       "a named input ROI: a FreeSurfer label file, or REGION of an annotation (.annot) or GIFTI label file "
       "(.label.gii); repeatable")
      ("localizer-betas", po::value(&options.localizer_betas)->value_name("FILE"),
       "localizer betas (GIFTI, MGH/MGZ, NIfTI or NPY): define the ROI by a two-sample t-test per vertex")
      ("localizer-design", po::value(&options.localizer_design)->value_name("TSV"),
       "the localizer's design: a 'condition' for each beta column")
      ("contrast", po::value(&options.contrast)->value_name("A,B"),
       "conditions to compare, preferred first: vertices where A > B (two-tailed test), e.g. intact,scrambled")
      ("p", po::value(&options.p_threshold)->default_value(options.p_threshold), "p threshold of the localizer (uncorrected)")
      ("mask", po::value(&options.mask)->value_name("EXPRESSION"),
       "restrict the localizer ROI to this ROI expression over the --roi names (e.g. an anatomical label)")
      ("expression", po::value(&options.expression)->value_name("EXPRESSION"),
       "ROI algebra over the --roi names and the localizer ROI (named by --name): | or + union, & intersection, "
       "- difference, parentheses; e.g. \"LO - hMT\"")
      ("name", po::value(&options.name)->default_value(options.name), "name of the localizer ROI (usable in --expression)")
      ("output,o", po::value(&options.output)->required()->value_name("LABEL"), "the resulting ROI as a FreeSurfer label")
      ("t-map", po::value(&options.t_map)->value_name("FILE"), "write the localizer's t values (.func.gii, .mgh, ...)")
      ("p-map", po::value(&options.p_map)->value_name("FILE"), "write the localizer's two-tailed p values");
}

std::pair<std::string, std::string> split_once(const std::string& text, char separator, const std::string& option) {
  const auto at = text.find(separator);
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) {
    throw std::invalid_argument(option + ": expected '" + std::string(1, separator) + "' between two parts, found '" + text + "'");
  }
  return {text.substr(0, at), text.substr(at + 1)};
}

void run(const FmriRoiOptions& options, RunContext& context) {
  const bool localizing = !options.localizer_betas.empty() || !options.localizer_design.empty() || !options.contrast.empty();
  if (localizing && (options.localizer_betas.empty() || options.localizer_design.empty() || options.contrast.empty())) {
    throw std::invalid_argument("a localizer needs --localizer-betas, --localizer-design and --contrast together");
  }
  if (!localizing && options.expression.empty()) {
    throw std::invalid_argument("nothing to compute: give a localizer (--localizer-betas ...) and/or --expression");
  }
  if ((!options.t_map.empty() || !options.p_map.empty()) && !localizing) {
    throw std::invalid_argument("--t-map and --p-map need a localizer");
  }
  for (const auto& output : {options.output, options.t_map, options.p_map}) {
    if (!output.empty()) context.check_output_location(output);
  }
  context.provenance().add_input(options.surface);
  const surface::Mesh white = surface::read_surface(options.surface);

  std::map<std::string, fmri::Roi> rois;
  for (const std::string& spec : options.rois) {
    const auto [name, source] = split_once(spec, '=', "--roi");
    const auto colon = source.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      const std::string file = source.substr(0, colon), region = source.substr(colon + 1);
      context.provenance().add_input(file);
      const fmri::Parcellation parcellation = fmri::read_parcellation(file);
      rois[name] = fmri::make_roi(name, fmri::parcellation_region_vertices(parcellation, region, file));
    } else {
      context.provenance().add_input(source);
      rois[name] = fmri::read_label_roi(source, name, white.vertex_count());
    }
  }

  fmri::Roi result;
  std::optional<fmri::LocalizerResult> localizer;
  if (localizing) {
    const auto [preferred, baseline] = split_once(options.contrast, ',', "--contrast");
    context.provenance().add_input(options.localizer_betas);
    context.provenance().add_input(options.localizer_design);
    const Eigen::MatrixXf betas = fmri::read_betas(options.localizer_betas);
    fmri::check_betas(betas, white.vertex_count(), options.localizer_betas, options.surface, false);
    std::optional<fmri::Roi> mask;
    if (!options.mask.empty()) mask = fmri::evaluate_roi_expression(options.mask, rois);
    localizer = fmri::localize(betas, fmri::read_localizer_design(options.localizer_design), options.localizer_design,
                               {preferred, baseline, options.p_threshold}, options.name, mask);
    rois[options.name] = localizer->roi;
    result = localizer->roi;
  }
  if (!options.expression.empty()) result = fmri::evaluate_roi_expression(options.expression, rois);
  fmri::require_nonempty(result, "--output " + options.output);

  fmri::SurfaceLabel label;
  label.comment = "visalign fmri roi: " + result.name;
  label.vertices = result.vertices;
  label.coordinates.resize(static_cast<Eigen::Index>(result.vertices.size()), 3);
  for (std::size_t i = 0; i < result.vertices.size(); ++i) {
    label.coordinates.row(static_cast<Eigen::Index>(i)) = white.vertices.row(result.vertices[i]);
    label.values.push_back(localizer ? static_cast<float>(localizer->test.t(result.vertices[i])) : 0.0f);
  }
  fmri::write_freesurfer_label(label, options.output);
  context.finished_output(options.output);
  if (localizer && !options.t_map.empty()) {
    fmri::write_surface_maps({{"t_" + options.contrast, "", localizer->test.t.cast<float>()}}, options.t_map, &white);
    context.finished_output(options.t_map);
  }
  if (localizer && !options.p_map.empty()) {
    fmri::write_surface_maps({{"p_" + options.contrast, "", localizer->test.p.cast<float>()}}, options.p_map, &white);
    context.finished_output(options.p_map);
  }
  std::cout << options.output << ": ROI " << result.name << " with " << result.vertices.size() << " vertices";
  if (localizer) {
    std::cout << " (localizer " << options.contrast << " p < " << options.p_threshold << ": "
              << localizer->roi.vertices.size() << " vertices, " << localizer->test.degrees_of_freedom << " df)";
  }
  std::cout << '\n';
}

}  // namespace

Command fmri_roi_command() {
  return make_command<FmriRoiOptions>(
      {"fmri", "roi", "ROIs: labels, annotation regions, localizer t-tests, ROI algebra; written as labels",
       "Builds one ROI and writes it as a FreeSurfer label. Inputs are named with --roi (label files or\n"
       "annotation regions). A localizer compares two conditions of localizer betas per vertex (two-sample\n"
       "t-test, pooled variance, two-tailed) and keeps vertices where the preferred condition is higher at\n"
       "p < --p, optionally inside --mask. --expression combines the named ROIs.\n"
       "Example (LO as in the core study):\n"
       "  visalign fmri roi --surface lh.white --roi hMT=lh.hMT.label --localizer-betas lh.loc.func.gii \\\n"
       "    --localizer-design loc.tsv --contrast intact,scrambled --name LOloc --expression \"LOloc - hMT\" -o lh.LO.label"},
      declare, run);
}

}  // namespace visalign::apps
