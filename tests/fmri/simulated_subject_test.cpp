// The simulated subject: deterministic, written like a real subject, read back identically by the
// project's readers and by nibabel (tests/fixtures/nibabel_read_subject.py), and carrying its
// planted answer (RE-AI patterns more alike than RE-AN in every ROI).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

#include "fmri/betas.hpp"
#include "fmri/design.hpp"
#include "fmri/localizer.hpp"
#include "fmri/simulated_subject.hpp"
#include "fmri/subject_manifest.hpp"
#include "fmri/subject_rois.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/freesurfer_surface.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

using visalign::testing::hex64;

SimulationOptions small_options() {
  SimulationOptions options;
  options.sphere_order = 4;
  options.images = 20;
  return options;
}

std::string f32(const float* data, std::size_t count) { return hex64(surface::fnv1a64(data, 4 * count)); }

TEST(SimulatedSubject, DeterministicForASeedDifferentForAnother) {
  const SimulatedSubject a = simulate_subject(small_options());
  const SimulatedSubject b = simulate_subject(small_options());
  SimulationOptions other = small_options();
  other.seed += 1;
  const SimulatedSubject c = simulate_subject(other);
  EXPECT_EQ(a.hemispheres[0].betas, b.hemispheres[0].betas);
  EXPECT_EQ(a.hemispheres[1].localizer_lo, b.hemispheres[1].localizer_lo);
  EXPECT_NE(a.hemispheres[0].betas, c.hemispheres[0].betas);
  EXPECT_EQ(a.hemispheres[0].rois.at("V1").vertices, c.hemispheres[0].rois.at("V1").vertices);  // geometry has no noise
}

TEST(SimulatedSubject, LayoutAndDesign) {
  const SimulatedSubject subject = simulate_subject(small_options());
  check_design(subject.design, subject.hemispheres[0].betas.cols(), "design");
  EXPECT_EQ(subject.design.columns.size(), 20u * 3 * 2 + 1);
  EXPECT_EQ(subject.design.image_types(), (std::vector<std::string>{"RE", "AN", "AI"}));
  EXPECT_EQ(subject.design.categories().size(), 20u);
  for (const auto& hemisphere : subject.hemispheres) {
    const auto& rois = hemisphere.rois;
    for (const char* name : {"V1", "V2", "V3", "V4", "LO", "hMT"}) EXPECT_GT(rois.at(name).vertices.size(), 20u) << name;
    // The early visual areas tile concentric rings: no overlap.
    EXPECT_TRUE(roi_intersection(rois.at("V1"), rois.at("V2")).vertices.empty());
    EXPECT_TRUE(roi_intersection(rois.at("V2"), rois.at("V3")).vertices.empty());
    // hMT overlaps LO partly, so LO - hMT is a real subtraction.
    const auto overlap = roi_intersection(rois.at("LO"), rois.at("hMT")).vertices.size();
    EXPECT_GT(overlap, 0u);
    EXPECT_LT(overlap, rois.at("hMT").vertices.size());
    // Lateral means -x on the left and +x on the right.
    const double x = hemisphere.white.vertices.row(rois.at("LO").vertices.front()).x();
    EXPECT_EQ(x < 0, hemisphere.name == "lh");
  }
}

TEST(SimulatedSubject, LocalizersFindTheirRegions) {
  const SimulatedSubject subject = simulate_subject(small_options());
  const auto& lh = subject.hemispheres[0];
  const LocalizerResult lo = localize(lh.localizer_lo, subject.localizer_lo_design, "lo.tsv", {"intact", "scrambled", 0.05}, "LOloc");
  const auto hits = roi_intersection(lo.roi, lh.rois.at("LO")).vertices.size();
  EXPECT_GT(hits, 0.8 * static_cast<double>(lh.rois.at("LO").vertices.size()));  // power ~0.97 at 2 SD, 8 vs 8
  const auto false_positives = lo.roi.vertices.size() - hits;
  const auto outside = lh.white.vertex_count() - static_cast<Eigen::Index>(lh.rois.at("LO").vertices.size());
  EXPECT_LT(static_cast<double>(false_positives), 0.05 * static_cast<double>(outside));  // ~2.5% expected
}

/// Mean Pearson correlation of ROI response patterns between each RE image and its AN / AI version.
std::pair<double, double> pattern_similarity(const SimulatedSubject& subject, const SimulatedHemisphere& h, const Roi& roi) {
  double an = 0, ai = 0;
  const auto re_columns = subject.design.columns_of("RE", 1);
  const auto an_columns = subject.design.columns_of("AN", 1);
  const auto ai_columns = subject.design.columns_of("AI", 1);
  auto correlation = [&](std::int64_t a, std::int64_t b) {
    Eigen::VectorXd x(roi.vertices.size()), y(roi.vertices.size());
    for (std::size_t i = 0; i < roi.vertices.size(); ++i) {
      x(static_cast<Eigen::Index>(i)) = h.betas(roi.vertices[i], a);
      y(static_cast<Eigen::Index>(i)) = h.betas(roi.vertices[i], b);
    }
    x.array() -= x.mean();
    y.array() -= y.mean();
    return x.dot(y) / (x.norm() * y.norm());
  };
  for (std::size_t i = 0; i < re_columns.size(); ++i) {
    an += correlation(re_columns[i], an_columns[i]);
    ai += correlation(re_columns[i], ai_columns[i]);
  }
  return {an / static_cast<double>(re_columns.size()), ai / static_cast<double>(re_columns.size())};
}

