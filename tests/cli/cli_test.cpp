// The `visalign` command line as a user meets it: help, usage errors, outputs with provenance
// sidecars, and bad input (one-line error naming the file, exit code 1, no output left behind).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fmri/surface_map_file.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/gifti.hpp"
#include "surface/icosphere.hpp"
#include "surface/surface_file.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign {
namespace {

using testing::read_bytes;
using testing::ScratchDirectory;
using testing::write_bytes;

TEST(Cli, HelpListsEveryCommandAndDocumentsEveryOption) {
  ScratchDirectory scratch;
  const Outcome overview = run_visalign(scratch, "--help");
  EXPECT_EQ(overview.exit_code, 0);
  for (const char* command : {"info", "geodesic", "neighborhoods", "convert", "icosphere"}) {
    EXPECT_NE(overview.out.find(command), std::string::npos) << command;
    const Outcome help = run_visalign(scratch, std::string("surface ") + command + " --help");
    EXPECT_EQ(help.exit_code, 0) << help.err;
    for (const char* global : {"--threads", "--seed", "--verbose", "--quiet"}) {
      EXPECT_NE(help.out.find(global), std::string::npos) << command << " lacks " << global;
    }
  }
  const Outcome help = run_visalign(scratch, "surface neighborhoods --help");
  for (const char* option : {"--surface", "--pial", "--patch", "--radius", "--method", "--output", "--disk-sizes"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(run_visalign(scratch, "--version").exit_code, 0);
}

TEST(Cli, UsageErrorsExitWithTwo) {
  ScratchDirectory scratch;
  EXPECT_EQ(run_visalign(scratch, "").exit_code, 2);
  EXPECT_EQ(run_visalign(scratch, "nosuchgroup run").exit_code, 2);
  EXPECT_EQ(run_visalign(scratch, "surface nosuchcommand").exit_code, 2);
  const Outcome unknown = run_visalign(scratch, "surface info x.gii --bogus");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("bogus"), std::string::npos);
  EXPECT_EQ(run_visalign(scratch, "surface neighborhoods").exit_code, 2);  // required options missing
  surface::write_surface(surface::icosphere(1, 10), scratch / "s.surf.gii");
  const Outcome method = run_visalign(scratch, "surface neighborhoods s.surf.gii -o t.nbhd --method heat");
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.err.find("'fast-marching' or 'dijkstra'"), std::string::npos) << method.err;
  EXPECT_FALSE(std::filesystem::exists(scratch / "t.nbhd"));
}

TEST(Cli, SyntheticSurfaceToNeighbourhoodsAndDistanceMaps) {
  ScratchDirectory scratch;
  Outcome made = run_visalign(scratch, "surface icosphere --order 4 --radius 50 -o sphere.surf.gii -q");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(made.err.empty()) << "quiet: " << made.err;
  const Outcome info = run_visalign(scratch, "surface info sphere.surf.gii --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto summary = nlohmann::json::parse(info.out);
  EXPECT_EQ(summary["vertices"], 2562);
  EXPECT_EQ(summary["euler_characteristic"], 2);
  EXPECT_EQ(summary["boundary_loops"], 0);

  const Outcome disks = run_visalign(
      scratch, "surface neighborhoods sphere.surf.gii --radius 5 -o disks.nbhd --disk-sizes sizes.func.gii --threads 2");
  ASSERT_EQ(disks.exit_code, 0) << disks.err;
  EXPECT_NE(disks.out.find("2562 disks of radius 5 mm"), std::string::npos) << disks.out;
  const auto sidecar = nlohmann::json::parse(slurp(scratch / "disks.nbhd.json"));
  for (const char* key : {"version", "command_line", "inputs", "parameters", "seed", "threads", "start_time", "end_time"}) {
    EXPECT_TRUE(sidecar.contains(key)) << key;
  }
  EXPECT_EQ(sidecar["parameters"]["radius"], 5.0);
  EXPECT_EQ(sidecar["parameters"]["method"], "fast-marching");
  EXPECT_EQ(sidecar["inputs"][0]["size_bytes"], std::filesystem::file_size(scratch / "sphere.surf.gii"));
  EXPECT_TRUE(std::filesystem::exists(scratch / "sizes.func.gii.json"));
  const auto sizes = fmri::read_surface_maps(scratch / "sizes.func.gii");
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0].values.size(), 2562);
  EXPECT_GT(sizes[0].values.minCoeff(), 5);

