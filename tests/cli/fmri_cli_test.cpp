// `visalign fmri ...` on a small simulated subject: info, roi, and bad input (one-line errors naming
// the file and the field, exit code 1, nothing written).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <fstream>
#include <string>
#include <vector>

#include "fmri/npy.hpp"

#include "fmri/surface_label.hpp"
#include "fmri/surface_map_file.hpp"
#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign {
namespace {

using testing::ScratchDirectory;

class FmriCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const Outcome made = run_visalign(scratch, "fmri simulate --out subj --order 3 --images 10 -q");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    manifest = nlohmann::json::parse(slurp(scratch / "subj/manifest.json"));
  }
  /// Writes a changed copy of the manifest beside the original and returns its name.
  std::string manifest_with(const std::string& hemisphere_field, const nlohmann::json& value) {
    nlohmann::json changed = manifest;
    changed["hemispheres"]["lh"][hemisphere_field] = value;
    std::ofstream(scratch / "subj/changed.json") << changed.dump(1);
    return "subj/changed.json";
  }
  fmri::TsvTable design() const { return fmri::read_tsv(scratch / "subj/func/design.tsv"); }
  void write_design(const fmri::TsvTable& table, const std::string& name) { fmri::write_tsv(table, scratch / ("subj/func/" + name)); }

  ScratchDirectory scratch;
  nlohmann::json manifest;
};

