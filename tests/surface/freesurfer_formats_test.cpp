// FreeSurfer surfaces, curv files and patches against nibabel (and an independent numpy patch
// reader): tests/fixtures/reader_fixtures.json, made by tests/fixtures/make_reader_fixtures.py.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "surface/format_error.hpp"
#include "surface/freesurfer_curv.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/icosphere.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"
#include "tests/fixture_json.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

namespace visalign::surface {
namespace {

using visalign::testing::hex64;
using visalign::testing::read_fixture_json;
using visalign::testing::read_bytes;
using visalign::testing::ScratchDirectory;
using visalign::testing::write_bytes;
using visalign::testing::shared_data;

/// Expects `action` to throw a FormatError whose message names `file` and contains `fragment`.
template <typename Action>
void expect_format_error(Action action, const std::filesystem::path& file, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no error for " << file;
  } catch (const FormatError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  }
}

TEST(FreeSurferSurface, AgreesWithNibabelOnFsaverage5) {
  const auto fixtures = read_fixture_json("reader_fixtures.json")["surfaces"];
  int checked = 0;
  for (const auto& [relative, expected] : fixtures.items()) {
    if (relative.rfind("fsaverage5/surf/", 0) != 0) continue;
    const auto path = shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    const FreeSurferSurface surface = read_freesurfer_surface(path);
    const Mesh& mesh = surface.mesh;
    SCOPED_TRACE(relative);
    ASSERT_EQ(mesh.vertex_count(), expected["vertex_count"].get<Eigen::Index>());
    ASSERT_EQ(mesh.face_count(), expected["face_count"].get<Eigen::Index>());
    EXPECT_EQ(hex64(fnv1a64(mesh.vertices.data(), 4 * mesh.vertices.size())), expected["vertices_fnv1a64"]);
    EXPECT_EQ(hex64(fnv1a64(mesh.faces.data(), 4 * mesh.faces.size())), expected["faces_fnv1a64"]);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(mesh.vertices(0, k), expected["first_vertex"][k].get<float>());
      EXPECT_EQ(mesh.vertices(mesh.vertex_count() - 1, k), expected["last_vertex"][k].get<float>());
      EXPECT_EQ(mesh.faces(0, k), expected["first_face"][k].get<int>());
      EXPECT_EQ(mesh.faces(mesh.face_count() - 1, k), expected["last_face"][k].get<int>());
    }
    EXPECT_EQ(surface.creator, expected["create_stamp"].get<std::string>());
    EXPECT_FALSE(surface.volume_geometry.has_value());  // nibabel found no volume info either
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(FreeSurferCurv, AgreesWithNibabel) {
  const auto fixtures = read_fixture_json("reader_fixtures.json")["maps"];
  int checked = 0;
  for (const auto& [relative, expected] : fixtures.items()) {
    if (relative.find("/surf/") == std::string::npos || relative.find(".mg") != std::string::npos) continue;
    const auto path = shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    SCOPED_TRACE(relative);
    const SurfaceMap map = read_freesurfer_curv(path);
    ASSERT_EQ(map.values.size(), expected["length"].get<Eigen::Index>());
    EXPECT_EQ(hex64(fnv1a64(map.values.data(), 4 * map.values.size())), expected["values_fnv1a64"]);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(map.values(i), expected["first_values"][i].get<float>());
    EXPECT_NEAR(map.values.cast<double>().sum(), expected["sum"].get<double>(), 1e-9 * map.values.size());
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST(FreeSurferPatch, ReadsFsaverageCortexPatchesLikeAnIndependentReader) {
  const auto fixtures = read_fixture_json("reader_fixtures.json")["patches"];
  for (const auto& [relative, expected] : fixtures.items()) {
    const auto path = shared_data(relative);
    VISALIGN_REQUIRE_FILE(path);
    SCOPED_TRACE(relative);
    const SurfacePatch patch = read_freesurfer_patch(path);
    ASSERT_EQ(static_cast<std::int64_t>(patch.vertices.size()), expected["point_count"].get<std::int64_t>());
    std::int64_t border = 0;
    for (const auto flag : patch.border) border += flag;
    EXPECT_EQ(border, expected["border_count"].get<std::int64_t>());
    EXPECT_EQ(hex64(fnv1a64(patch.vertices.data(), 4 * patch.vertices.size())), expected["vertex_indices_fnv1a64"]);
    EXPECT_EQ(hex64(fnv1a64(patch.coordinates.data(), 4 * patch.coordinates.size())), expected["coords_fnv1a64"]);
    for (int point = 0; point < 3; ++point) {
      const auto& row = expected["first_points"][point];
      EXPECT_EQ(patch.vertices[point], row[0].get<int>());
      EXPECT_EQ(patch.border[point], row[1].get<int>());
      for (int k = 0; k < 3; ++k) EXPECT_EQ(patch.coordinates(point, k), row[2 + k].get<float>());
    }
    EXPECT_EQ(*std::max_element(patch.vertices.begin(), patch.vertices.end()), expected["max_vertex"].get<int>());
    EXPECT_FLOAT_EQ(patch.coordinates.col(2).cwiseAbs().maxCoeff(), expected["max_abs_z"].get<float>());
  }
  const auto left_flat = shared_data("fsaverage/surf/lh.cortex.patch.flat");
  VISALIGN_REQUIRE_FILE(left_flat);
  EXPECT_EQ(read_freesurfer_patch(left_flat).vertices.size(), 149297u);
}

TEST(FreeSurferSurface, RoundTripKeepsEverythingIncludingVolumeGeometry) {
  ScratchDirectory scratch;
  const Mesh sphere = icosphere(2, 50.0);
  FreeSurferVolumeGeometry geometry;
  geometry.valid = true;
  geometry.filename = "/subjects/bert/mri/orig.mgz";
  geometry.volume = {256, 256, 256};
  geometry.voxel_size = {1, 1, 1};
  geometry.x_ras = {-1, 0, 0};
  geometry.y_ras = {0, 0, -1};
  geometry.z_ras = {0, 1, 0};
  geometry.c_ras = {5.5, -17.25, 18.0};
  write_freesurfer_surface(sphere, scratch / "lh.sphere", "test", geometry);
  const FreeSurferSurface back = read_freesurfer_surface(scratch / "lh.sphere");
  EXPECT_EQ(back.mesh.vertices, sphere.vertices);
  EXPECT_EQ(back.mesh.faces, sphere.faces);
  EXPECT_EQ(back.creator, "created by test");
  ASSERT_TRUE(back.volume_geometry.has_value());
  EXPECT_TRUE(back.volume_geometry->valid);
  EXPECT_EQ(back.volume_geometry->filename, geometry.filename);
  EXPECT_EQ(back.volume_geometry->volume, geometry.volume);
  EXPECT_EQ(back.volume_geometry->c_ras, geometry.c_ras);
  EXPECT_EQ(back.volume_geometry->y_ras, geometry.y_ras);
  EXPECT_EQ(read_surface(scratch / "lh.sphere").vertices, sphere.vertices);  // format recognised by content
}

TEST(FreeSurferCurv, RoundTrip) {
  ScratchDirectory scratch;
  SurfaceMap map{"thickness", "mm", Eigen::VectorXf::LinSpaced(1000, -2.0f, 5.0f)};
  write_freesurfer_curv(map, scratch / "lh.thickness", 1996);
  EXPECT_EQ(read_freesurfer_curv(scratch / "lh.thickness").values, map.values);
}

TEST(FreeSurferPatch, RoundTripAndApplyToSurface) {
  ScratchDirectory scratch;
  const Mesh sphere = icosphere(2, 10.0);
  SurfacePatch patch;
  for (std::int32_t v = 0; v < sphere.vertex_count(); ++v) {
    if (sphere.vertices(v, 2) > 0) patch.vertices.push_back(v);
  }
  patch.coordinates.resize(static_cast<Eigen::Index>(patch.vertices.size()), 3);
  for (std::size_t i = 0; i < patch.vertices.size(); ++i) {
    patch.coordinates.row(static_cast<Eigen::Index>(i)) << sphere.vertices(patch.vertices[i], 0),
        sphere.vertices(patch.vertices[i], 1), 0.0f;
    patch.border.push_back(i % 7 == 0 ? 1 : 0);
  }
  write_freesurfer_patch(patch, scratch / "lh.test.patch.flat");
  const SurfacePatch back = read_freesurfer_patch(scratch / "lh.test.patch.flat");
  EXPECT_EQ(back.vertices, patch.vertices);
  EXPECT_EQ(back.border, patch.border);
  EXPECT_EQ(back.coordinates, patch.coordinates);

  const Mesh flat = apply_patch(sphere, back, "lh.test.patch.flat");
  EXPECT_EQ(flat.vertex_count(), sphere.vertex_count());  // full numbering kept
  EXPECT_EQ(flat.included_vertex_count(), static_cast<Eigen::Index>(patch.vertices.size()));
  Eigen::Index expected_faces = 0;
  for (Eigen::Index f = 0; f < sphere.face_count(); ++f) {
    bool inside = true;
    for (int k = 0; k < 3; ++k) inside = inside && sphere.vertices(sphere.faces(f, k), 2) > 0;
    expected_faces += inside ? 1 : 0;
  }
  EXPECT_EQ(flat.face_count(), expected_faces);
  for (Eigen::Index f = 0; f < flat.face_count(); ++f) {
    for (int k = 0; k < 3; ++k) EXPECT_FALSE(flat.is_excluded(flat.faces(f, k)));
  }
  EXPECT_EQ(flat.vertices(patch.vertices[3], 2), 0.0f);
}

// ---- bad input: one-line errors naming the file ----

class FreeSurferBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    write_freesurfer_surface(icosphere(1, 10.0), scratch / "good.white");
    good = read_bytes(scratch / "good.white");
  }
  ScratchDirectory scratch;
  std::vector<char> good;
};

TEST_F(FreeSurferBadInput, TruncatedSurface) {
  for (const std::size_t keep : {std::size_t{2}, std::size_t{30}, good.size() / 2, good.size() - 5}) {
    const auto path = scratch / ("truncated" + std::to_string(keep) + ".white");
    write_bytes(path, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
    expect_format_error([&] { read_freesurfer_surface(path); }, path, "truncated");
  }
}

TEST_F(FreeSurferBadInput, GarbledMagic) {
  auto bytes = good;
  bytes[2] = 0x12;
  const auto path = scratch / "garbled.white";
  write_bytes(path, bytes);
  expect_format_error([&] { read_freesurfer_surface(path); }, path, "magic number");
  expect_format_error([&] { read_surface(path); }, path, "format");
}

TEST_F(FreeSurferBadInput, FaceIndexPastTheVertexList) {
  const Mesh mesh = icosphere(1, 10.0);
  const auto path = scratch / "bad_faces.white";
  // Overwrite the second corner of face 5 in the file: faces start after the header and coordinates.
  auto bytes_copy = good;
  const std::size_t header = 3 + std::string("created by visalign\n\n").size() + 8;
  const std::size_t face_entry = header + 12 * static_cast<std::size_t>(mesh.vertex_count()) + 4 * (5 * 3 + 1);
  const auto bad = static_cast<std::int32_t>(mesh.vertex_count()) + 3;
  for (int i = 0; i < 4; ++i) bytes_copy[face_entry + i] = static_cast<char>((bad >> (24 - 8 * i)) & 0xff);
  write_bytes(path, bytes_copy);
  expect_format_error([&] { read_freesurfer_surface(path); }, path, "faces: expected vertex indices in [0, 42)");
}

TEST_F(FreeSurferBadInput, NanCoordinates) {
  auto bytes = good;
  const std::size_t header = 3 + std::string("created by visalign\n\n").size() + 8;
  const unsigned char nan_bits[4] = {0x7f, 0xc0, 0x00, 0x00};
  for (int i = 0; i < 4; ++i) bytes[header + 12 * 7 + 4 + i] = static_cast<char>(nan_bits[i]);
  const auto path = scratch / "nan.white";
  write_bytes(path, bytes);
  expect_format_error([&] { read_freesurfer_surface(path); }, path, "expected finite numbers, found nan at vertex 7");
}

TEST_F(FreeSurferBadInput, TruncatedCurvAndPatch) {
  write_freesurfer_curv({"x", "", Eigen::VectorXf::Ones(100)}, scratch / "lh.curv");
  auto curv = read_bytes(scratch / "lh.curv");
  curv.resize(curv.size() - 10);
  write_bytes(scratch / "short.curv", curv);
  expect_format_error([&] { read_freesurfer_curv(scratch / "short.curv"); }, scratch / "short.curv", "truncated in values");

  SurfacePatch patch;
  patch.vertices = {0, 1, 2};
  patch.border = {0, 1, 0};
  patch.coordinates = VertexMatrix::Zero(3, 3);
  write_freesurfer_patch(patch, scratch / "lh.patch");
  auto bytes = read_bytes(scratch / "lh.patch");
  bytes.resize(bytes.size() - 3);
  write_bytes(scratch / "short.patch", bytes);
  expect_format_error([&] { read_freesurfer_patch(scratch / "short.patch"); }, scratch / "short.patch", "truncated");
}

TEST_F(FreeSurferBadInput, PatchVertexNumbersPastTheSurface) {
  const Mesh sphere = icosphere(1, 10.0);  // 42 vertices
  SurfacePatch patch;
  patch.vertices = {0, 1, 42};
  patch.border = {0, 0, 1};
  patch.coordinates = VertexMatrix::Zero(3, 3);
  write_freesurfer_patch(patch, scratch / "big.patch");
  const auto path = scratch / "big.patch";
  expect_format_error([&] { apply_patch(sphere, read_freesurfer_patch(path), path.string()); }, path,
                      "expected vertices below the surface's 42, found vertex 42");
}

TEST_F(FreeSurferBadInput, MissingFile) {
  const auto path = scratch / "does-not-exist.white";
  expect_format_error([&] { read_surface(path); }, path, "cannot open");
}

}  // namespace
}  // namespace visalign::surface