  const Outcome checked = run_visalign(scratch, "surface info sphere.surf.gii --neighborhoods disks.nbhd");
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("matches this surface"), std::string::npos);

  for (const char* output : {"d.func.gii", "d.shape.gii", "d.mgz", "d.mgh", "d.vtp", "lh.distance"}) {
    const Outcome geodesic =
        run_visalign(scratch, std::string("surface geodesic sphere.surf.gii --source 5 --radius 12 -o ") + output);
    ASSERT_EQ(geodesic.exit_code, 0) << output << ": " << geodesic.err;
    EXPECT_TRUE(std::filesystem::exists(scratch / (std::string(output) + ".json"))) << output;
  }
  const auto distances = fmri::read_surface_maps(scratch / "d.mgz").at(0).values;
  EXPECT_EQ(distances(5), 0.0f);
  EXPECT_EQ(distances.maxCoeff() <= 12.0f, true);
  EXPECT_EQ(fmri::read_surface_maps(scratch / "d.func.gii").at(0).values, distances);
  EXPECT_EQ(fmri::read_surface_maps(scratch / "lh.distance").at(0).values, distances);

  // Converting between surface formats keeps the mesh exactly.
  ASSERT_EQ(run_visalign(scratch, "surface convert sphere.surf.gii lh.sphere").exit_code, 0);
  ASSERT_EQ(run_visalign(scratch, "surface convert lh.sphere back.gii.gz").exit_code, 0);
  const surface::Mesh original = surface::read_surface(scratch / "sphere.surf.gii");
  const surface::Mesh back = surface::read_surface(scratch / "back.gii.gz");
  EXPECT_EQ(back.vertices, original.vertices);
  EXPECT_EQ(back.faces, original.faces);
  ASSERT_EQ(run_visalign(scratch, "surface convert sphere.surf.gii s.vtp --map d.mgz --map sizes.func.gii").exit_code, 0);
}

TEST(Cli, RealFsaverageFilesConvertAndDescribe) {
  const auto white = testing::shared_data("fsaverage5/surf/lh.white");
  const auto patch = testing::shared_data("fsaverage/surf/lh.cortex.patch.flat");
  VISALIGN_REQUIRE_FILE(white);
  VISALIGN_REQUIRE_FILE(patch);
  ScratchDirectory scratch;
  const Outcome info = run_visalign(scratch, "surface info '" + white.string() + "' --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["euler_characteristic"], 2);
  const Outcome patch_info = run_visalign(scratch, "surface info '" + patch.string() + "' --json");
  ASSERT_EQ(patch_info.exit_code, 0) << patch_info.err;
  const auto summary = nlohmann::json::parse(patch_info.out);
  EXPECT_EQ(summary["points"], 149297);
  EXPECT_EQ(summary["border_points"], 1649);
}

// ---- bad input ----

class CliBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    surface::write_freesurfer_surface(surface::icosphere(2, 20.0), scratch / "lh.white");
    surface::write_freesurfer_surface(surface::icosphere(2, 22.0), scratch / "lh.pial");
    good = read_bytes(scratch / "lh.white");
  }
  void expect_clean_failure(const std::string& arguments, const std::string& file, const std::string& fragment) {
    visalign::expect_clean_failure(scratch, arguments, file, fragment);
  }
  static constexpr std::size_t kHeader = 3 + 21 + 8;  // magic, "created by visalign\n\n", counts
  ScratchDirectory scratch;
  std::vector<char> good;
};

TEST_F(CliBadInput, TruncatedFreeSurferSurface) {
  write_bytes(scratch / "short.white", std::vector<char>(good.begin(), good.begin() + 500));
  expect_clean_failure("surface neighborhoods short.white -o out.nbhd", "short.white", "truncated in vertex coordinates");
}

