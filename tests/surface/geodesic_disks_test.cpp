// Searchlight disks and their stored tables.

#include <gtest/gtest.h>

#include <fstream>

#include "surface/format_error.hpp"
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
