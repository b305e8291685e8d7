// visalign surface geodesic: a geodesic distance map from one vertex.

#include <iostream>
#include <limits>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/surface_input.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/geodesic.hpp"

namespace visalign::apps {

namespace {

struct SurfaceGeodesicOptions {
  SurfaceInput input;
  std::int64_t source = -1;
  double radius_mm = 0;
  std::string method = "fast-marching";
  std::string output;
};

void declare(SurfaceGeodesicOptions& options, CommandDeclaration& declaration) {
  declare_surface_input(options.input, declaration);
  declaration.options.add_options()
      ("source", po::value(&options.source)->required()->value_name("VERTEX"), "source vertex number (0-based)")
      ("radius", po::value(&options.radius_mm)->value_name("MM"),
       "stop at this distance in mm (default: the whole surface); farther vertices get -1")
      ("method", po::value(&options.method)->default_value(options.method),
       "fast-marching (accurate: straight paths across triangles) or dijkstra (along edges only; overestimates "
       "distances by several percent)")
      ("output,o", po::value(&options.output)->required()->value_name("FILE"),
       "distance map: .func.gii / .shape.gii (GIFTI), .mgh / .mgz (FreeSurfer), .vtp (surface with the map), "
       "or any other name for a FreeSurfer curv file");
}

std::string format_millimetres(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void run(const SurfaceGeodesicOptions& options, RunContext& context) {
  context.check_output_location(options.output);
  const surface::GeodesicMethod method = surface::parse_geodesic_method(options.method);
  if (options.radius_mm < 0) throw std::invalid_argument("--radius: expected a positive number of mm");
  const LoadedSurface loaded = load_surface_input(options.input, context);
  if (options.source < 0 || options.source >= loaded.mesh.vertex_count()) {
    throw std::invalid_argument("--source: expected a vertex in [0, " + std::to_string(loaded.mesh.vertex_count()) +
                                ") of " + loaded.description + ", found " + std::to_string(options.source));
  }
  if (loaded.mesh.is_excluded(options.source)) {
    throw std::invalid_argument("--source: vertex " + std::to_string(options.source) + " is outside " + loaded.description);
  }
  const double radius = options.radius_mm > 0 ? options.radius_mm : std::numeric_limits<double>::infinity();
  const surface::GeodesicGraph graph = surface::GeodesicGraph::build(loaded.mesh, loaded.description);
  const Eigen::VectorXf distances =
      surface::geodesic_distance_map(graph, static_cast<std::int32_t>(options.source), radius, method);
  const auto reached = (distances.array() >= 0).count();
  context.provenance().add_note("vertices_reached", reached);
  const surface::SurfaceMap map{"geodesic_distance_from_" + std::to_string(options.source), "mm", distances};
  fmri::write_surface_maps({map}, options.output, &loaded.mesh);
  context.finished_output(options.output);
  std::cout << options.output << ": distances (mm, " << surface::to_string(method) << ") from vertex " << options.source
            << " to " << reached << " vertices"
            << (options.radius_mm > 0 ? " within " + format_millimetres(options.radius_mm) + " mm" : "")
            << '\n';
}

}  // namespace

Command surface_geodesic_command() {
  return make_command<SurfaceGeodesicOptions>(
      {"surface", "geodesic", "geodesic distance map from one vertex (GIFTI, MGH or VTP)",
       "Computes the geodesic distance along the surface from --source to every vertex (or to those within\n"
       "--radius mm) and writes it as a per-vertex map. Vertices not reached get -1, as in Workbench.\n"
       "Example: visalign surface geodesic lh.white --pial lh.pial --source 1234 --radius 10 -o dist.func.gii"},
      declare, run);
}

}  // namespace visalign::apps
