// VTK XML PolyData output, read back with VTK's own reader.

#include "surface/vtk_polydata.hpp"

#include <gtest/gtest.h>

#include <vtkCellArray.h>
#include <vtkDataArray.h>
#include <vtkFloatArray.h>
#include <vtkIdList.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataReader.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>


#include "surface/mesh.hpp"
#include "tests/scratch_directory.hpp"
#include "surface/surface_map.hpp"

namespace {

namespace fs = std::filesystem;
using visalign::surface::Mesh;
using visalign::surface::SurfaceMap;

class VtkPolyDataFiles : public ::testing::Test {
 protected:
  fs::path file(const std::string& name) const { return scratch_ / name; }
  std::size_t entry_count() const { return scratch_.entries().size(); }

  visalign::testing::ScratchDirectory scratch_;
};

// A square pyramid without its base, plus one excluded vertex (a patch) with no coordinates.
Mesh pyramid_patch() {
  Mesh mesh;
  mesh.vertices.resize(6, 3);
  mesh.vertices << 0.0f, 0.0f, 0.0f,  //
      1.0f, 0.0f, 0.0f,               //
      1.0f, 1.0f, 0.0f,               //
      0.0f, 1.0f, 0.0f,               //
      0.5f, 0.5f, 0.75f,              //
      std::numeric_limits<float>::quiet_NaN(), 0.0f, 0.0f;
  mesh.faces.resize(4, 3);
  mesh.faces << 0, 1, 4,  //
      1, 2, 4,            //
      2, 3, 4,            //
      3, 0, 4;
  mesh.excluded = {0, 0, 0, 0, 0, 1};
  return mesh;
}

std::vector<SurfaceMap> two_maps() {
  std::vector<SurfaceMap> maps(2);
  maps[0].name = "geodesic_distance";
  maps[0].units = "mm";
  maps[0].values.resize(6);
  maps[0].values << 0.0f, 1.0f, 1.41421354f, 1.0f, 0.9f, -1.0f;
  maps[1].name = "similarity";
  maps[1].values.resize(6);
  maps[1].values << 0.25f, -0.5f, 1e-20f, 3.0e30f, 0.0f, 7.0f;
  return maps;
}

TEST_F(VtkPolyDataFiles, PointsPolygonsAndMapsReadBackWithVtk) {
  const Mesh mesh = pyramid_patch();
  const std::vector<SurfaceMap> maps = two_maps();
  const fs::path path = file("pyramid.vtp");
  visalign::surface::write_vtk_polydata(mesh, maps, path);
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(1u, entry_count()) << "no temporary file left behind";

  std::ifstream stream(path, std::ios::binary);
  std::stringstream text;
  text << stream.rdbuf();
  const std::string contents = text.str();
  EXPECT_NE(std::string::npos, contents.find("compressor=\"vtkZLibDataCompressor\""));
  EXPECT_NE(std::string::npos, contents.find("format=\"appended\""));
  EXPECT_NE(std::string::npos, contents.find("<AppendedData encoding=\"raw\">"));

  vtkNew<vtkXMLPolyDataReader> reader;
  reader->SetFileName(path.string().c_str());
  reader->Update();
  vtkPolyData* polydata = reader->GetOutput();
  ASSERT_NE(nullptr, polydata);

  // Every vertex is a point, the excluded one too (its missing coordinates written as 0).
  ASSERT_EQ(6, polydata->GetNumberOfPoints());
  for (vtkIdType v = 0; v < 6; ++v) {
    double point[3];
    polydata->GetPoint(v, point);
    for (int axis = 0; axis < 3; ++axis) {
      const float expected = v == 5 && axis == 0 ? 0.0f : mesh.vertices(v, axis);
      EXPECT_EQ(expected, static_cast<float>(point[axis])) << "vertex " << v << " axis " << axis;
    }
  }
  EXPECT_EQ(VTK_FLOAT, polydata->GetPoints()->GetDataType());

  ASSERT_EQ(4, polydata->GetNumberOfPolys());
  EXPECT_EQ(0, polydata->GetNumberOfVerts());
  EXPECT_EQ(0, polydata->GetNumberOfLines());
  vtkCellArray* polygons = polydata->GetPolys();
  vtkNew<vtkIdList> corners;
  for (vtkIdType f = 0; f < 4; ++f) {
    polygons->GetCellAtId(f, corners);
    ASSERT_EQ(3, corners->GetNumberOfIds());
    for (int corner = 0; corner < 3; ++corner) EXPECT_EQ(mesh.faces(f, corner), corners->GetId(corner));
  }

  vtkPointData* point_data = polydata->GetPointData();
  ASSERT_EQ(2, point_data->GetNumberOfArrays());
  for (const SurfaceMap& map : maps) {
    SCOPED_TRACE(map.name);
    vtkDataArray* array = point_data->GetArray(map.name.c_str());
    ASSERT_NE(nullptr, array);
    EXPECT_EQ(VTK_FLOAT, array->GetDataType());
    EXPECT_EQ(1, array->GetNumberOfComponents());
    ASSERT_EQ(6, array->GetNumberOfTuples());
    for (vtkIdType v = 0; v < 6; ++v) EXPECT_EQ(map.values[v], static_cast<float>(array->GetTuple1(v)));
  }
  ASSERT_NE(nullptr, point_data->GetScalars());
  EXPECT_STREQ("geodesic_distance", point_data->GetScalars()->GetName());
}

TEST_F(VtkPolyDataFiles, MeshWithoutMapsAndUnnamedMaps) {
  Mesh mesh = pyramid_patch();
  mesh.vertices(5, 0) = 2.0f;
  mesh.excluded.clear();
  visalign::surface::write_vtk_polydata(mesh, {}, file("plain.vtp"));
  std::vector<SurfaceMap> maps(2);
  maps[0].values = Eigen::VectorXf::Constant(6, 1.0f);
  maps[1].values = Eigen::VectorXf::Constant(6, 2.0f);
  visalign::surface::write_vtk_polydata(mesh, maps, file("unnamed.vtp"));

  vtkNew<vtkXMLPolyDataReader> reader;
  reader->SetFileName(file("plain.vtp").string().c_str());
  reader->Update();
  EXPECT_EQ(6, reader->GetOutput()->GetNumberOfPoints());
  EXPECT_EQ(0, reader->GetOutput()->GetPointData()->GetNumberOfArrays());

  vtkNew<vtkXMLPolyDataReader> unnamed_reader;
  unnamed_reader->SetFileName(file("unnamed.vtp").string().c_str());
  unnamed_reader->Update();
  vtkPointData* point_data = unnamed_reader->GetOutput()->GetPointData();
  ASSERT_NE(nullptr, point_data->GetArray("map0"));
  ASSERT_NE(nullptr, point_data->GetArray("map1"));
  EXPECT_EQ(2.0, point_data->GetArray("map1")->GetTuple1(3));
}

TEST_F(VtkPolyDataFiles, RejectsMapsThatDoNotFitTheMesh) {
  const Mesh mesh = pyramid_patch();
  std::vector<SurfaceMap> maps = two_maps();
  maps[1].values.resize(5);
  EXPECT_THROW(visalign::surface::write_vtk_polydata(mesh, maps, file("short.vtp")), std::invalid_argument);
  maps = two_maps();
  maps[1].name = maps[0].name;
  EXPECT_THROW(visalign::surface::write_vtk_polydata(mesh, maps, file("duplicate.vtp")), std::invalid_argument);
  Mesh broken = mesh;
  broken.faces(0, 0) = 5;  // an excluded vertex
  EXPECT_THROW(visalign::surface::write_vtk_polydata(broken, {}, file("broken.vtp")), std::invalid_argument);
  EXPECT_EQ(0u, entry_count());
}

TEST_F(VtkPolyDataFiles, FailedWriteThrowsAndLeavesNothingBehind) {
  const Mesh mesh = pyramid_patch();
  try {
    visalign::surface::write_vtk_polydata(mesh, two_maps(), file("missing/pyramid.vtp"));
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(std::string::npos, message.find("pyramid.vtp")) << message;
    EXPECT_NE(std::string::npos, message.find("writing the VTK PolyData file failed (Error opening output file"))
        << message;
  }
  EXPECT_EQ(0u, entry_count());
  fs::create_directory(file("occupied.vtp"));
  EXPECT_THROW(visalign::surface::write_vtk_polydata(mesh, two_maps(), file("occupied.vtp")), std::runtime_error);
  EXPECT_EQ(1u, entry_count()) << "only the folder that blocked the output";
}

}  // namespace
