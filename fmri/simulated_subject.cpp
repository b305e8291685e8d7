#include "fmri/simulated_subject.hpp"

#include <nlohmann/json.hpp>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fmri/mgh.hpp"
#include "fmri/npy.hpp"
#include "fmri/subject_manifest.hpp"
#include "fmri/surface_label.hpp"
#include "rsa/random_stream.hpp"
#include "surface/atomic_output.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/gifti.hpp"
#include "surface/icosphere.hpp"
#include "surface/topology.hpp"

namespace visalign::fmri {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kCorticalThickness = 2.5;       // mm between white and pial
constexpr double kPatchAngle = 95.0;             // degrees of arc from the occipital pole kept in the flat patch
constexpr double kLocalizerEffect = 2.0;         // localizer response difference, in noise SDs
constexpr double kVertexBaselineSd = 0.5;        // per-vertex response offset shared by all images
constexpr double kOutsideRoiHighLevelShare = 0.3;

// Random stream numbers: distinct purposes never share a stream.
enum StreamPurpose : std::uint64_t { kRepresentation = 1, kVertexSignal = 2, kVertexNoise = 3, kLocalizer = 4 };
std::uint64_t stream_index(StreamPurpose purpose, std::uint64_t hemisphere, std::uint64_t item) {
  return (purpose << 56) | (hemisphere << 48) | item;
}

const std::vector<std::string> kCategoryNames = {"dog", "bird", "car", "fruit", "aquatic"};

std::string category_name(int category) {
  return category < static_cast<int>(kCategoryNames.size()) ? kCategoryNames[static_cast<std::size_t>(category)]
                                                            : "category" + std::to_string(category + 1);
}

/// Category index (0-based, in order of first appearance) of every RE image.
std::vector<int> category_indices(const SimulationOptions& options) {
  std::vector<int> indices(static_cast<std::size_t>(options.images));
  if (options.image_categories.empty()) {
    for (int image = 0; image < options.images; ++image) indices[static_cast<std::size_t>(image)] = image / (options.images / options.categories);
    return indices;
  }
  std::vector<std::string> seen;
  for (int image = 0; image < options.images; ++image) {
    const std::string& category = options.image_categories[static_cast<std::size_t>(image)];
    const auto found = std::find(seen.begin(), seen.end(), category);
    indices[static_cast<std::size_t>(image)] = static_cast<int>(found - seen.begin());
    if (found == seen.end()) seen.push_back(category);
  }
  return indices;
}

int category_count(const SimulationOptions& options) {
  const std::vector<int> indices = category_indices(options);
  return *std::max_element(indices.begin(), indices.end()) + 1;
}

Design make_design(const SimulationOptions& options) {
  Design design;
  const int per_category = options.images / options.categories;
  for (int presentation = 1; presentation <= options.presentations; ++presentation) {
    for (const char* type : {"RE", "AN", "AI"}) {
      for (int image = 0; image < options.images; ++image) {
        if (!options.image_ids.empty()) {
          const auto i = static_cast<std::size_t>(image);
          design.columns.push_back({options.image_ids[i], type, presentation, options.image_categories[i]});
          continue;
        }
        const int category = image / per_category;
        design.columns.push_back({category_name(category) + std::to_string(image % per_category + 1), type, presentation,
                                  category_name(category)});
      }
    }
  }
  design.columns.push_back({"blank", "blank", 0, ""});
  return design;
}

Eigen::MatrixXd standardized(Eigen::MatrixXd features) {
  // Columns z-scored over images, rows scaled so that a unit-variance weight vector gives unit variance.
  for (Eigen::Index j = 0; j < features.cols(); ++j) {
    const double mean = features.col(j).mean();
    features.col(j).array() -= mean;
    const double sd = std::sqrt(features.col(j).squaredNorm() / std::max<Eigen::Index>(1, features.rows() - 1));
    if (sd > 0) features.col(j) /= sd;
  }
  return features / std::sqrt(static_cast<double>(std::max<Eigen::Index>(1, features.cols())));
}

/// Built-in representations, rows RE 0..n-1, AN n..2n-1, AI 2n..3n-1.
void builtin_representations(const SimulationOptions& options, Eigen::MatrixXd& low, Eigen::MatrixXd& high) {
  const int n = options.images;
  const std::vector<int> category_of = category_indices(options);
  const int categories = category_count(options);
  constexpr int kLowFeatures = 30, kHighFeatures = 20;
  rsa::RandomStream random(options.seed, stream_index(kRepresentation, 0, 0));
  auto normal_matrix = [&](Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = random.normal();
    }
    return m;
  };
  const Eigen::MatrixXd prototypes = normal_matrix(categories, kHighFeatures);
  const Eigen::MatrixXd re_high_jitter = normal_matrix(n, kHighFeatures);
  const Eigen::MatrixXd noise_percept = normal_matrix(1, kHighFeatures);
  const Eigen::MatrixXd an_high_jitter = normal_matrix(n, kHighFeatures);
  const Eigen::MatrixXd re_low = normal_matrix(n, kLowFeatures);
  const Eigen::MatrixXd an_low = normal_matrix(n, kLowFeatures);
  const Eigen::MatrixXd ai_low_jitter = normal_matrix(n, kLowFeatures);
  low.resize(3 * n, kLowFeatures);
  high.resize(3 * n, kHighFeatures);
  for (int i = 0; i < n; ++i) {
    const Eigen::RowVectorXd re_high = prototypes.row(category_of[static_cast<std::size_t>(i)]) + 0.6 * re_high_jitter.row(i);
    high.row(i) = re_high;                                            // RE
    high.row(n + i) = noise_percept + 0.3 * an_high_jitter.row(i);    // AN: the common noise percept
    high.row(2 * n + i) = re_high;                                    // AI: the RE image's percept
    low.row(i) = re_low.row(i);                                       // RE
    low.row(n + i) = an_low.row(i);                                   // AN: unrelated content
    low.row(2 * n + i) = re_low.row(i) + 0.15 * ai_low_jitter.row(i); // AI: nearly the RE image
  }
}

