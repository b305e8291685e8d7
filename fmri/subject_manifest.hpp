#pragma once
// The subject manifest (JSON): per hemisphere, the surfaces, betas, design, ROIs and localizers of
// one subject, with paths relative to the manifest. Later steps take manifests instead of a dozen
// options. Schema (README "Subject manifest"):
//
// {
//   "format": "visalign-subject-1",
//   "subject": "sub-01",
//   "hemispheres": {
//     "lh": {
//       "white": "surf/lh.white", "pial": "surf/lh.pial", "flat_patch": "surf/lh.cortex.patch.flat",
//       "betas": "func/lh.betas.func.gii", "design": "func/design.tsv",
//       "rois": {
//         "V1": "label/lh.V1.label",                                            (a FreeSurfer label)
//         "V1_atlas": {"annotation": "label/lh.aparc.annot", "region": "pericalcarine"},
//         "LO_localized": {"localizer": "LO", "mask": "LO_anatomy"},          (mask optional)
//         "LO_final": {"expression": "LO_localized - hMT"}
//       },
//       "localizers": {
//         "LO": {"betas": "func/lh.localizer_lo.func.gii", "design": "func/localizer_lo.tsv",
//                "preferred": "intact", "baseline": "scrambled", "p": 0.05}
//       }
//     },
//     "rh": { ... }
//   }
// }
//
// Required per hemisphere: white, betas, design. Optional: pial, inflated (pictures only), flat_patch, rois, localizers,
// "npy_orientation" ("vertices-by-columns" default) for NPY betas.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fmri/localizer.hpp"

namespace visalign::fmri {

struct RoiSource {
  enum class Kind { label, annotation, localizer, expression };
  Kind kind = Kind::label;
  std::filesystem::path file;  // label or annotation (absolute)
  std::string region;          // annotation region name
  std::string localizer;       // name of a localizer of the same hemisphere
  std::string mask;            // optional ROI expression restricting a localizer ROI
  std::string expression;      // ROI algebra over the hemisphere's other ROIs
};

struct LocalizerSource {
  std::filesystem::path betas, design;  // absolute
  LocalizerContrast contrast;
};

struct HemisphereFiles {
  std::string name;  // "lh" / "rh"
  std::filesystem::path white, pial, flat_patch, betas, design;  // absolute; pial/flat_patch may be empty
  std::filesystem::path inflated;  // absolute; optional, for pictures of maps only
  std::string npy_orientation = "vertices-by-columns";
  std::map<std::string, RoiSource> rois;
  std::map<std::string, LocalizerSource> localizers;
};

struct SubjectManifest {
  std::filesystem::path file;
  std::string subject;
  std::vector<HemisphereFiles> hemispheres;
};

/// Reads and checks a manifest: JSON syntax, required fields, known keys, and that every named file
/// exists. FormatError naming the manifest and the JSON path of the field (e.g.
/// "hemispheres.lh.betas: file func/lh.betas.func.gii does not exist").
SubjectManifest read_subject_manifest(const std::filesystem::path& path);

/// Writes a manifest with paths relative to its own folder, atomically.
void write_subject_manifest(const SubjectManifest& manifest, const std::filesystem::path& path);

}  // namespace visalign::fmri
