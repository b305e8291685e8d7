// Searchlight disks and their stored tables.

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "surface/format_error.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/gifti.hpp"
#include "surface/surface_patch.hpp"
#include "tests/test_data.hpp"
#include "surface/geodesic_disks.hpp"
#include "surface/icosphere.hpp"
#include "surface/neighborhood_table.hpp"
#include "tests/scratch_directory.hpp"

namespace visalign::surface {
namespace {

using visalign::testing::ScratchDirectory;

TEST(GeodesicDisks, EveryDiskIsTheDistanceQueryAndThreadsDoNotMatter) {
  const Mesh sphere = icosphere(4, 50.0);
  GeodesicDiskOptions options;
  options.radius_mm = 6.0;
  options.threads = 1;
  std::size_t last_done = 0;
  const NeighborhoodTable one = geodesic_disks(sphere, options, [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, static_cast<std::size_t>(sphere.vertex_count()));
    EXPECT_GE(done, last_done);
    last_done = done;
  });
  EXPECT_EQ(last_done, static_cast<std::size_t>(sphere.vertex_count()));
  options.threads = 2;
  const NeighborhoodTable two = geodesic_disks(sphere, options);
  EXPECT_EQ(one.offsets, two.offsets);
  EXPECT_EQ(one.vertices, two.vertices);
  EXPECT_EQ(one.distances, two.distances);
  EXPECT_EQ(one.surface_checksum, mesh_checksum(sphere));

  const GeodesicGraph graph = GeodesicGraph::build(sphere);
  GeodesicWorkspace workspace(graph.vertex_count());
  for (std::int32_t v = 0; v < sphere.vertex_count(); v += 97) {
    const auto& expected = workspace.distances_within(graph, v, 6.0, GeodesicMethod::fast_marching);
    ASSERT_EQ(one.disk_size(v), static_cast<std::int64_t>(expected.size()));
    const auto start = static_cast<std::size_t>(one.offsets[static_cast<std::size_t>(v)]);
    EXPECT_EQ(one.vertices[start], v);  // the centre comes first
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(one.vertices[start + i], expected[i].vertex);
      EXPECT_EQ(one.distances[start + i], expected[i].distance);
      EXPECT_LE(one.distances[start + i], 6.0f);
    }
  }
}

TEST(GeodesicDisks, DiskAreaMatchesTheSphereCap) {
  // On a fine sphere the disk holds about (cap area / area per vertex) vertices.
  const Mesh sphere = icosphere(6, 100.0);
  GeodesicDiskOptions options;
  options.radius_mm = 10.0;
  options.threads = 2;
  const NeighborhoodTable table = geodesic_disks(sphere, options);
  const double cap_area = 2 * M_PI * 100.0 * 100.0 * (1 - std::cos(10.0 / 100.0));
  const double per_vertex = 4 * M_PI * 100.0 * 100.0 / static_cast<double>(sphere.vertex_count());
  const double mean_size = static_cast<double>(table.entry_count()) / static_cast<double>(table.vertex_count);
  EXPECT_NEAR(mean_size, cap_area / per_vertex, 0.03 * cap_area / per_vertex);
}

