// `visalign rsa ...` on a small simulated subject: outputs, determinism across threads and MPI
// processes, and bad input.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "fmri/design.hpp"
#include "fmri/npy.hpp"
#include "fmri/surface_map_file.hpp"
#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign {
namespace {

using testing::ScratchDirectory;

class RsaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const Outcome made = run_visalign(scratch, "fmri simulate --out subj --order 4 --images 10 -q");
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  const ScratchDirectory& subject() const { return scratch; }
  ScratchDirectory scratch;
};

const char* kRois = "--rois V1,V2,V3,V4,LO --disk-surface white --radius 8";

TEST_F(RsaCli, SelectWritesMapsTableAndLabels) {
  const Outcome selected = run_visalign(subject(), std::string("rsa select subj/manifest.json --out sel --per-hemisphere 20 ") + kRois);
  ASSERT_EQ(selected.exit_code, 0) << selected.err;
  const auto table = fmri::read_tsv(subject() / "sel/sub-sim01/selected_vertices.tsv");
  EXPECT_EQ(table.rows.size(), 2u * 5 * 20);
  for (const char* file : {"lh.reliability.func.gii", "rh.reliability.mgz", "label/lh.V1.selected.label", "selected_vertices.tsv.json"}) {
    EXPECT_TRUE(std::filesystem::exists(subject() / "sel/sub-sim01" / file)) << file;
  }
  const auto reliability = fmri::read_surface_maps(subject() / "sel/sub-sim01/lh.reliability.func.gii").at(0).values;
  EXPECT_EQ(reliability.size(), 2562);
}

TEST_F(RsaCli, RoiTableRecoversThePlantedAnswer) {
  const Outcome roi = run_visalign(subject(), std::string("rsa roi subj/manifest.json --out roi --per-hemisphere 30 "
                                                          "--permutations 200 --bootstraps 50 --hemispheres-separately ") + kRois);
  ASSERT_EQ(roi.exit_code, 0) << roi.err;
  EXPECT_NE(roi.out.find("R(RE-AI)"), std::string::npos) << roi.out;
  const auto table = fmri::read_tsv(subject() / "roi/sub-sim01.roi_rsa.tsv");
  const int measure = table.column_index("measure"), value = table.column_index("value"), p = table.column_index("p_permutation");
  const int presentation = table.column_index("presentation"), hemispheres = table.column_index("hemispheres");
  int checked = 0;
  for (const auto& row : table.rows) {
    if (row[static_cast<std::size_t>(presentation)] != "mean" || row[static_cast<std::size_t>(hemispheres)] != "both") continue;
    if (row[static_cast<std::size_t>(measure)] == "RE-AI") {
      EXPECT_LT(std::stod(row[static_cast<std::size_t>(p)]), 0.05) << row[1];
      EXPECT_GT(std::stod(row[static_cast<std::size_t>(value)]), 0.2) << row[1];
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5);
  const auto sidecar = nlohmann::json::parse(slurp(subject() / "roi/sub-sim01.roi_rsa.tsv.json"));
  EXPECT_EQ(sidecar["parameters"]["permutations"], 200);
}

TEST_F(RsaCli, SearchlightIsIdenticalForThreadsAndMpiProcesses) {
  const std::string common = "rsa searchlight subj/manifest.json --permutations 100 --disk-surface white --radius 4 -q ";
  ASSERT_EQ(run_visalign(subject(), common + "--out sl1 --threads 1").exit_code, 0);
  const Outcome two = run_visalign(subject(), common + "--out sl2 --threads 2");
  ASSERT_EQ(two.exit_code, 0) << two.err;
  for (const char* file : {"lh.searchlight.mgz", "rh.searchlight.func.gii"}) {
    EXPECT_EQ(testing::read_bytes(subject() / "sl1/sub-sim01" / file), testing::read_bytes(subject() / "sl2/sub-sim01" / file)) << file;
  }
  const auto maps = fmri::read_surface_maps(subject() / "sl1/sub-sim01/lh.searchlight.func.gii");
  ASSERT_EQ(maps.size(), 7u);  // r x 2, difference, p x 2, q x 2
  EXPECT_EQ(maps[0].name, "r_RE-AN");
  EXPECT_EQ(maps[2].name, "r_AI_minus_AN");

  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) {
    if (testing::running_under_ci()) FAIL() << "mpirun (openmpi-bin) is missing under CI";
    GTEST_SKIP() << "mpirun is not installed";
  }
  const std::string mpi = "cd '" + subject().path().string() +
                          "' && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none "
                          "mpirun --oversubscribe -np 2 '" VISALIGN_EXECUTABLE "' " + common +
                          "--out slmpi --threads 1 > mpi.log 2>&1";
  ASSERT_EQ(std::system(mpi.c_str()), 0) << slurp(subject() / "mpi.log");
  for (const char* file : {"lh.searchlight.mgz", "rh.searchlight.mgz", "lh.searchlight.func.gii"}) {
    EXPECT_EQ(testing::read_bytes(subject() / "sl1/sub-sim01" / file), testing::read_bytes(subject() / "slmpi/sub-sim01" / file)) << file;
  }
}