TEST(SimulatedSubject, PlantedAnswerAIIsCloserToREThanAN) {
  const SimulatedSubject subject = simulate_subject(small_options());
  for (const auto& hemisphere : subject.hemispheres) {
    for (const auto& [name, roi] : hemisphere.rois) {
      const auto [an, ai] = pattern_similarity(subject, hemisphere, roi);
      EXPECT_GT(ai, an + 0.1) << hemisphere.name << " " << name;
    }
  }
}

TEST(SimulatedSubject, WrittenFilesReadBackIdenticallyWithOurReadersAndNibabel) {
  visalign::testing::ScratchDirectory scratch;
  const SimulatedSubject subject = simulate_subject(small_options());
  const auto written = write_simulated_subject(subject, scratch.path());
  EXPECT_GT(written.size(), 25u);
  const SubjectManifest manifest = read_subject_manifest(scratch / "manifest.json");
  ASSERT_EQ(manifest.hemispheres.size(), 2u);
  for (std::size_t h = 0; h < 2; ++h) {
    const HemisphereFiles& files = manifest.hemispheres[h];
    const SimulatedHemisphere& truth = subject.hemispheres[h];
    EXPECT_EQ(surface::read_freesurfer_surface(files.white).mesh.vertices, truth.white.vertices);
    EXPECT_EQ(surface::read_freesurfer_surface(files.pial).mesh.faces, truth.pial.faces);
    EXPECT_EQ(surface::read_freesurfer_patch(files.flat_patch).coordinates, truth.flat_patch.coordinates);
    EXPECT_EQ(read_betas(files.betas), truth.betas);
    auto mgz = files.betas;
    mgz.replace_filename(truth.name + ".betas.mgz");
    EXPECT_EQ(read_betas(mgz), truth.betas);
    const auto rois = load_hemisphere_rois(files, truth.white.vertex_count(), "manifest.json");
    for (const auto& [name, roi] : truth.rois) EXPECT_EQ(rois.at(name).vertices, roi.vertices) << name;
    EXPECT_TRUE(rois.count("LOC"));
  }
  const Design design = read_design(manifest.hemispheres[0].design);
  check_design(design, subject.hemispheres[0].betas.cols(), "design.tsv");
  EXPECT_EQ(design.image_ids(), subject.design.image_ids());

  // nibabel, an independent reader.
  if (std::system("/usr/bin/python3 -c 'import nibabel' 2>/dev/null") != 0) {
    if (visalign::testing::running_under_ci()) FAIL() << "nibabel (python3-nibabel) is missing under CI";
    GTEST_SKIP() << "python3-nibabel is not installed";
  }
  const std::string command = "/usr/bin/python3 '" VISALIGN_FIXTURES_DIR "/nibabel_read_subject.py' '" +
                              scratch.path().string() + "' > '" + (scratch / "nibabel.json").string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const auto seen = nlohmann::json::parse(visalign::testing::read_bytes(scratch / "nibabel.json"));
  EXPECT_EQ(seen["design_rows"], subject.design.columns.size());
  for (const auto& truth : subject.hemispheres) {
    const auto& h = seen["hemispheres"][truth.name];
    EXPECT_EQ(h["white"]["vertices"], f32(truth.white.vertices.data(), truth.white.vertices.size()));
    EXPECT_EQ(h["pial"]["vertices"], f32(truth.pial.vertices.data(), truth.pial.vertices.size()));
    EXPECT_EQ(h["white"]["faces"], hex64(surface::fnv1a64(truth.white.faces.data(), 4 * truth.white.faces.size())));
    EXPECT_EQ(h["flat_patch"]["coordinates"], f32(truth.flat_patch.coordinates.data(), truth.flat_patch.coordinates.size()));
    EXPECT_EQ(h["flat_patch"]["vertices"],
              hex64(surface::fnv1a64(truth.flat_patch.vertices.data(), 4 * truth.flat_patch.vertices.size())));
    // Betas column by column (Eigen is column-major).
    EXPECT_EQ(h["betas"]["values"], f32(truth.betas.data(), truth.betas.size()));
    EXPECT_EQ(h["betas_mgz"]["values"], f32(truth.betas.data(), truth.betas.size()));
    EXPECT_EQ(h["localizers"]["LO"]["values"], f32(truth.localizer_lo.data(), truth.localizer_lo.size()));
    EXPECT_EQ(h["localizers"]["hMT"]["values"], f32(truth.localizer_hmt.data(), truth.localizer_hmt.size()));
    for (const auto& [name, roi] : truth.rois) {
      EXPECT_EQ(h["rois"][name], hex64(surface::fnv1a64(roi.vertices.data(), 4 * roi.vertices.size()))) << name;
    }
  }
}

TEST(SimulatedSubject, OptionsOutOfRangeAreRefused) {
  SimulationOptions options = small_options();
  options.images = 21;  // not a multiple of 5 categories
  EXPECT_THROW(simulate_subject(options), std::invalid_argument);
  options = small_options();
  options.snr = -1;
  EXPECT_THROW(simulate_subject(options), std::invalid_argument);
  options = small_options();
  options.high_level_features = Eigen::MatrixXd::Ones(10, 4);  // needs 60 rows
  EXPECT_THROW(simulate_subject(options), std::invalid_argument);
}

TEST(SimulatedSubject, GivenFeatureMatricesAreUsed) {
  SimulationOptions options = small_options();
  options.low_level_features = Eigen::MatrixXd::Random(60, 7);
  options.high_level_features = Eigen::MatrixXd::Random(60, 3);
  const SimulatedSubject subject = simulate_subject(options);
  EXPECT_EQ(subject.low_level.cols(), 7);
  EXPECT_EQ(subject.high_level, *options.high_level_features);
}

}  // namespace
}  // namespace visalign::fmri