TEST(GeodesicDisks, ExcludedVerticesGetEmptyDisks) {
  Mesh sphere = icosphere(3, 20.0);
  sphere.excluded.assign(static_cast<std::size_t>(sphere.vertex_count()), 0);
  std::vector<Eigen::Index> keep;
  for (Eigen::Index v = 0; v < sphere.vertex_count(); ++v) sphere.excluded[static_cast<std::size_t>(v)] = sphere.vertices(v, 2) < 0;
  for (Eigen::Index f = 0; f < sphere.face_count(); ++f) {
    if (!sphere.is_excluded(sphere.faces(f, 0)) && !sphere.is_excluded(sphere.faces(f, 1)) &&
        !sphere.is_excluded(sphere.faces(f, 2))) {
      keep.push_back(f);
    }
  }
  Mesh patch = sphere;
  patch.faces.resize(static_cast<Eigen::Index>(keep.size()), 3);
  for (std::size_t i = 0; i < keep.size(); ++i) patch.faces.row(static_cast<Eigen::Index>(i)) = sphere.faces.row(keep[i]);
  const NeighborhoodTable table = geodesic_disks(patch, {4.0, GeodesicMethod::fast_marching, 2});
  for (Eigen::Index v = 0; v < patch.vertex_count(); ++v) {
    if (patch.is_excluded(v)) {
      EXPECT_EQ(table.disk_size(v), 0);
    } else {
      EXPECT_GE(table.disk_size(v), 1);
    }
  }
  for (const std::int32_t member : table.vertices) EXPECT_FALSE(patch.is_excluded(member));
}

TEST(NeighborhoodTable, SaveLoadRoundTripAndChecks) {
  ScratchDirectory scratch;
  const Mesh sphere = icosphere(3, 40.0);
  const NeighborhoodTable table = geodesic_disks(sphere, {5.0, GeodesicMethod::dijkstra, 2});
  save_neighborhood_table(table, scratch / "disks.nbhd");
  const NeighborhoodTable back = load_neighborhood_table(scratch / "disks.nbhd");
  EXPECT_EQ(back.vertex_count, table.vertex_count);
  EXPECT_EQ(back.surface_checksum, table.surface_checksum);
  EXPECT_EQ(back.radius_mm, table.radius_mm);
  EXPECT_EQ(back.method, GeodesicMethod::dijkstra);
  EXPECT_EQ(back.offsets, table.offsets);
  EXPECT_EQ(back.vertices, table.vertices);
  EXPECT_EQ(back.distances, table.distances);
  EXPECT_NO_THROW(check_table_matches_surface(back, "disks.nbhd", sphere, "sphere"));
  EXPECT_NO_THROW(check_table_parameters(back, "disks.nbhd", 5.0, GeodesicMethod::dijkstra));
  EXPECT_THROW(check_table_parameters(back, "disks.nbhd", 3.0, GeodesicMethod::dijkstra), FormatError);
  EXPECT_THROW(check_table_parameters(back, "disks.nbhd", 5.0, GeodesicMethod::fast_marching), FormatError);
}

