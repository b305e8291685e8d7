#include "apps/subject_data.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include "fmri/betas.hpp"
#include "fmri/subject_rois.hpp"
#include "surface/format_error.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/geodesic_disks.hpp"
#include "surface/mid_thickness.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"

namespace visalign::apps {

void declare_searchlight_geometry(SearchlightGeometry& geometry, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("disk-surface", po::value(&geometry.surface)->default_value(geometry.surface),
       "where searchlight disks are measured: flat (the manifest's flat_patch, as the core study), midthickness "
       "(needs pial) or white")
      ("radius", po::value(&geometry.radius_mm)->default_value(geometry.radius_mm)->value_name("MM"),
       "searchlight disk radius in mm")
      ("geodesic-method", po::value(&geometry.method)->default_value(geometry.method), "fast-marching or dijkstra")
      ("disks", po::value(&geometry.tables)->composing()->value_name("HEMI=FILE"),
       "a precomputed neighbourhood table (visalign surface neighborhoods) for a hemisphere, e.g. lh=lh.disks.nbhd; "
       "checked against that hemisphere's surface");
}

namespace {

surface::Mesh disk_mesh(const fmri::HemisphereFiles& files, const std::string& geometry, const std::string& manifest,
                        std::string& description) {
  const surface::Mesh white = surface::read_surface(files.white);
  if (geometry == "white") {
    description = files.white.string();
    return white;
  }
  if (geometry == "midthickness") {
    if (files.pial.empty()) {
      throw surface::FormatError(manifest, "hemispheres." + files.name + ".pial: needed for --disk-surface midthickness, missing");
    }
    description = "mid-thickness of " + files.white.string() + " and " + files.pial.string();
    return surface::mid_thickness_surface(white, files.white.string(), surface::read_surface(files.pial), files.pial.string());
  }
  if (geometry == "flat") {
    if (files.flat_patch.empty()) {
      throw surface::FormatError(manifest, "hemispheres." + files.name + ".flat_patch: needed for --disk-surface flat, missing");
    }
    description = files.flat_patch.string() + " on " + files.white.string();
    return surface::apply_patch(white, surface::read_freesurfer_patch(files.flat_patch), files.flat_patch.string());
  }
  throw std::invalid_argument("--disk-surface: expected flat, midthickness or white, found '" + geometry + "'");
}

}  // namespace

HemisphereData load_hemisphere(const fmri::HemisphereFiles& files, const std::string& manifest, const SearchlightGeometry& geometry,
                               bool mask_non_finite, RunContext& context) {
  HemisphereData data;
  data.files = files;
  for (const auto& path : {files.white, files.betas, files.design}) context.provenance().add_input(path);
  std::string description;
  const surface::Mesh mesh = disk_mesh(files, geometry.surface, manifest, description);
  data.vertex_count = mesh.vertex_count();
  const Eigen::MatrixXf betas = fmri::read_betas(files.betas, fmri::parse_npy_orientation(files.npy_orientation));
  const fmri::NonFiniteBetas non_finite =
      fmri::check_betas(betas, data.vertex_count, files.betas.string(), files.white.string(), mask_non_finite);
  data.masked_vertices = non_finite.vertices;
  data.design = fmri::read_design(files.design);
  fmri::check_design(data.design, betas.cols(), files.design.string());
  if (data.design.image_ids().size() < 3) {
    throw surface::FormatError(files.design.string(), "images: expected at least 3 images (an RDM needs 3 conditions), found " +
                                                          std::to_string(data.design.image_ids().size()));
  }
  data.rois = fmri::load_hemisphere_rois(files, data.vertex_count, manifest);
  data.betas = betas;

  const std::string prefix = files.name + "=";
  const auto table = std::find_if(geometry.tables.begin(), geometry.tables.end(),
                                  [&](const std::string& spec) { return spec.rfind(prefix, 0) == 0; });
  if (table != geometry.tables.end()) {
    const std::string path = table->substr(prefix.size());
    context.provenance().add_input(path);
    data.disks = surface::load_neighborhood_table(path);
    surface::check_table_matches_surface(data.disks, path, mesh, description);
  } else {
    ProgressBar progress = context.progress(files.name + " searchlight disks");
    data.disks = surface::geodesic_disks(
        mesh, {geometry.radius_mm, surface::parse_geodesic_method(geometry.method), context.global().threads},
        [&](std::size_t done, std::size_t total) { progress.update(done, total); }, description);
    progress.finish();
  }
  if (!data.masked_vertices.empty()) {
    // Leave masked vertices out of every disk (their own disks become empty).
    std::vector<std::uint8_t> masked(static_cast<std::size_t>(data.vertex_count), 0);
    for (const auto v : data.masked_vertices) masked[static_cast<std::size_t>(v)] = 1;
    surface::NeighborhoodTable kept = data.disks;
    kept.vertices.clear();
    kept.distances.clear();
    for (std::int64_t v = 0; v < data.vertex_count; ++v) {
      kept.offsets[static_cast<std::size_t>(v)] = static_cast<std::int64_t>(kept.vertices.size());
      if (masked[static_cast<std::size_t>(v)] != 0) continue;
      for (auto i = data.disks.offsets[static_cast<std::size_t>(v)]; i < data.disks.offsets[static_cast<std::size_t>(v) + 1]; ++i) {
        if (masked[static_cast<std::size_t>(data.disks.vertices[static_cast<std::size_t>(i)])] != 0) continue;
        kept.vertices.push_back(data.disks.vertices[static_cast<std::size_t>(i)]);
        kept.distances.push_back(data.disks.distances[static_cast<std::size_t>(i)]);
      }
    }
    kept.offsets.back() = static_cast<std::int64_t>(kept.vertices.size());
    data.disks = std::move(kept);
    std::cerr << files.betas.string() << ": " << data.masked_vertices.size()
              << " vertices with NaN/Inf betas left out of every searchlight disk\n";
  }
  return data;
}

void declare_subject_input(SubjectInput& input, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("manifest", po::value(&input.manifests)->required()->composing()->value_name("FILE"),
       "subject manifest(s) (JSON); also given by position")
      ("mask-non-finite", po::bool_switch(&input.mask_non_finite), "leave vertices with NaN/Inf betas out instead of stopping");
  declare_searchlight_geometry(input.geometry, declaration);
  declaration.positional.add("manifest", -1);
}

LoadedSubject load_subject(const std::string& manifest_path, const SubjectInput& input, RunContext& context) {
  context.provenance().add_input(manifest_path);
  LoadedSubject subject;
  subject.manifest = fmri::read_subject_manifest(manifest_path);
  for (const auto& files : subject.manifest.hemispheres) {
    subject.hemispheres.push_back(load_hemisphere(files, manifest_path, input.geometry, input.mask_non_finite, context));
  }
  return subject;
}

std::vector<std::string> roi_names(const std::string& list, const std::vector<HemisphereData>& hemispheres,
                                   const std::string& manifest) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  std::string name;
  while (std::getline(stream, name, ',')) {
    if (!name.empty()) names.push_back(name);
  }
  if (names.empty()) throw std::invalid_argument("--rois: expected a comma-separated list of ROI names");
  for (const auto& hemisphere : hemispheres) {
    for (const auto& roi : names) {
      if (hemisphere.rois.count(roi) == 0) {
        std::string known;
        for (const auto& [key, value] : hemisphere.rois) known += (known.empty() ? "" : ", ") + key;
        throw surface::FormatError(manifest, "hemispheres." + hemisphere.files.name + ".rois: expected an ROI named '" + roi +
                                                 "', found " + (known.empty() ? "none" : known));
      }
    }
  }
  return names;
}

}  // namespace visalign::apps