/// Angle from the occipital pole (posterior, -y) and polar angle around it (0 = lateral, 90 = superior).
void pole_coordinates(const Eigen::Vector3d& position, bool left, double& eccentricity_degrees, double& polar_degrees) {
  const Eigen::Vector3d direction = position.normalized();
  const Eigen::Vector3d pole(0, -1, 0), lateral(left ? -1 : 1, 0, 0), superior(0, 0, 1);
  eccentricity_degrees = std::acos(std::clamp(direction.dot(pole), -1.0, 1.0)) * 180.0 / kPi;
  polar_degrees = std::atan2(direction.dot(superior), direction.dot(lateral)) * 180.0 / kPi;
}

std::map<std::string, Roi> retinotopic_rois(const surface::Mesh& white, bool left) {
  std::map<std::string, std::vector<std::int32_t>> members;
  for (Eigen::Index v = 0; v < white.vertex_count(); ++v) {
    double eccentricity, polar;
    pole_coordinates(white.vertices.row(v).cast<double>().transpose(), left, eccentricity, polar);
    const auto vertex = static_cast<std::int32_t>(v);
    if (eccentricity < 30) members["V1"].push_back(vertex);
    else if (eccentricity < 40) members["V2"].push_back(vertex);
    else if (eccentricity < 48) members["V3"].push_back(vertex);
    else if (eccentricity < 56 && polar < 0) members["V4"].push_back(vertex);  // ventral
    if (eccentricity >= 56 && eccentricity < 75 && std::abs(polar) < 60) members["LO"].push_back(vertex);
    if (eccentricity >= 70 && eccentricity < 85 && std::abs(polar) < 25) members["hMT"].push_back(vertex);
  }
  std::map<std::string, Roi> rois;
  for (auto& [name, vertices] : members) rois[name] = make_roi(name, std::move(vertices));
  return rois;
}