TEST_F(FmriCli, InfoReadsAndChecksEverything) {
  const Outcome info = run_visalign(scratch, "fmri info subj/manifest.json --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto summary = nlohmann::json::parse(info.out);
  const auto& lh = summary["hemispheres"]["lh"];
  EXPECT_EQ(lh["white"]["vertices"], 642);
  EXPECT_EQ(lh["betas"]["columns"], 61);  // 10 images x 3 types x 2 presentations + blank
  EXPECT_EQ(lh["betas"]["non_finite_values"], 0);
  EXPECT_EQ(lh["design"]["blank_column"], 60);
  EXPECT_EQ(lh["design"]["image_types"], nlohmann::json({"RE", "AN", "AI"}));
  for (const char* roi : {"V1", "V2", "V3", "V4", "LO", "hMT", "LO_localizer", "hMT_localizer", "LOC"}) {
    EXPECT_GT(lh["rois"][roi].get<int>(), 0) << roi;
  }
  EXPECT_TRUE(summary["hemispheres"].contains("rh"));
  const Outcome text = run_visalign(scratch, "fmri info subj/manifest.json");
  EXPECT_NE(text.out.find("betas: 642 vertices x 61 columns"), std::string::npos) << text.out;
}

TEST_F(FmriCli, RoiFromLocalizerMinusLabelWithMaps) {
  const Outcome roi = run_visalign(
      scratch,
      "fmri roi --surface subj/surf/lh.white --roi hMT=subj/label/lh.hMT.label --localizer-betas "
      "subj/func/lh.localizer_lo.func.gii --localizer-design subj/func/localizer_lo.tsv --contrast intact,scrambled "
      "--name LOloc --expression 'LOloc - hMT' -o lh.LO.label --t-map t.func.gii --p-map p.mgh");
  ASSERT_EQ(roi.exit_code, 0) << roi.err;
  EXPECT_NE(roi.out.find("ROI LOloc - hMT with"), std::string::npos) << roi.out;
  const auto label = fmri::read_freesurfer_label(scratch / "lh.LO.label");
  const auto hmt = fmri::read_freesurfer_label(scratch / "subj/label/lh.hMT.label");
  const auto t = fmri::read_surface_maps(scratch / "t.func.gii").at(0).values;
  const auto p = fmri::read_surface_maps(scratch / "p.mgh").at(0).values;
  ASSERT_FALSE(label.vertices.empty());
  for (const std::int32_t v : label.vertices) {
    EXPECT_GT(t(v), 0);
    EXPECT_LT(p(v), 0.05f);
    EXPECT_EQ(std::count(hmt.vertices.begin(), hmt.vertices.end(), v), 0);
  }
  for (const char* output : {"lh.LO.label.json", "t.func.gii.json", "p.mgh.json"}) {
    EXPECT_TRUE(std::filesystem::exists(scratch / output)) << output;
  }
}

TEST_F(FmriCli, BetasWithAnotherVertexCount) {
  fmri::write_surface_maps({{"b", "", Eigen::VectorXf::Ones(100)}}, scratch / "subj/func/short.func.gii");
  expect_clean_failure(scratch, "fmri info " + manifest_with("betas", "func/short.func.gii"), "short.func.gii",
                       "vertices: expected 642 (as in");
}

TEST_F(FmriCli, DesignMissingOrRepeatingAColumn) {
  auto table = design();
  table.rows.erase(table.rows.begin() + 7);
  write_design(table, "missing.tsv");
  expect_clean_failure(scratch, "fmri info " + manifest_with("design", "func/missing.tsv"), "missing.tsv",
                       "found no row for column(s) 7");
  table = design();
  table.rows[9][0] = "3";
  write_design(table, "repeated.tsv");
  expect_clean_failure(scratch, "fmri info " + manifest_with("design", "func/repeated.tsv"), "repeated.tsv",
                       "beta column 3 is described twice");
}

TEST_F(FmriCli, DesignWithUnequalImageSets) {
  auto table = design();
  table.rows[25][1] = "zebra1";  // an AI image of presentation 1 renamed
  write_design(table, "unequal.tsv");
  expect_clean_failure(scratch, "fmri info " + manifest_with("design", "func/unequal.tsv"), "unequal.tsv",
                       "expected the same 11 images in every type and presentation");
}

TEST_F(FmriCli, NonFiniteBetasFailUnlessMasked) {
  auto maps = fmri::read_surface_maps(scratch / "subj/func/lh.betas.func.gii");
  maps[3].values(17) = std::numeric_limits<float>::quiet_NaN();
  maps[8].values(17) = std::numeric_limits<float>::infinity();
  maps[5].values(400) = std::numeric_limits<float>::quiet_NaN();
  fmri::write_surface_maps(maps, scratch / "subj/func/nan.func.gii");
  const std::string changed = manifest_with("betas", "func/nan.func.gii");
  expect_clean_failure(scratch, "fmri info " + changed, "nan.func.gii",
                       "found 3 NaN/Inf values at 2 vertices (first: vertex 17, column 3)");
  const Outcome masked = run_visalign(scratch, "fmri info " + changed + " --mask-non-finite --json");
  ASSERT_EQ(masked.exit_code, 0) << masked.err;
  EXPECT_EQ(nlohmann::json::parse(masked.out)["hemispheres"]["lh"]["betas"]["masked_vertices"], 2);
}

TEST_F(FmriCli, ManifestPathThatDoesNotExist) {
  expect_clean_failure(scratch, "fmri info " + manifest_with("betas", "func/nowhere.func.gii"), "changed.json",
                       "hemispheres.lh.betas: file func/nowhere.func.gii does not exist");
  expect_clean_failure(scratch, "fmri info subj/no-such-manifest.json", "no-such-manifest.json", "cannot open");
}

TEST_F(FmriCli, RoiEmptyAfterAlgebra) {
  expect_clean_failure(scratch,
                       "fmri roi --surface subj/surf/lh.white --roi V1=subj/label/lh.V1.label --roi V2=subj/label/lh.V2.label "
                       "--expression 'V1 & V2' -o empty.label",
                       "empty.label", "ROI 'V1 & V2' is empty");
  nlohmann::json rois = manifest["hemispheres"]["lh"]["rois"];
  rois["nothing"] = {{"expression", "V1 - V1"}};
  expect_clean_failure(scratch, "fmri info " + manifest_with("rois", rois), "changed.json",
                       "hemispheres.lh.rois.nothing: ROI 'nothing' is empty");
}

TEST_F(FmriCli, AnnotationRegionThatDoesNotExist) {
  const auto annotation = testing::shared_data("fsaverage5/label/lh.aparc.annot");
  const auto white = testing::shared_data("fsaverage5/surf/lh.white");
  VISALIGN_REQUIRE_FILE(annotation);
  VISALIGN_REQUIRE_FILE(white);
  expect_clean_failure(scratch,
                       "fmri roi --surface '" + white.string() + "' --roi 'X=" + annotation.string() +
                           ":V9' --expression X -o x.label",
                       "lh.aparc.annot", "expected one of unknown, bankssts, caudalanteriorcingulate");
  const Outcome found = run_visalign(scratch, "fmri roi --surface '" + white.string() + "' --roi 'X=" + annotation.string() +
                                                  ":lateraloccipital' --expression X -o x.label");
  EXPECT_EQ(found.exit_code, 0) << found.err;
}

// A subject for a given stimulus set: the design names the set's RE images (ids and categories, in its order), and
// feature NPYs whose rows follow the table (here AI, RE, AN interleaved per image) are reordered to RE..., AN..., AI....
TEST(FmriSimulateCli, StimulusSetNamesTheImagesAndOrdersTheFeatures) {
  ScratchDirectory scratch;
  std::ofstream table(scratch / "stimuli.tsv");
  table << "file\timage_id\timage_type\tcategory\n";
  const std::vector<std::string> ids = {"shoe_a", "shoe_b", "bag_a", "bag_b", "coat_a", "coat_b"};
  Eigen::MatrixXd features(18, 4);
  int row = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (const char* type : {"AI", "RE", "AN"}) {
      const std::string file = ids[i] + "_" + type + ".png";
      std::ofstream(scratch / file) << "";  // listed files must exist; their pixels are not read
      table << file << "\t" << ids[i] << "\t" << type << "\t" << ids[i].substr(0, ids[i].find('_')) << "\n";
      const double code = std::string(type) == "RE" ? 0 : std::string(type) == "AN" ? 1 : 2;
      features.row(row++) << static_cast<double>(i), code, std::sin(row), std::cos(3.0 * row);
    }
  }
  table.close();
  fmri::write_npy(features, scratch / "features.npy");
  const Outcome made = run_visalign(scratch, "fmri simulate --stimuli stimuli.tsv --low-level-features features.npy --order 3 -q --out subj");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const fmri::TsvTable design = fmri::read_tsv(scratch / "subj/func/design.tsv");
  ASSERT_EQ(design.rows.size(), 6u * 3 * 2 + 1);  // 6 images x (RE, AN, AI) x 2 presentations + blank
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(design.rows[i][static_cast<std::size_t>(design.column_index("image_id"))], ids[i]);
    EXPECT_EQ(design.rows[i][static_cast<std::size_t>(design.column_index("category"))], ids[i].substr(0, ids[i].find('_')));
  }
  const Eigen::MatrixXd low = fmri::npy_matrix(fmri::read_npy(scratch / "subj/features/low_level.npy"), "low_level.npy");
  ASSERT_EQ(low.rows(), 18);
  for (Eigen::Index r = 0; r < 18; ++r) {
    EXPECT_EQ(low(r, 0), static_cast<double>(r % 6)) << r;  // the image, in the table's RE order
    EXPECT_EQ(low(r, 1), static_cast<double>(r / 6)) << r;  // RE..., AN..., AI...
  }
  // An RE image without its AI row, and features with a row per RE image only, are one clear line each.
  std::ofstream(scratch / "partial.tsv") << "file\timage_id\timage_type\nshoe_a_RE.png\tshoe_a\tRE\nshoe_a_AN.png\tshoe_a\tAN\n";
  expect_clean_failure(scratch, "fmri simulate --stimuli partial.tsv --order 3 --out bad", "partial.tsv", "image shoe_a: expected an AI row");
  fmri::write_npy(Eigen::MatrixXd::Ones(6, 4), scratch / "short.npy");
  expect_clean_failure(scratch, "fmri simulate --stimuli stimuli.tsv --low-level-features short.npy --order 3 --out bad", "short.npy",
                       "expected one per row of --stimuli (18), found 6");
}