TEST_F(RsaCli, DiskTableOfAnotherSurfaceIsRefused) {
  ASSERT_EQ(run_visalign(subject(), "surface neighborhoods subj/surf/lh.pial --radius 3 -o pial.nbhd -q").exit_code, 0);
  const Outcome refused = run_visalign(subject(), "rsa searchlight subj/manifest.json --disk-surface white --disks lh=pial.nbhd --out bad");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("pial.nbhd: surface checksum"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(subject() / "bad/sub-sim01/lh.searchlight.mgz"));
}

class RsaLayersCli : public ::testing::Test {
 protected:
  void write_images(int images_per_type, bool unequal) {
    fmri::Design design;
    for (const char* type : {"RE", "AN", "AI"}) {
      for (int i = 0; i < images_per_type; ++i) {
        const std::string id = (unequal && std::string(type) == "AI" && i == 0) ? "other" : "img" + std::to_string(i);
        design.columns.push_back({id, type, 1, ""});
      }
    }
    fmri::write_design(design, scratch / "images.tsv");
  }
  void write_layers(const std::vector<Eigen::Index>& rows) {
    nlohmann::json document = {{"images", "images.tsv"}, {"layers", nlohmann::json::array()}};
    for (std::size_t l = 0; l < rows.size(); ++l) {
      const std::string name = "layer" + std::to_string(l + 1);
      Eigen::MatrixXd activations = Eigen::MatrixXd::Random(rows[l], 50);
      fmri::write_npy(activations, scratch / (name + ".npy"));
      document["layers"].push_back({{"name", name}, {"activations", name + ".npy"}});
    }
    std::ofstream(scratch / "layers.json") << document.dump(1);
  }
  ScratchDirectory scratch;
};

TEST_F(RsaLayersCli, TableAndTrends) {
  write_images(12, false);
  write_layers({36, 36, 36, 36});
  const Outcome layers = run_visalign(scratch, "rsa layers layers.json --out layers.tsv --permutations 50 --bootstraps 20");
  ASSERT_EQ(layers.exit_code, 0) << layers.err;
  EXPECT_NE(layers.out.find("Mann-Kendall trend of R(RE-AI)"), std::string::npos);
  EXPECT_EQ(fmri::read_tsv(scratch / "layers.trends.tsv").rows.size(), 2u);
  // Per layer: RE-AN and RE-AI (the one presentation and the mean), and the difference.
  EXPECT_EQ(fmri::read_tsv(scratch / "layers.tsv").rows.size(), 4u * 5);
  // The mean rows carry the unit-bootstrap intervals; no subsampling was asked for, so its interval is n/a, not 0.
  for (const auto& row : tsv_records(scratch / "layers.tsv")) {
    if (row.at("presentation") != "mean" || row.at("measure").find("minus") != std::string::npos) continue;
    EXPECT_LE(std::stod(row.at("ci95_low")), std::stod(row.at("ci95_high"))) << row.at("layer");
    EXPECT_EQ(row.at("subsample_ci95_low"), "n/a") << row.at("layer");
    EXPECT_EQ(row.at("subsample_ci95_high"), "n/a") << row.at("layer");
  }
}

TEST_F(RsaLayersCli, LayerWithAnotherImageCount) {
  write_images(12, false);
  write_layers({36, 35, 36});
  expect_clean_failure(scratch, "rsa layers layers.json --out layers.tsv", "layer2.npy", "rows: expected 36 images");
}

TEST_F(RsaLayersCli, FewerThanThreeConditions) {
  write_images(2, false);
  write_layers({6, 6, 6});
  expect_clean_failure(scratch, "rsa layers layers.json --out layers.tsv", "images.tsv", "expected at least 3 images");
}

TEST_F(RsaLayersCli, ConditionSetsThatDiffer) {
  write_images(6, true);
  write_layers({18, 18, 18});
  expect_clean_failure(scratch, "rsa layers layers.json --out layers.tsv", "images.tsv",
                       "expected the same 7 images in every type and presentation");
}

}  // namespace
}  // namespace visalign