TEST(NeighborhoodTable, ATableThatDoesNotMatchItsSurfaceIsRefused) {
  const Mesh sphere = icosphere(3, 40.0);
  const NeighborhoodTable table = geodesic_disks(sphere, {5.0, GeodesicMethod::fast_marching, 1});
  try {
    check_table_matches_surface(table, "lh.disks.nbhd", icosphere(2, 40.0), "lh.white");
    FAIL() << "no error";
  } catch (const FormatError& error) {
    EXPECT_STREQ(error.what(), "lh.disks.nbhd: vertex count: expected 162 (as in lh.white), found 642");
  }
  Mesh moved = sphere;
  moved.vertices(10, 0) += 0.5f;  // same size, different geometry
  try {
    check_table_matches_surface(table, "lh.disks.nbhd", moved, "lh.white");
    FAIL() << "no error";
  } catch (const FormatError& error) {
    EXPECT_NE(std::string(error.what()).find("surface checksum"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("made from a different surface"), std::string::npos);
  }
}

TEST(NeighborhoodTable, DamagedFilesAreRefused) {
  ScratchDirectory scratch;
  const NeighborhoodTable table = geodesic_disks(icosphere(2, 40.0), {8.0, GeodesicMethod::fast_marching, 1});
  save_neighborhood_table(table, scratch / "disks.nbhd");
  const std::vector<char> bytes = visalign::testing::read_bytes(scratch / "disks.nbhd");
  auto write = [&](const std::string& name, const std::vector<char>& content) {
    visalign::testing::write_bytes(scratch / name, content);
    return scratch / name;
  };
  auto expect_error = [](const std::filesystem::path& path, const std::string& fragment) {
    try {
      load_neighborhood_table(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const FormatError& error) {
      EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
  };
  expect_error(write("short.nbhd", std::vector<char>(bytes.begin(), bytes.end() - 4)), "size: expected");
  auto garbled = bytes;
  garbled[0] = 'X';
  expect_error(write("garbled.nbhd", garbled), "magic VSNBHD01");
  auto bad_vertex = bytes;
  const std::size_t first_vertex = 48 + 8 * (static_cast<std::size_t>(table.vertex_count) + 1);
  bad_vertex[first_vertex + 3] = 0x7f;
  expect_error(write("bad_vertex.nbhd", bad_vertex), "vertices: expected vertex numbers");
}

}  // namespace
}  // namespace visalign::surface

namespace visalign::surface {
namespace {

TEST(GeodesicDisks, OnARealFlatPatchDistancesAreStraightLines) {
  // The fsaverage5 flattened cortex (medial wall cut away) as a FreeSurfer patch on lh.white:
  // in the plane of the patch, geodesics inside a 3 mm disk are straight lines.
  const auto flat_path = visalign::testing::shared_data("fsaverage5/gifti/lh.flat.gii.gz");
  const auto white_path = visalign::testing::shared_data("fsaverage5/surf/lh.white");
  VISALIGN_REQUIRE_FILE(flat_path);
  VISALIGN_REQUIRE_FILE(white_path);
  const Mesh flat = read_gifti_surface(flat_path);
  std::vector<std::uint8_t> used(static_cast<std::size_t>(flat.vertex_count()), 0);
  for (Eigen::Index f = 0; f < flat.face_count(); ++f) {
    for (int k = 0; k < 3; ++k) used[static_cast<std::size_t>(flat.faces(f, k))] = 1;
  }
  SurfacePatch patch;
  for (std::int32_t v = 0; v < flat.vertex_count(); ++v) {
    if (used[static_cast<std::size_t>(v)] != 0) patch.vertices.push_back(v);
  }
  patch.coordinates.resize(static_cast<Eigen::Index>(patch.vertices.size()), 3);
  for (std::size_t i = 0; i < patch.vertices.size(); ++i) {
    patch.coordinates.row(static_cast<Eigen::Index>(i)) = flat.vertices.row(patch.vertices[i]);
  }
  patch.border.assign(patch.vertices.size(), 0);
  const Mesh on_patch = apply_patch(read_freesurfer_surface(white_path).mesh, patch, "lh.flat patch");
  EXPECT_EQ(on_patch.included_vertex_count(), 9465);

  const NeighborhoodTable table = geodesic_disks(on_patch, {6.0, GeodesicMethod::fast_marching, 2});
  double sum = 0;
  std::size_t pairs = 0;
  for (std::int64_t v = 0; v < table.vertex_count; ++v) {
    EXPECT_EQ(table.disk_size(v) == 0, on_patch.is_excluded(v));
    for (auto i = table.offsets[static_cast<std::size_t>(v)] + 1; i < table.offsets[static_cast<std::size_t>(v) + 1]; ++i) {
      const std::int32_t w = table.vertices[static_cast<std::size_t>(i)];
      const double straight = (on_patch.vertices.row(w) - on_patch.vertices.row(v)).cast<double>().norm();
      const double relative = (table.distances[static_cast<std::size_t>(i)] - straight) / straight;
      EXPECT_GE(relative, -1e-5);  // never shorter than the straight line in the plane
      sum += relative;
      ++pairs;
    }
  }
  std::cout << "fsaverage5 flat patch, 6 mm disks: " << pairs << " pairs, mean excess over the straight line "
            << 100 * sum / static_cast<double>(pairs) << "%\n";
  EXPECT_LT(sum / static_cast<double>(pairs), 0.005);
}

}  // namespace
}  // namespace visalign::surface