// A subject simulated on fsaverage5's left hemisphere: its surfaces as they are, ROIs from its labels and annotation (with
// ROI algebra), the flat map from its flat GIFTI (the vertices of the flat map's faces); the written subject passes
// `fmri info`, and a RE-only stimulus table names its images.
TEST(FmriSimulateCli, OnFsaverage5WithItsLabels) {
  const auto fsaverage5 = testing::shared_data("fsaverage5");
  VISALIGN_REQUIRE_FILE(fsaverage5 / "label/lh.MT_exvivo.label");
  ScratchDirectory scratch;
  std::ofstream table(scratch / "stimuli.tsv");
  table << "file\timage_id\timage_type\tcategory\n";
  for (const char* id : {"a1", "a2", "b1", "b2"}) {
    std::ofstream(scratch / (std::string(id) + ".png")) << "";
    table << id << ".png\t" << id << "\tRE\t" << id[0] << "\n";
  }
  table.close();
  const Outcome made = run_visalign(scratch, "fmri simulate --stimuli stimuli.tsv --anatomy '" + fsaverage5.string() + "' --hemispheres lh "
                                             "--flat-patch 'gifti/{hemi}.flat.gii.gz' --anatomy-roi 'V1=label/{hemi}.V1_exvivo.label' "
                                             "--anatomy-roi 'hMT=label/{hemi}.MT_exvivo.label' "
                                             "--anatomy-roi 'LO_atlas=label/{hemi}.aparc.annot:lateraloccipital' "
                                             "--anatomy-roi 'LO=expression:LO_atlas - hMT' -q --out subj");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const nlohmann::json manifest = nlohmann::json::parse(slurp(scratch / "subj/manifest.json"));
  ASSERT_EQ(manifest["hemispheres"].size(), 1u);
  EXPECT_TRUE(manifest["hemispheres"].contains("lh"));
  EXPECT_TRUE(manifest["hemispheres"]["lh"].contains("inflated"));
  const Outcome info = run_visalign(scratch, "fmri info subj/manifest.json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  // The ROIs are the labels' vertices (fsaverage5 lh.V1_exvivo: 292), LO the parcellation region minus hMT.
  const auto v1 = fmri::read_freesurfer_label(scratch / "subj/label/lh.V1.label");
  EXPECT_EQ(v1.vertices.size(), fmri::read_freesurfer_label(fsaverage5 / "label/lh.V1_exvivo.label").vertices.size());
  EXPECT_EQ(v1.vertices.size(), 292u);
  const auto lo = fmri::read_freesurfer_label(scratch / "subj/label/lh.LO.label");
  const auto hmt = fmri::read_freesurfer_label(scratch / "subj/label/lh.hMT.label");
  const std::set<std::int32_t> in_hmt(hmt.vertices.begin(), hmt.vertices.end());
  for (const std::int32_t v : lo.vertices) EXPECT_EQ(in_hmt.count(v), 0u) << v;
  EXPECT_GT(lo.vertices.size(), 100u);
  // The design names the four images as RE, AN and AI.
  EXPECT_EQ(fmri::read_tsv(scratch / "subj/func/design.tsv").rows.size(), 4u * 3 * 2 + 1);
  std::cout << info.out;
}

}  // namespace
}  // namespace visalign