surface::SurfacePatch occipital_flat_patch(const surface::Mesh& white, bool left) {
  // Azimuthal equidistant projection around the pole: distances from the pole are kept.
  const double radius = white.vertices.row(0).cast<double>().norm();
  std::vector<std::uint8_t> inside(static_cast<std::size_t>(white.vertex_count()), 0);
  for (Eigen::Index v = 0; v < white.vertex_count(); ++v) {
    double eccentricity, polar;
    pole_coordinates(white.vertices.row(v).cast<double>().transpose(), left, eccentricity, polar);
    inside[static_cast<std::size_t>(v)] = eccentricity <= kPatchAngle;
  }
  const surface::MeshTopology topology = surface::mesh_topology(white);
  surface::SurfacePatch patch;
  for (Eigen::Index v = 0; v < white.vertex_count(); ++v) {
    if (!inside[static_cast<std::size_t>(v)]) continue;
    bool border = false;
    for (auto i = topology.neighbor_offsets[static_cast<std::size_t>(v)]; i < topology.neighbor_offsets[static_cast<std::size_t>(v) + 1]; ++i) {
      border = border || !inside[static_cast<std::size_t>(topology.neighbors[static_cast<std::size_t>(i)])];
    }
    patch.vertices.push_back(static_cast<std::int32_t>(v));
    patch.border.push_back(border ? 1 : 0);
  }
  patch.coordinates.resize(static_cast<Eigen::Index>(patch.vertices.size()), 3);
  for (std::size_t i = 0; i < patch.vertices.size(); ++i) {
    double eccentricity, polar;
    pole_coordinates(white.vertices.row(patch.vertices[i]).cast<double>().transpose(), left, eccentricity, polar);
    const double distance = radius * eccentricity * kPi / 180.0;
    const double angle = polar * kPi / 180.0;
    // Seen from behind with lateral to the side of the hemisphere and superior up.
    patch.coordinates.row(static_cast<Eigen::Index>(i)) << static_cast<float>((left ? -1 : 1) * distance * std::cos(angle)),
        static_cast<float>(distance * std::sin(angle)), 0.0f;
  }
  return patch;
}