namespace visalign::apps {

std::vector<HemisphereSelection> select_vertices(const std::vector<HemisphereData>& hemispheres, const std::vector<std::string>& rois,
                                                 int per_hemisphere, const std::string& reference_type, rsa::RdmDistance distance,
                                                 RunContext& context) {
  std::vector<HemisphereSelection> selections;
  for (const auto& hemisphere : hemispheres) {
    HemisphereSelection selection;
    ProgressBar progress = context.progress(hemisphere.files.name + " disk reliability");
    selection.reliability = fmri::disk_reliability(
        hemisphere.betas, {hemisphere.disks.offsets, hemisphere.disks.vertices}, hemisphere.design, reference_type, distance,
        context.global().threads, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    progress.finish();
    for (const auto& roi : rois) {
      selection.selected[roi] = fmri::select_reliable_vertices(hemisphere.rois.at(roi), selection.reliability, per_hemisphere);
    }
    selections.push_back(std::move(selection));
  }
  return selections;
}

std::vector<rsa::TypePatterns> roi_response_patterns(const std::vector<const HemisphereData*>& hemispheres,
                                                     const std::vector<const fmri::SelectedVertices*>& selected) {
  const fmri::Design& design = hemispheres.front()->design;
  std::vector<rsa::TypePatterns> presentations;
  Eigen::Index features = 0;
  for (const auto* s : selected) features += static_cast<Eigen::Index>(s->vertices.size());
  for (const int presentation : design.presentations()) {
    rsa::TypePatterns patterns;
    for (const std::string& type : design.image_types()) {
      Eigen::MatrixXd matrix(static_cast<Eigen::Index>(design.image_ids().size()), features);
      Eigen::Index column = 0;
      for (std::size_t h = 0; h < hemispheres.size(); ++h) {
        const auto columns = hemispheres[h]->design.columns_of(type, presentation);
        for (const std::int32_t vertex : selected[h]->vertices) {
          for (std::size_t image = 0; image < columns.size(); ++image) {
            matrix(static_cast<Eigen::Index>(image), column) = hemispheres[h]->betas(vertex, columns[image]);
          }
          ++column;
        }
      }
      patterns[type] = matrix;
    }
    presentations.push_back(std::move(patterns));
  }
  return presentations;
}

}  // namespace visalign::apps
