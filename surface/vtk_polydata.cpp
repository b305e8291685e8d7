#include "surface/vtk_polydata.hpp"

#include <vtkCallbackCommand.h>
#include <vtkCellArray.h>
#include <vtkCommand.h>
#include <vtkErrorCode.h>
#include <vtkExecutive.h>
#include <vtkFloatArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataWriter.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

#include "surface/atomic_output.hpp"
#include "surface/format_error.hpp"

namespace visalign::surface {

namespace {

// Collects VTK's error messages instead of letting VTK print them (a library never prints).
// VTK's text is "ERROR: In <source file>, line N\n<Class> (0x...): <message>\n..."; only
// <message> is kept. With no client data the message is dropped (pipeline noise).
void collect_vtk_error(vtkObject* /*caller*/, unsigned long /*event*/, void* client_data, void* call_data) {
  if (client_data == nullptr || call_data == nullptr) return;
  std::string message = static_cast<const char*>(call_data);
  if (message.rfind("ERROR: In ", 0) == 0 || message.rfind("Warning: In ", 0) == 0) {
    const std::size_t line_end = message.find('\n');
    message = line_end == std::string::npos ? std::string() : message.substr(line_end + 1);
  }
  message = message.substr(0, message.find('\n'));
  const std::size_t object_end = message.find("): ");
  if (object_end != std::string::npos && message.find(" (0x") < object_end) message = message.substr(object_end + 3);
  if (message.empty()) return;
  auto* messages = static_cast<std::string*>(client_data);
  if (!messages->empty()) *messages += "; ";
  *messages += message;
}

}  // namespace

void write_vtk_polydata(const Mesh& mesh, const std::vector<SurfaceMap>& maps, const std::filesystem::path& path) {
  const std::string file = path.string();
  try {
    validate_mesh(mesh, file);
  } catch (const FormatError& error) {
    throw std::invalid_argument(std::string("cannot write an invalid mesh: ") + error.what());
  }
  const Eigen::Index vertex_count = mesh.vertex_count();
  // Unnamed maps are called map0, map1, ... (by position).
  std::vector<std::string> names;
  std::set<std::string> distinct_names;
  for (std::size_t m = 0; m < maps.size(); ++m) {
    names.push_back(maps[m].name.empty() ? "map" + std::to_string(m) : maps[m].name);
    if (maps[m].values.size() != vertex_count) {
      throw std::invalid_argument(file + ": map " + std::to_string(m) + " (\"" + maps[m].name + "\") has " +
                                  std::to_string(maps[m].values.size()) + " values, expected one per vertex (" +
                                  std::to_string(vertex_count) + ")");
    }
    // VTK replaces an array by a later one of the same name: refuse rather than drop a map.
    if (!distinct_names.insert(names[m]).second) {
      throw std::invalid_argument(file + ": two maps are named \"" + names[m] +
                                  "\"; VTK point-data arrays need distinct names");
    }
  }

  // Every vertex becomes a point, excluded ones of a patch included (no polygon uses them);
  // non-finite coordinates of excluded vertices are written as 0 so that viewers get sane bounds.
  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(vertex_count);
  for (Eigen::Index v = 0; v < vertex_count; ++v) {
    float xyz[3];
    for (int axis = 0; axis < 3; ++axis) {
      xyz[axis] = mesh.vertices(v, axis);
      if (mesh.is_excluded(v) && !std::isfinite(xyz[axis])) xyz[axis] = 0.0f;
    }
    points->SetPoint(v, xyz);
  }

  vtkNew<vtkCellArray> polygons;
  polygons->AllocateExact(mesh.face_count(), 3 * mesh.face_count());
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    const vtkIdType corners[3] = {mesh.faces(f, 0), mesh.faces(f, 1), mesh.faces(f, 2)};
    polygons->InsertNextCell(3, corners);
  }

  vtkNew<vtkPolyData> polydata;
  polydata->SetPoints(points);
  polydata->SetPolys(polygons);
  for (std::size_t m = 0; m < maps.size(); ++m) {
    vtkNew<vtkFloatArray> array;
    const std::string& name = names[m];
    array->SetName(name.c_str());
    array->SetNumberOfComponents(1);
    array->SetNumberOfTuples(vertex_count);
    for (Eigen::Index v = 0; v < vertex_count; ++v) array->SetValue(v, maps[m].values[v]);
    polydata->GetPointData()->AddArray(array);
    if (m == 0) polydata->GetPointData()->SetActiveScalars(name.c_str());
  }

  AtomicOutputFile output(path);
  std::string vtk_errors;
  vtkNew<vtkCallbackCommand> error_collector;
  error_collector->SetCallback(collect_vtk_error);
  error_collector->SetClientData(&vtk_errors);
  vtkNew<vtkCallbackCommand> error_silencer;  // the executive's "returned failure" repeats the writer's error
  error_silencer->SetCallback(collect_vtk_error);

  vtkNew<vtkXMLPolyDataWriter> writer;
  writer->AddObserver(vtkCommand::ErrorEvent, error_collector);
  writer->AddObserver(vtkCommand::WarningEvent, error_collector);
  writer->GetExecutive()->AddObserver(vtkCommand::ErrorEvent, error_silencer);
  writer->SetFileName(output.temporary_path().string().c_str());
  writer->SetInputData(polydata);
  writer->SetDataModeToAppended();
  writer->EncodeAppendedDataOff();
  writer->SetCompressorTypeToZLib();
  // VTK 9.1's Write() can return 1 after failing to open the file: check the error code too.
  const int written = writer->Write();
  if (written != 1 || writer->GetErrorCode() != vtkErrorCode::NoError) {
    throw std::runtime_error(file + ": writing the VTK PolyData file failed" +
                             (vtk_errors.empty() ? std::string() : " (" + vtk_errors + ")"));
  }
  output.commit();
}

}  // namespace visalign::surface