SimulatedHemisphere simulate_hemisphere(const SimulationOptions& options, const std::string& name, std::uint64_t hemisphere_index,
                                        const Eigen::MatrixXd& low, const Eigen::MatrixXd& high, const Design& design,
                                        const std::function<void(std::size_t, std::size_t)>& progress, std::size_t& done,
                                        std::size_t total) {
  const bool left = name == "lh";
  SimulatedHemisphere hemisphere;
  hemisphere.name = name;
  const auto given = options.anatomy.find(name);
  if (given != options.anatomy.end()) {
    hemisphere.white = given->second.white;
    hemisphere.pial = given->second.pial;
    hemisphere.inflated = given->second.inflated;
    hemisphere.rois = given->second.rois;
    hemisphere.flat_patch = given->second.flat_patch;
  } else {
    hemisphere.white = surface::icosphere(options.sphere_order, options.white_radius_mm);
    hemisphere.pial = surface::icosphere(options.sphere_order, options.white_radius_mm + kCorticalThickness);
    if (!left) {  // mirror: the right hemisphere's lateral side is +x
      hemisphere.white.vertices.col(0) *= -1.0f;
      hemisphere.pial.vertices.col(0) *= -1.0f;
      hemisphere.white.faces.col(1).swap(hemisphere.white.faces.col(2));  // keep faces outward
      hemisphere.pial.faces = hemisphere.white.faces;
    }
    hemisphere.rois = retinotopic_rois(hemisphere.white, left);
    hemisphere.flat_patch = occipital_flat_patch(hemisphere.white, left);
  }

  const Eigen::Index vertices = hemisphere.white.vertex_count();
  hemisphere.high_level_share = Eigen::VectorXd::Constant(vertices, kOutsideRoiHighLevelShare);
  for (const char* roi : {"V1", "V2", "V3", "V4", "hMT", "LO"}) {  // LO last: it wins where it overlaps hMT
    const auto found = hemisphere.rois.find(roi);
    if (found == hemisphere.rois.end()) continue;  // a given anatomy may lack some
    for (const std::int32_t v : found->second.vertices) hemisphere.high_level_share(v) = roi_high_level_share().at(roi);
  }

  const Eigen::Index columns = static_cast<Eigen::Index>(design.columns.size());
  const int n = options.images;
  hemisphere.betas.resize(vertices, columns);
  const int blocks = options.localizer_blocks;
  hemisphere.localizer_lo.resize(vertices, 2 * blocks);
  hemisphere.localizer_hmt.resize(vertices, 2 * blocks);
  std::vector<std::uint8_t> in_lo(static_cast<std::size_t>(vertices), 0), in_hmt(static_cast<std::size_t>(vertices), 0);
  if (hemisphere.rois.count("LO") != 0) {
    for (const auto v : hemisphere.rois.at("LO").vertices) in_lo[static_cast<std::size_t>(v)] = 1;
  }
  if (hemisphere.rois.count("hMT") != 0) {
    for (const auto v : hemisphere.rois.at("hMT").vertices) in_hmt[static_cast<std::size_t>(v)] = 1;
  }
  const double signal_scale = std::sqrt(options.snr);  // unit noise; SNR 0 is pure noise

  Eigen::VectorXd low_weights(low.cols()), high_weights(high.cols());
  for (Eigen::Index v = 0; v < vertices; ++v) {
    rsa::RandomStream signal(options.seed, stream_index(kVertexSignal, hemisphere_index, static_cast<std::uint64_t>(v)));
    for (Eigen::Index j = 0; j < low_weights.size(); ++j) low_weights(j) = signal.normal();
    for (Eigen::Index j = 0; j < high_weights.size(); ++j) high_weights(j) = signal.normal();
    const double baseline = kVertexBaselineSd * signal.normal();
    const double share = hemisphere.high_level_share(v);
    // Signal of each of the 3n images (RE, AN, AI rows), unit variance on average.
    const Eigen::VectorXd image_signal =
        std::sqrt(1.0 - share) * (low * low_weights) + std::sqrt(share) * (high * high_weights);
    rsa::RandomStream noise(options.seed, stream_index(kVertexNoise, hemisphere_index, static_cast<std::uint64_t>(v)));
    for (Eigen::Index c = 0; c < columns; ++c) {
      const DesignColumn& column = design.columns[static_cast<std::size_t>(c)];
      double value = baseline + noise.normal();
      if (column.image_type != "blank") {
        const int type_offset = column.image_type == "RE" ? 0 : column.image_type == "AN" ? n : 2 * n;
        const int image = static_cast<int>((c % (3 * n)) % n);
        value += signal_scale * image_signal(type_offset + image);
      }
      hemisphere.betas(v, c) = static_cast<float>(value);
    }
    rsa::RandomStream localizer(options.seed, stream_index(kLocalizer, hemisphere_index, static_cast<std::uint64_t>(v)));
    for (int b = 0; b < 2 * blocks; ++b) {
      const bool preferred = b < blocks;
      hemisphere.localizer_lo(v, b) = static_cast<float>(
          baseline + (preferred && in_lo[static_cast<std::size_t>(v)] ? kLocalizerEffect : 0.0) + localizer.normal());
      hemisphere.localizer_hmt(v, b) = static_cast<float>(
          baseline + (preferred && in_hmt[static_cast<std::size_t>(v)] ? kLocalizerEffect : 0.0) + localizer.normal());
    }
    if (progress && (++done % 1024 == 0 || done == total)) progress(done, total);
  }
  return hemisphere;
}

}  // namespace

const std::map<std::string, double>& roi_high_level_share() {
  static const std::map<std::string, double> shares = {{"V1", 0.1}, {"V2", 0.25}, {"V3", 0.4},
                                                      {"V4", 0.55}, {"LO", 0.85}, {"hMT", 0.6}};
  return shares;
}

