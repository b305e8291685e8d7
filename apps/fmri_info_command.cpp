// visalign fmri info: what a subject manifest points at, read and checked.

#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "fmri/betas.hpp"
#include "fmri/design.hpp"
#include "fmri/subject_manifest.hpp"
#include "fmri/subject_rois.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/mid_thickness.hpp"
#include "surface/surface_file.hpp"

namespace visalign::apps {

namespace {

struct FmriInfoOptions {
  std::string manifest;
  bool mask_non_finite = false;
  bool json = false;
};

void declare(FmriInfoOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("manifest", po::value(&options.manifest)->required()->value_name("FILE"), "subject manifest (JSON; see README)")
      ("mask-non-finite", po::bool_switch(&options.mask_non_finite),
       "report vertices with NaN/Inf betas and carry on, instead of stopping with an error")
      ("json", po::bool_switch(&options.json), "print the summary as JSON");
  declaration.positional.add("manifest", 1);
}

nlohmann::json hemisphere_summary(const fmri::HemisphereFiles& files, const FmriInfoOptions& options, RunContext& context,
                                  const std::string& manifest_source) {
  nlohmann::json summary;
  context.provenance().add_input(files.white);
  const surface::Mesh white = surface::read_surface(files.white);
  summary["white"] = {{"file", files.white.string()}, {"vertices", white.vertex_count()}, {"faces", white.face_count()}};
  if (!files.pial.empty()) {
    context.provenance().add_input(files.pial);
    const surface::Mesh pial = surface::read_surface(files.pial);
    surface::mid_thickness_surface(white, files.white.string(), pial, files.pial.string());  // checks the pair
    summary["pial"] = {{"file", files.pial.string()}, {"vertices", pial.vertex_count()}};
  }
  if (!files.flat_patch.empty()) {
    context.provenance().add_input(files.flat_patch);
    const auto patch = surface::read_freesurfer_patch(files.flat_patch);
    std::int64_t border = 0;
    for (const auto flag : patch.border) border += flag;
    summary["flat_patch"] = {{"file", files.flat_patch.string()}, {"points", patch.vertices.size()}, {"border_points", border}};
  }
  context.provenance().add_input(files.betas);
  const Eigen::MatrixXf betas = fmri::read_betas(files.betas, fmri::parse_npy_orientation(files.npy_orientation));
  const fmri::NonFiniteBetas non_finite =
      fmri::check_betas(betas, white.vertex_count(), files.betas.string(), files.white.string(), options.mask_non_finite);
  double low = INFINITY, high = -INFINITY, sum = 0;
  std::int64_t count = 0;
  for (Eigen::Index i = 0; i < betas.size(); ++i) {
    const float value = betas.data()[i];
    if (!std::isfinite(value)) continue;
    low = std::min<double>(low, value);
    high = std::max<double>(high, value);
    sum += value;
    ++count;
  }
  summary["betas"] = {{"file", files.betas.string()},
                      {"vertices", betas.rows()},
                      {"columns", betas.cols()},
                      {"min", low},
                      {"max", high},
                      {"mean", count > 0 ? sum / static_cast<double>(count) : 0.0},
                      {"non_finite_values", non_finite.value_count},
                      {"masked_vertices", non_finite.vertices.size()}};
  context.provenance().add_input(files.design);
  const fmri::Design design = fmri::read_design(files.design);
  fmri::check_design(design, betas.cols(), files.design.string());
  std::map<std::string, int> per_category;
  for (const auto& [image, category] : design.categories()) ++per_category[category];
  summary["design"] = {{"file", files.design.string()},
                       {"image_types", design.image_types()},
                       {"presentations", design.presentations()},
                       {"images", design.image_ids().size()},
                       {"images_per_category", per_category},
                       {"blank_column", design.blank_column()}};
  const auto rois = fmri::load_hemisphere_rois(files, white.vertex_count(), manifest_source);
  for (const auto& [name, roi] : rois) summary["rois"][name] = roi.vertices.size();
  return summary;
}

void print_text(const nlohmann::json& summary) {
  std::cout << "subject " << summary["subject"].get<std::string>() << " (" << summary["manifest"].get<std::string>() << ")\n";
  for (const auto& [name, h] : summary["hemispheres"].items()) {
    std::cout << name << ":\n";
    std::cout << "  white: " << h["white"]["vertices"] << " vertices, " << h["white"]["faces"] << " faces\n";
    if (h.contains("pial")) std::cout << "  pial: " << h["pial"]["vertices"] << " vertices (matches white)\n";
    if (h.contains("flat_patch")) {
      std::cout << "  flat patch: " << h["flat_patch"]["points"] << " points, " << h["flat_patch"]["border_points"]
                << " on the border\n";
    }
    const auto& b = h["betas"];
    std::printf("  betas: %lld vertices x %lld columns, values %.4g to %.4g (mean %.4g), %lld NaN/Inf",
                b["vertices"].get<long long>(), b["columns"].get<long long>(), b["min"].get<double>(),
                b["max"].get<double>(), b["mean"].get<double>(), b["non_finite_values"].get<long long>());
    if (b["masked_vertices"].get<long long>() > 0) std::printf(" (%lld vertices masked)", b["masked_vertices"].get<long long>());
    std::printf("\n");
    const auto& d = h["design"];
    std::cout << "  design: " << d["images"] << " images x types " << d["image_types"].dump() << " x presentations "
              << d["presentations"].dump() << ", per category " << d["images_per_category"].dump() << ", blank column "
              << d["blank_column"] << '\n';
    std::cout << "  ROIs:";
    for (const auto& [roi, vertices] : h["rois"].items()) std::cout << ' ' << roi << ' ' << vertices;
    std::cout << '\n';
  }
}

void run(const FmriInfoOptions& options, RunContext& context) {
  context.provenance().add_input(options.manifest);
  const fmri::SubjectManifest manifest = fmri::read_subject_manifest(options.manifest);
  nlohmann::json summary = {{"subject", manifest.subject}, {"manifest", manifest.file.string()}};
  for (const auto& files : manifest.hemispheres) {
    summary["hemispheres"][files.name] = hemisphere_summary(files, options, context, options.manifest);
  }
  if (options.json) {
    std::cout << summary.dump(2) << '\n';
  } else {
    print_text(summary);
  }
}

}  // namespace

Command fmri_info_command() {
  return make_command<FmriInfoOptions>(
      {"fmri", "info", "read and check everything a subject manifest names; counts, value ranges, NaNs, ROIs",
       "Reads every file of the manifest the way the analyses will: surfaces (white/pial pair, flat patch),\n"
       "betas (checked against the surface's vertex count and for NaN/Inf), the design (checked against the\n"
       "betas: every column once, the same images in every type and presentation) and the ROIs (labels,\n"
       "annotation regions, localizers, ROI algebra), and prints what it found."},
      declare, run);
}

}  // namespace visalign::apps
