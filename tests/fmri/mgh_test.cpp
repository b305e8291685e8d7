// MGH/MGZ overlays and per-vertex map files against nibabel (tests/fixtures/reader_fixtures.json).

#include <gtest/gtest.h>

#include <fstream>

#include "fmri/mgh.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/format_error.hpp"
#include "surface/mesh.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign::fmri {
namespace {

using visalign::testing::hex64;
using visalign::testing::ScratchDirectory;

TEST(Mgh, OverlaysAgreeWithNibabel) {
  const auto fixtures = visalign::testing::read_fixture_json("reader_fixtures.json")["maps"];
  int checked = 0;
  for (const auto& [key, expected] : fixtures.items()) {
    const auto hash = key.find('#');
    if (hash == std::string::npos) continue;
    const auto path = visalign::testing::shared_data(key.substr(0, hash));
    VISALIGN_REQUIRE_FILE(path);
    SCOPED_TRACE(key);
    const auto maps = read_surface_maps(path);
    const auto& map = maps.at(std::stoul(key.substr(hash + 1)));
    ASSERT_EQ(map.values.size(), expected["length"].get<Eigen::Index>());
    EXPECT_EQ(hex64(surface::fnv1a64(map.values.data(), 4 * map.values.size())), expected["values_fnv1a64"]);
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(Mgh, CurvGiftiAndMghCarryTheSameThickness) {
  const auto curv = visalign::testing::shared_data("fsaverage5/surf/lh.thickness");
  const auto gifti = visalign::testing::shared_data("fsaverage5/gifti/lh.thickness.shape.gii.gz");
  const auto mgz = visalign::testing::shared_data("fsaverage5/surf/lh.sulc_curv_thickness.mgz");
  VISALIGN_REQUIRE_FILE(curv);
  VISALIGN_REQUIRE_FILE(gifti);
  VISALIGN_REQUIRE_FILE(mgz);
  const auto from_curv = read_surface_maps(curv).at(0).values;
  EXPECT_EQ(read_surface_maps(gifti).at(0).values, from_curv);
  EXPECT_EQ(read_surface_maps(mgz).at(2).values, from_curv);
}

TEST(Mgh, RoundTripPlainAndCompressed) {
  ScratchDirectory scratch;
  const std::vector<surface::SurfaceMap> maps = {{"a", "mm", Eigen::VectorXf::LinSpaced(500, 0, 1)},
                                                 {"b", "", Eigen::VectorXf::Constant(500, -3.5f)}};
  for (const std::string name : {"maps.mgh", "maps.mgz"}) {
    write_surface_maps(maps, scratch / name);
    const MghVolume volume = read_mgh(scratch / name);
    EXPECT_EQ(volume.dimensions[0], 500);
    EXPECT_EQ(volume.dimensions[3], 2);
    EXPECT_EQ(volume.data.col(0), maps[0].values);
    EXPECT_EQ(volume.data.col(1), maps[1].values);
  }
  EXPECT_EQ(read_surface_maps(scratch / "maps.mgz").size(), 2u);
}

TEST(Mgh, TruncatedAndWrongFilesNameTheFile) {
  ScratchDirectory scratch;
  write_surface_maps({{"a", "", Eigen::VectorXf::Ones(100)}}, scratch / "a.mgh");
  std::vector<char> bytes = visalign::testing::read_bytes(scratch / "a.mgh");
  bytes.resize(bytes.size() - 8);
  visalign::testing::write_bytes(scratch / "short.mgh", bytes);
  try {
    read_mgh(scratch / "short.mgh");
    FAIL() << "no error";
  } catch (const surface::FormatError& error) {
    EXPECT_NE(std::string(error.what()).find((scratch / "short.mgh").string() + ": truncated in data"), std::string::npos)
        << error.what();
  }
  bytes[3] = 2;  // version 2
  visalign::testing::write_bytes(scratch / "version.mgh", bytes);
  EXPECT_THROW(read_mgh(scratch / "version.mgh"), surface::FormatError);
  EXPECT_THROW(write_surface_maps({{"a", "", Eigen::VectorXf::Ones(3)}, {"b", "", Eigen::VectorXf::Ones(4)}},
                                  scratch / "bad.mgh"),
               std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(scratch / "bad.mgh"));
}

}  // namespace
}  // namespace visalign::fmri

namespace visalign::fmri {
namespace {

TEST(Mgh, NibabelsOwnTestVolumeAgrees) {
  const auto fixtures = visalign::testing::read_fixture_json("fmri_format_fixtures.json")["nibabel_mgh"];
  for (const auto& [name, expected] : fixtures.items()) {
    const std::filesystem::path path = std::filesystem::path("/usr/lib/python3/dist-packages/nibabel/tests/data") / name;
    VISALIGN_REQUIRE_FILE(path);
    const MghVolume volume = read_mgh(path);
    for (int d = 0; d < 4; ++d) EXPECT_EQ(volume.dimensions[d], expected["shape"][d].get<int>());
    EXPECT_EQ(volume.data_type, expected["type"].get<int>());
    // data is voxels x frames, column-major: the file's order.
    EXPECT_EQ(visalign::testing::hex64(surface::fnv1a64(volume.data.data(), 4 * volume.data.size())),
              expected["values_fnv1a64"]);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(volume.data.data()[i], expected["first_values"][i].get<float>());
  }
}

}  // namespace
}  // namespace visalign::fmri