SimulatedSubject simulate_subject(const SimulationOptions& options,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  for (const auto& [name, anatomy] : options.anatomy) {
    if (name != "lh" && name != "rh") throw std::invalid_argument("anatomy: expected hemispheres lh and/or rh, found '" + name + "'");
  }
  if (options.sphere_order < 3 || options.sphere_order > 8) {
    throw std::invalid_argument("sphere order: expected 3..8, found " + std::to_string(options.sphere_order));
  }
  if (!options.image_ids.empty() || !options.image_categories.empty()) {
    if (options.images < 1 || options.image_ids.size() != static_cast<std::size_t>(options.images) ||
        options.image_categories.size() != options.image_ids.size()) {
      throw std::invalid_argument("image ids and categories: expected one of each per RE image (" + std::to_string(options.images) +
                                  "), found " + std::to_string(options.image_ids.size()) + " ids and " +
                                  std::to_string(options.image_categories.size()) + " categories");
    }
  } else if (options.categories < 1 || options.images < options.categories || options.images % options.categories != 0) {
    throw std::invalid_argument("images: expected a positive multiple of the " + std::to_string(options.categories) +
                                " categories, found " + std::to_string(options.images));
  }
  if (!(options.snr >= 0)) throw std::invalid_argument("SNR: expected a number >= 0, found " + std::to_string(options.snr));
  if (options.presentations < 1) throw std::invalid_argument("presentations: expected at least 1");
  if (options.localizer_blocks < 2) throw std::invalid_argument("localizer blocks: expected at least 2 per condition");
  SimulatedSubject subject;
  subject.options = options;
  subject.design = make_design(options);
  builtin_representations(options, subject.low_level, subject.high_level);
  for (const auto* given : {&options.low_level_features, &options.high_level_features}) {
    if (*given && given->value().rows() != 3 * options.images) {
      throw std::invalid_argument("feature matrix: expected " + std::to_string(3 * options.images) +
                                  " rows (RE, AN, AI images), found " + std::to_string(given->value().rows()));
    }
  }
  if (options.low_level_features) subject.low_level = *options.low_level_features;
  if (options.high_level_features) subject.high_level = *options.high_level_features;
  const Eigen::MatrixXd low = standardized(subject.low_level), high = standardized(subject.high_level);
  for (int b = 0; b < options.localizer_blocks; ++b) subject.localizer_lo_design.conditions.push_back("intact");
  for (int b = 0; b < options.localizer_blocks; ++b) subject.localizer_lo_design.conditions.push_back("scrambled");
  for (int b = 0; b < options.localizer_blocks; ++b) subject.localizer_hmt_design.conditions.push_back("moving");
  for (int b = 0; b < options.localizer_blocks; ++b) subject.localizer_hmt_design.conditions.push_back("static");
  const std::size_t per_hemisphere = options.anatomy.empty() ? static_cast<std::size_t>(10 * (std::int64_t{1} << (2 * options.sphere_order)) + 2)
                                                             : static_cast<std::size_t>(options.anatomy.begin()->second.white.vertex_count());
  std::size_t done = 0;
  std::uint64_t index = 0;
  std::vector<std::string> names = {"lh", "rh"};
  if (!options.anatomy.empty()) {
    names.clear();
    for (const auto& [name, anatomy] : options.anatomy) names.push_back(name);  // lh before rh
  }
  for (const std::string& name : names) {
    // The stream of a hemisphere stays its own (lh 0, rh 1) whichever are simulated.
    index = name == "lh" ? 0 : 1;
    subject.hemispheres.push_back(
        simulate_hemisphere(options, name, index, low, high, subject.design, progress, done, names.size() * per_hemisphere));
  }
  return subject;
}