TEST_F(CliBadInput, GarbledFreeSurferSurface) {
  auto bytes = good;
  bytes[0] = 'G';
  write_bytes(scratch / "garbled.white", bytes);
  expect_clean_failure("surface geodesic garbled.white --source 0 -o out.func.gii", "garbled.white", "format: expected");
}

TEST_F(CliBadInput, TruncatedGifti) {
  surface::write_gifti_surface(surface::icosphere(2, 20.0), scratch / "lh.white.surf.gii");
  const auto bytes = read_bytes(scratch / "lh.white.surf.gii");
  write_bytes(scratch / "short.surf.gii", std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
  std::filesystem::remove(scratch / "lh.white.surf.gii");
  expect_clean_failure("surface neighborhoods short.surf.gii -o out.nbhd", "short.surf.gii", "short.surf.gii: ");
}

TEST_F(CliBadInput, GarbledGifti) {
  surface::write_gifti_surface(surface::icosphere(2, 20.0), scratch / "good.surf.gii");
  std::string text = slurp(scratch / "good.surf.gii");
  std::filesystem::remove(scratch / "good.surf.gii");
  const auto data = text.find("<Data>");
  ASSERT_NE(data, std::string::npos);
  text.replace(data + 6, 8, "!!!!$$$$");  // not base64
  write_bytes(scratch / "garbled.surf.gii", std::vector<char>(text.begin(), text.end()));
  expect_clean_failure("surface convert garbled.surf.gii out.vtp", "garbled.surf.gii", "garbled.surf.gii: ");
}

TEST_F(CliBadInput, PatchVertexNumbersPastTheSurface) {
  std::vector<char> patch;
  auto put = [&](std::int32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) patch.push_back(static_cast<char>((value >> shift) & 0xff));
  };
  put(-1);
  put(2);
  put(1);  // vertex 0
  put(0), put(0), put(0);
  put(-(500 + 1));  // vertex 500 on the border: lh.white has 162 vertices
  put(0), put(0), put(0);
  write_bytes(scratch / "lh.big.patch.flat", patch);
  expect_clean_failure("surface neighborhoods lh.white --patch lh.big.patch.flat -o out.nbhd", "lh.big.patch.flat",
                       "found vertex 500");
}

TEST_F(CliBadInput, FacesPastTheVertexList) {
  auto bytes = good;
  const std::size_t face_entry = kHeader + 12 * 162 + 4 * 7;
  bytes[face_entry] = 0x01;  // a vertex number in the millions
  write_bytes(scratch / "faces.white", bytes);
  expect_clean_failure("surface info faces.white", "faces.white", "faces: expected vertex indices in [0, 162)");
}

TEST_F(CliBadInput, NanCoordinates) {
  auto bytes = good;
  const unsigned char nan_bits[4] = {0x7f, 0xc0, 0x00, 0x00};
  for (int i = 0; i < 4; ++i) bytes[kHeader + 12 * 3 + i] = static_cast<char>(nan_bits[i]);
  write_bytes(scratch / "nan.white", bytes);
  expect_clean_failure("surface geodesic nan.white --source 0 -o out.mgh", "nan.white", "found nan at vertex 3");
}

TEST_F(CliBadInput, WhiteAndPialWithDifferentVertexCounts) {
  surface::write_freesurfer_surface(surface::icosphere(3, 22.0), scratch / "lh.pial3");
  expect_clean_failure("surface neighborhoods lh.white --pial lh.pial3 -o out.nbhd", "lh.pial3",
                       "vertex count: expected 162 (as in lh.white), found 642");
}

TEST_F(CliBadInput, MissingOutputFolderIsReportedBeforeAnyWork) {
  expect_clean_failure("surface neighborhoods lh.white -o no/such/folder/out.nbhd", "no/such/folder/out.nbhd",
                       "output folder 'no/such/folder' does not exist");
}

TEST_F(CliBadInput, NeighbourhoodTableOfAnotherSurface) {
  const Outcome made = run_visalign(scratch, "surface neighborhoods lh.pial --radius 4 -o pial.nbhd -q");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  expect_clean_failure("surface info lh.white --neighborhoods pial.nbhd", "pial.nbhd", "made from a different surface");
}

}  // namespace
}  // namespace visalign
