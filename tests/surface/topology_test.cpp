// Topology, mid-thickness and icosphere construction.

#include <gtest/gtest.h>

#include <set>

#include <Eigen/Geometry>

#include "surface/format_error.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/icosphere.hpp"
#include "surface/mid_thickness.hpp"
#include "surface/topology.hpp"
#include "tests/test_data.hpp"

namespace visalign::surface {
namespace {

TEST(Icosphere, VertexCountsAndClosedSphereTopology) {
  for (int order = 0; order <= 5; ++order) {
    const Mesh sphere = icosphere(order, 100.0);
    const Eigen::Index expected = 10 * (Eigen::Index{1} << (2 * order)) + 2;
    EXPECT_EQ(sphere.vertex_count(), expected);
    EXPECT_EQ(sphere.face_count(), 2 * (expected - 2));
    const MeshTopology topology = mesh_topology(sphere);
    EXPECT_EQ(topology.euler_characteristic, 2);
    EXPECT_TRUE(topology.boundary_loops.empty());
    EXPECT_EQ(topology.nonmanifold_edge_count, 0);
    EXPECT_EQ(static_cast<Eigen::Index>(topology.edges.size()), 3 * sphere.face_count() / 2);
    for (Eigen::Index v = 0; v < sphere.vertex_count(); ++v) {
      EXPECT_NEAR(sphere.vertices.row(v).cast<double>().norm(), 100.0, 1e-4);
    }
  }
  // Faces point outwards: the normal of each triangle agrees with its centre's direction.
  const Mesh sphere = icosphere(3, 1.0);
  for (Eigen::Index f = 0; f < sphere.face_count(); ++f) {
    const Eigen::Vector3d a = sphere.vertices.row(sphere.faces(f, 0)).cast<double>();
    const Eigen::Vector3d b = sphere.vertices.row(sphere.faces(f, 1)).cast<double>();
    const Eigen::Vector3d c = sphere.vertices.row(sphere.faces(f, 2)).cast<double>();
    EXPECT_GT((b - a).cross(c - a).dot(a + b + c), 0);
  }
}

TEST(Topology, OneRingsAreSymmetricAndMatchEdges) {
  const Mesh sphere = icosphere(2, 1.0);
  const MeshTopology topology = mesh_topology(sphere);
  std::set<std::pair<int, int>> edges;
  for (const auto& [a, b] : topology.edges) edges.insert({a, b});
  for (Eigen::Index v = 0; v < sphere.vertex_count(); ++v) {
    const auto begin = topology.neighbor_offsets[static_cast<std::size_t>(v)];
    const auto end = topology.neighbor_offsets[static_cast<std::size_t>(v) + 1];
    EXPECT_TRUE(end - begin == 5 || end - begin == 6);  // icosahedral valences
    for (auto i = begin; i < end; ++i) {
      const int w = topology.neighbors[static_cast<std::size_t>(i)];
      EXPECT_EQ(edges.count({std::min<int>(v, w), std::max<int>(v, w)}), 1u);
    }
  }
}

TEST(Topology, BoundaryLoopsOfACutSphere) {
  // Remove the faces around two opposite vertices: two holes, Euler characteristic 0 (a tube)
  // once the two isolated vertices are marked excluded.
  Mesh sphere = icosphere(2, 1.0);
  Mesh cut = sphere;
  std::vector<Eigen::Index> keep;
  const int hole_a = 0, hole_b = 3;  // icosahedron vertices 0 and 3 are antipodal
  for (Eigen::Index f = 0; f < sphere.face_count(); ++f) {
    bool touches = false;
    for (int k = 0; k < 3; ++k) touches = touches || sphere.faces(f, k) == hole_a || sphere.faces(f, k) == hole_b;
    if (!touches) keep.push_back(f);
  }
  cut.faces.resize(static_cast<Eigen::Index>(keep.size()), 3);
  for (std::size_t i = 0; i < keep.size(); ++i) cut.faces.row(static_cast<Eigen::Index>(i)) = sphere.faces.row(keep[i]);
  cut.excluded.assign(static_cast<std::size_t>(cut.vertex_count()), 0);
  cut.excluded[hole_a] = cut.excluded[hole_b] = 1;
  const MeshTopology topology = mesh_topology(cut);
  ASSERT_EQ(topology.boundary_loops.size(), 2u);
  EXPECT_EQ(topology.boundary_loops[0].size(), 5u);  // the five neighbours of an icosahedron vertex
  EXPECT_EQ(topology.boundary_loops[1].size(), 5u);
  EXPECT_EQ(topology.boundary_edge_count, 10);
  EXPECT_EQ(topology.euler_characteristic, 0);
}

TEST(Topology, Fsaverage5WhiteIsAClosedSphere) {
  const auto path = visalign::testing::shared_data("fsaverage5/surf/lh.white");
  VISALIGN_REQUIRE_FILE(path);
  const MeshTopology topology = mesh_topology(read_freesurfer_surface(path).mesh);
  EXPECT_EQ(topology.euler_characteristic, 2);
  EXPECT_TRUE(topology.boundary_loops.empty());
  EXPECT_EQ(topology.edges.size(), 30720u);
}

TEST(MidThickness, AveragesWhiteAndPial) {
  const Mesh white = icosphere(2, 10.0);
  const Mesh pial = icosphere(2, 13.0);
  const Mesh middle = mid_thickness_surface(white, "lh.white", pial, "lh.pial");
  EXPECT_EQ(middle.faces, white.faces);
  for (Eigen::Index v = 0; v < middle.vertex_count(); ++v) {
    EXPECT_NEAR(middle.vertices.row(v).cast<double>().norm(), 11.5, 1e-4);
  }
}

TEST(MidThickness, DifferentVertexCountsNameTheFiles) {
  try {
    mid_thickness_surface(icosphere(2, 10.0), "lh.white", icosphere(3, 13.0), "lh.pial");
    FAIL() << "no error";
  } catch (const FormatError& error) {
    EXPECT_STREQ(error.what(), "lh.pial: vertex count: expected 162 (as in lh.white), found 642");
  }
  Mesh pial = icosphere(2, 13.0);
  std::swap(pial.faces(0, 0), pial.faces(0, 1));
  EXPECT_THROW(mid_thickness_surface(icosphere(2, 10.0), "lh.white", pial, "lh.pial"), FormatError);
}

}  // namespace
}  // namespace visalign::surface