std::vector<std::filesystem::path> write_simulated_subject(const SimulatedSubject& subject,
                                                           const std::filesystem::path& folder) {
  for (const char* sub : {"surf", "label", "func", "features"}) std::filesystem::create_directories(folder / sub);
  std::vector<std::filesystem::path> written;
  const auto& options = subject.options;
  SubjectManifest manifest;
  manifest.subject = options.subject;
  const auto design_path = folder / "func" / "design.tsv";
  write_design(subject.design, design_path);
  written.push_back(design_path);
  const auto lo_design_path = folder / "func" / "localizer_lo.tsv";
  const auto hmt_design_path = folder / "func" / "localizer_hmt.tsv";
  write_localizer_design(subject.localizer_lo_design, lo_design_path);
  write_localizer_design(subject.localizer_hmt_design, hmt_design_path);
  written.insert(written.end(), {lo_design_path, hmt_design_path});
  write_npy(subject.low_level, folder / "features" / "low_level.npy", true);
  write_npy(subject.high_level, folder / "features" / "high_level.npy", true);
  written.insert(written.end(), {folder / "features" / "low_level.npy", folder / "features" / "high_level.npy"});
  // The representations as a two-layer "model" (low level first), in the layer-list format that
  // `rsa layers` and `encoding fit` read: rows RE..., AN..., AI... as in images.tsv.
  Design images;
  for (const DesignColumn& column : subject.design.columns) {
    if (column.presentation == 1) images.columns.push_back(column);
  }
  write_design(images, folder / "features" / "images.tsv");
  nlohmann::json layers;
  layers["images"] = "images.tsv";
  layers["layers"] = nlohmann::json::array({{{"name", "low_level"}, {"activations", "low_level.npy"}},
                                            {{"name", "high_level"}, {"activations", "high_level.npy"}}});
  surface::write_bytes_atomically(folder / "features" / "layers.json", layers.dump(2) + "\n");
  written.insert(written.end(), {folder / "features" / "images.tsv", folder / "features" / "layers.json"});

  nlohmann::json truth;
  truth["subject"] = options.subject;
  truth["seed"] = options.seed;
  truth["generative_model"] =
      "beta = vertex baseline + sqrt(SNR) * [sqrt(1 - s) * (w_low . low_level[image]) + sqrt(s) * (w_high . "
      "high_level[image])] + noise; s = the vertex's high-level share (by ROI), w ~ N(0, I) per vertex, "
      "representations z-scored per feature and scaled to unit signal variance, noise ~ N(0, 1) independently per "
      "presentation (SNR 0: pure noise); localizer "
      "betas: baseline + " + std::to_string(kLocalizerEffect) + " in the ROI for the preferred condition + N(0, 1)";
  truth["representations"] = {
      {"low_level", options.low_level_features ? "given (features/low_level.npy)"
                                               : "built in: AI nearly its RE image's (+0.15 SD jitter), AN unrelated content"},
      {"high_level", options.high_level_features ? "given (features/high_level.npy)"
                                                 : "built in: AI shares its RE image's (its category prototype + 0.6 SD jitter), "
                                                   "AN a common noise percept + 0.3 SD jitter"}};
  truth["expected"] = "RE-AI similarity above RE-AN similarity in every ROI (and in the model's high-level layer)";
  truth["options"] = {{"sphere_order", options.sphere_order}, {"white_radius_mm", options.white_radius_mm},
                      {"images", options.images},
                      {"categories", category_count(options)},
                      {"presentations", options.presentations}, {"snr", options.snr},
                      {"localizer_blocks", options.localizer_blocks}};
  truth["high_level_share"] = roi_high_level_share();
  if (!options.anatomy.empty()) truth["anatomy"] = options.anatomy.begin()->second.source;
  truth["high_level_share_outside_rois"] = kOutsideRoiHighLevelShare;

  for (const SimulatedHemisphere& hemisphere : subject.hemispheres) {
    const std::string h = hemisphere.name;
    HemisphereFiles files;
    files.name = h;
    files.white = folder / "surf" / (h + ".white");
    surface::write_freesurfer_surface(hemisphere.white, files.white, "visalign fmri simulate");
    written.push_back(files.white);
    if (hemisphere.pial.vertex_count() > 0) {
      files.pial = folder / "surf" / (h + ".pial");
      surface::write_freesurfer_surface(hemisphere.pial, files.pial, "visalign fmri simulate");
      written.push_back(files.pial);
    }
    if (hemisphere.inflated.vertex_count() > 0) {
      files.inflated = folder / "surf" / (h + ".inflated");
      surface::write_freesurfer_surface(hemisphere.inflated, files.inflated, "visalign fmri simulate");
      written.push_back(files.inflated);
    }
    if (!hemisphere.flat_patch.vertices.empty()) {
      files.flat_patch = folder / "surf" / (h + ".cortex.patch.flat");
      surface::write_freesurfer_patch(hemisphere.flat_patch, files.flat_patch);
      written.push_back(files.flat_patch);
    }

    for (const auto& [name, roi] : hemisphere.rois) {
      SurfaceLabel label;
      label.comment = "simulated " + name + " of " + options.subject + " (visalign fmri simulate)";
      label.vertices = roi.vertices;
      label.coordinates.resize(static_cast<Eigen::Index>(roi.vertices.size()), 3);
      for (std::size_t i = 0; i < roi.vertices.size(); ++i) {
        label.coordinates.row(static_cast<Eigen::Index>(i)) = hemisphere.white.vertices.row(roi.vertices[i]);
      }
      label.values.assign(roi.vertices.size(), 0.0f);
      const auto path = folder / "label" / (h + "." + name + ".label");
      write_freesurfer_label(label, path);
      written.push_back(path);
      files.rois[name] = {RoiSource::Kind::label, path, "", "", "", ""};
      const auto share = roi_high_level_share().find(name);
      truth["hemispheres"][h]["rois"][name] = {{"vertices", roi.vertices.size()},
                                               {"high_level_share", share == roi_high_level_share().end() ? kOutsideRoiHighLevelShare : share->second}};
    }
    files.localizers["LO"] = {folder / "func" / (h + ".localizer_lo.func.gii"), lo_design_path, {"intact", "scrambled", 0.05}};
    files.localizers["hMT"] = {folder / "func" / (h + ".localizer_hmt.func.gii"), hmt_design_path, {"moving", "static", 0.05}};
    if (hemisphere.rois.count("LO") != 0 && hemisphere.rois.count("hMT") != 0) {  // the localizers have an effect
      files.rois["LO_localizer"] = {RoiSource::Kind::localizer, {}, "", "LO", "", ""};
      files.rois["hMT_localizer"] = {RoiSource::Kind::localizer, {}, "", "hMT", "", ""};
      files.rois["LOC"] = {RoiSource::Kind::expression, {}, "", "", "", "LO_localizer - hMT_localizer"};
    }

    auto column_maps = [](const Eigen::MatrixXf& data, const std::vector<std::string>& names) {
      std::vector<surface::SurfaceMap> maps;
      for (Eigen::Index c = 0; c < data.cols(); ++c) maps.push_back({names[static_cast<std::size_t>(c)], "", data.col(c)});
      return maps;
    };
    std::vector<std::string> beta_names;
    for (const DesignColumn& column : subject.design.columns) {
      beta_names.push_back(column.image_type == "blank" ? "blank"
                                                        : column.image_type + "_" + column.image_id + "_p" +
                                                              std::to_string(column.presentation));
    }
    files.betas = folder / "func" / (h + ".betas.func.gii");
    surface::write_gifti_maps(column_maps(hemisphere.betas, beta_names), files.betas);
    const auto mgz = folder / "func" / (h + ".betas.mgz");
    write_mgh_maps(column_maps(hemisphere.betas, beta_names), mgz);
    files.design = design_path;
    auto numbered = [](const std::vector<std::string>& conditions) {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < conditions.size(); ++i) names.push_back(conditions[i] + "_" + std::to_string(i + 1));
      return names;
    };
    surface::write_gifti_maps(column_maps(hemisphere.localizer_lo, numbered(subject.localizer_lo_design.conditions)),
                              files.localizers["LO"].betas);
    surface::write_gifti_maps(column_maps(hemisphere.localizer_hmt, numbered(subject.localizer_hmt_design.conditions)),
                              files.localizers["hMT"].betas);
    written.insert(written.end(), {files.betas, mgz, files.localizers["LO"].betas, files.localizers["hMT"].betas});
    truth["hemispheres"][h]["vertices"] = hemisphere.white.vertex_count();
    truth["hemispheres"][h]["flat_patch_points"] = hemisphere.flat_patch.vertices.size();
    manifest.hemispheres.push_back(files);
  }
  const auto manifest_path = folder / "manifest.json";
  write_subject_manifest(manifest, manifest_path);
  const auto truth_path = folder / "ground_truth.json";
  surface::write_bytes_atomically(truth_path, truth.dump(2) + "\n");
  written.insert(written.end(), {manifest_path, truth_path});
  return written;
}

}  // namespace visalign::fmri
