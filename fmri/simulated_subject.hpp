#pragma once
// A simulated subject with a known answer, written exactly as a real subject would be: FreeSurfer
// surfaces and a flat patch of a synthetic sphere, retinotopically laid out labels (V1-V4, LO,
// hMT) around an occipital pole, betas for RE/AN/AI images x presentations + blank (GIFTI and
// MGH), the design TSV, localizer betas for LO and hMT, the manifest and a ground_truth.json.
//
// Generative model: every vertex responds with random weights to a low-level and a high-level
// stimulus representation, the high-level share of its signal variance set by its ROI (V1 mostly
// low-level, LO mostly high-level), plus independent noise per presentation at a given SNR.
// Built-in representations follow the human pattern of the core study: an AI image shares its RE
// image's high-level representation and nearly its low-level one; an AN image shares neither
// (one common "noise" percept plus unrelated low-level content). So RE-AI similarity exceeds
// RE-AN similarity in every ROI. Every draw comes from (seed, stream) random streams.

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fmri/design.hpp"
#include "fmri/localizer.hpp"
#include "fmri/roi.hpp"
#include "surface/mesh.hpp"
#include "surface/surface_patch.hpp"

namespace visalign::fmri {

/// A real hemisphere to simulate on instead of a synthetic sphere (e.g. fsaverage5's).
struct SimulatedAnatomy {
  surface::Mesh white;
  surface::Mesh pial, inflated;       // empty (no vertices) when there are none
  surface::SurfacePatch flat_patch;   // empty when there is none
  std::map<std::string, Roi> rois;    // V1..V4, LO and hMT get their high-level shares (others the default)
  std::string source;                 // where it comes from, for the ground truth (e.g. the folder)
};

struct SimulationOptions {
  std::string subject = "sub-sim01";
  int sphere_order = 5;           // 5: 10,242 vertices per hemisphere; 7: 163,842
  double white_radius_mm = 70.0;  // pial surface 2.5 mm further out
  int images = 40;                // RE images (each has an AN and an AI version)
  int categories = 5;             // images are split evenly over categories (unless image_categories says otherwise)
  /// Optional: the RE images' ids and categories (`images` entries each, e.g. a stimulus set's), which the design
  /// names and the built-in high-level representation groups by; when empty, "dog1".."aquatic8" in blocks.
  std::vector<std::string> image_ids, image_categories;
  int presentations = 2;
  double snr = 1.0;               // signal variance / noise variance of one beta (0: pure noise)
  int localizer_blocks = 8;       // localizer betas per condition
  std::uint64_t seed = 20261122;
  /// Optional representations, (3 * images) rows (RE..., AN..., AI...) by features; built in when absent.
  std::optional<Eigen::MatrixXd> low_level_features;
  std::optional<Eigen::MatrixXd> high_level_features;
  /// Optional real hemispheres ("lh" and/or "rh": only those are simulated); empty: synthetic spheres of sphere_order.
  std::map<std::string, SimulatedAnatomy> anatomy;
};

/// Share of signal variance that comes from the high-level representation, per ROI.
const std::map<std::string, double>& roi_high_level_share();

struct SimulatedHemisphere {
  std::string name;  // lh / rh
  surface::Mesh white, pial, inflated;  // pial and inflated may be empty (a given anatomy without them)
  surface::SurfacePatch flat_patch;
  std::map<std::string, Roi> rois;   // V1, V2, V3, V4, LO, hMT
  Eigen::VectorXd high_level_share;  // #V
  Eigen::MatrixXf betas;             // #V by design columns
  Eigen::MatrixXf localizer_lo;      // #V by 2 * blocks (intact..., scrambled...)
  Eigen::MatrixXf localizer_hmt;     // #V by 2 * blocks (moving..., static...)
};

struct SimulatedSubject {
  SimulationOptions options;
  Design design;
  LocalizerDesign localizer_lo_design, localizer_hmt_design;
  Eigen::MatrixXd low_level, high_level;  // the representations used, (3 * images) by features
  std::vector<SimulatedHemisphere> hemispheres;
};

/// Simulates both hemispheres. std::invalid_argument for options out of range (e.g. images not a
/// multiple of categories, feature matrices with the wrong number of rows, SNR < 0).
SimulatedSubject simulate_subject(const SimulationOptions& options,
                                  const std::function<void(std::size_t, std::size_t)>& progress = {});

/// Writes the subject into `folder` (created if needed): surf/, label/, func/, features/,
/// manifest.json and ground_truth.json. Returns every file written.
std::vector<std::filesystem::path> write_simulated_subject(const SimulatedSubject& subject,
                                                           const std::filesystem::path& folder);

}  // namespace visalign::fmri
