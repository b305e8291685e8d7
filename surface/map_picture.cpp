#include "surface/map_picture.hpp"

#include <X11/Xlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPoints.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

namespace visalign::surface {

namespace {

// Colour maps as a few stops, interpolated linearly: ColorBrewer's RdBu (reversed) and a viridis-like ramp.
struct Stop {
  double at, r, g, b;
};
const std::vector<Stop> kDiverging = {{0.0, 5, 48, 97},    {0.2, 67, 147, 195}, {0.4, 209, 229, 240}, {0.5, 247, 247, 247},
                                      {0.6, 253, 219, 199}, {0.8, 214, 96, 77},  {1.0, 103, 0, 31}};
const std::vector<Stop> kSequential = {{0.0, 68, 1, 84}, {0.25, 59, 82, 139}, {0.5, 33, 145, 140}, {0.75, 94, 201, 98}, {1.0, 253, 231, 37}};
constexpr unsigned char kNoData = 190;

}  // namespace

std::array<unsigned char, 3> map_colour(double value, const MapColours& colours) {
  if (!std::isfinite(value) || !(colours.high > colours.low)) return {kNoData, kNoData, kNoData};
  const double t = std::clamp((value - colours.low) / (colours.high - colours.low), 0.0, 1.0);
  const std::vector<Stop>& stops = colours.diverging ? kDiverging : kSequential;
  std::size_t i = 1;
  while (i + 1 < stops.size() && stops[i].at < t) ++i;
  const Stop& a = stops[i - 1];
  const Stop& b = stops[i];
  const double f = (t - a.at) / (b.at - a.at);
  auto mix = [&](double x, double y) { return static_cast<unsigned char>(std::lround(x + f * (y - x))); };
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

bool display_available(std::string& why) {
  const char* name = std::getenv("DISPLAY");
  if (name == nullptr || *name == '\0') {
    why = "no X display (DISPLAY is not set; VTK renders through X: run under xvfb-run, or install xvfb)";
    return false;
  }
  Display* display = XOpenDisplay(nullptr);
  if (display == nullptr) {
    why = std::string("the X display ") + name + " cannot be opened";
    return false;
  }
  XCloseDisplay(display);
  return true;
}

std::string render_map_png(const Mesh& mesh, const Eigen::Ref<const Eigen::VectorXf>& values, const MapColours& colours, const MapPictureView& view) {
  if (values.size() != mesh.vertex_count()) {
    throw std::invalid_argument("map picture: expected " + std::to_string(mesh.vertex_count()) + " values (one per vertex), found " +
                                std::to_string(values.size()));
  }
  std::string why;
  if (!display_available(why)) throw std::runtime_error("map picture: " + why);

  vtkNew<vtkPoints> points;
  points->SetNumberOfPoints(mesh.vertex_count());
  vtkNew<vtkUnsignedCharArray> rgb;
  rgb->SetNumberOfComponents(3);
  rgb->SetNumberOfTuples(mesh.vertex_count());
  rgb->SetName("colours");
  for (Eigen::Index v = 0; v < mesh.vertex_count(); ++v) {
    points->SetPoint(v, mesh.vertices(v, 0), mesh.vertices(v, 1), mesh.vertices(v, 2));
    const auto colour = mesh.is_excluded(v) ? std::array<unsigned char, 3>{kNoData, kNoData, kNoData} : map_colour(values(v), colours);
    rgb->SetTypedTuple(v, colour.data());
  }
  vtkNew<vtkCellArray> triangles;
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    const vtkIdType ids[3] = {mesh.faces(f, 0), mesh.faces(f, 1), mesh.faces(f, 2)};
    triangles->InsertNextCell(3, ids);
  }
  vtkNew<vtkPolyData> surface;
  surface->SetPoints(points);
  surface->SetPolys(triangles);
  surface->GetPointData()->SetScalars(rgb);
  vtkNew<vtkPolyDataNormals> normals;  // smooth shading
  normals->SetInputData(surface);
  normals->SplittingOff();
  normals->ConsistencyOn();

  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(normals->GetOutputPort());
  mapper->SetColorModeToDirectScalars();
  mapper->ScalarVisibilityOn();
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetAmbient(view.parallel ? 1.0 : 0.25);  // a flat patch is shown as it is, unshaded
  actor->GetProperty()->SetDiffuse(view.parallel ? 0.0 : 0.8);
  actor->GetProperty()->SetSpecular(0.0);

  vtkNew<vtkRenderer> renderer;
  renderer->AddActor(actor);
  renderer->SetBackground(1, 1, 1);
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(view.width, view.height);
  window->AddRenderer(renderer);

  double bounds[6];
  surface->GetBounds(bounds);
  const double centre[3] = {(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2};
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->SetFocalPoint(centre);
  camera->SetPosition(centre[0] + view.direction[0], centre[1] + view.direction[1], centre[2] + view.direction[2]);
  camera->SetViewUp(view.up.data());
  camera->SetParallelProjection(view.parallel ? 1 : 0);
  renderer->ResetCamera();
  camera->Zoom(view.zoom);
  window->Render();

  vtkNew<vtkWindowToImageFilter> capture;
  capture->SetInput(window);
  capture->SetInputBufferTypeToRGB();
  capture->ReadFrontBufferOff();
  capture->Update();
  vtkNew<vtkPNGWriter> writer;
  writer->SetInputConnection(capture->GetOutputPort());
  writer->WriteToMemoryOn();
  writer->Write();
  vtkUnsignedCharArray* png = writer->GetResult();
  return std::string(reinterpret_cast<const char*>(png->GetPointer(0)), static_cast<std::size_t>(png->GetNumberOfTuples()));
}

}  // namespace visalign::surface
