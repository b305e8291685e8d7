#pragma once
// One hemisphere of a subject as the RSA commands use it: betas (vertex-major), design, ROIs and
// the searchlight disks, all read from the manifest and checked before any long work.

#include <map>
#include <string>
#include <vector>

#include "apps/command.hpp"
#include "fmri/design.hpp"
#include "fmri/roi.hpp"
#include "fmri/subject_manifest.hpp"
#include "fmri/vertex_selection.hpp"
#include "rsa/similarity_analysis.hpp"
#include "surface/neighborhood_table.hpp"

namespace visalign::apps {

/// Where searchlight disks are measured (the core study: 3 mm on the flattened cortex).
struct SearchlightGeometry {
  std::string surface = "flat";  // flat (the manifest's flat_patch on white), midthickness, white
  double radius_mm = 3.0;
  std::string method = "fast-marching";
  std::vector<std::string> tables;  // precomputed tables: "lh=FILE", "rh=FILE"
};

/// Declares --disk-surface, --radius, --geodesic-method and --disks.
void declare_searchlight_geometry(SearchlightGeometry& geometry, CommandDeclaration& declaration);

struct HemisphereData {
  fmri::HemisphereFiles files;
  fmri::VertexMajorBetas betas;          // #V by columns
  fmri::Design design;
  std::map<std::string, fmri::Roi> rois;
  surface::NeighborhoodTable disks;      // masked (NaN/Inf) vertices removed from every disk
  std::vector<std::int32_t> masked_vertices;
  std::int64_t vertex_count = 0;
};

/// Reads and checks everything of one hemisphere and computes (or loads and checks) its disks.
HemisphereData load_hemisphere(const fmri::HemisphereFiles& files, const std::string& manifest, const SearchlightGeometry& geometry,
                               bool mask_non_finite, RunContext& context);

/// What the RSA commands read: manifests (also by position), the searchlight geometry and how to
/// treat NaN/Inf betas.
struct SubjectInput {
  std::vector<std::string> manifests;
  bool mask_non_finite = false;
  SearchlightGeometry geometry;
};

/// Declares --manifest (positional too), --mask-non-finite and the searchlight geometry options.
void declare_subject_input(SubjectInput& input, CommandDeclaration& declaration);

struct LoadedSubject {
  fmri::SubjectManifest manifest;
  std::vector<HemisphereData> hemispheres;
};

/// Reads one manifest and every hemisphere it names (see load_hemisphere).
LoadedSubject load_subject(const std::string& manifest_path, const SubjectInput& input, RunContext& context);

/// The ROI names to analyse: the given comma-separated list, each checked to exist in every hemisphere.
std::vector<std::string> roi_names(const std::string& list, const std::vector<HemisphereData>& hemispheres,
                                   const std::string& manifest);

}  // namespace visalign::apps

namespace visalign::apps {

/// Reliability map and the most reliable vertices of each ROI of one hemisphere.
struct HemisphereSelection {
  Eigen::VectorXd reliability;                              // #V
  std::map<std::string, fmri::SelectedVertices> selected;  // by ROI
};

/// Vertex selection for each hemisphere (progress on stderr).
std::vector<HemisphereSelection> select_vertices(const std::vector<HemisphereData>& hemispheres, const std::vector<std::string>& rois,
                                                 int per_hemisphere, const std::string& reference_type, rsa::RdmDistance distance,
                                                 RunContext& context);

/// The responses of a ROI's selected vertices, both hemispheres side by side (columns: the first
/// hemisphere's selected vertices in order, then the next's): per presentation (design order), per
/// image type, images (ordered as design.image_ids()) x vertices. The hemispheres share a design.
std::vector<rsa::TypePatterns> roi_response_patterns(const std::vector<const HemisphereData*>& hemispheres,
                                                     const std::vector<const fmri::SelectedVertices*>& selected);

}  // namespace visalign::apps
