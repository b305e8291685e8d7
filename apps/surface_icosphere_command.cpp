// visalign surface icosphere: a synthetic surface (subdivided icosahedron), optionally folded.

#include <iostream>

#include "apps/commands.hpp"
#include "surface/icosphere.hpp"
#include "surface/surface_file.hpp"

namespace visalign::apps {

namespace {

struct SurfaceIcosphereOptions {
  int order = 5;
  double radius_mm = 100.0;
  double folding_mm = 0.0;
  int folds = 8;
  std::string output;
};

void declare(SurfaceIcosphereOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("order", po::value(&options.order)->default_value(options.order),
       "subdivisions of the icosahedron: 10*4^order+2 vertices (5: 10,242 as fsaverage5; 7: 163,842 as fsaverage)")
      ("radius", po::value(&options.radius_mm)->default_value(options.radius_mm)->value_name("MM"), "sphere radius in mm")
      ("folding", po::value(&options.folding_mm)->default_value(options.folding_mm)->value_name("MM"),
       "depth of cortex-like folds (radial ridges and grooves) in mm; 0 keeps the exact sphere")
      ("folds", po::value(&options.folds)->default_value(options.folds),
       "number of folds around the sphere (with --folding)")
      ("output,o", po::value(&options.output)->required()->value_name("FILE"),
       "surface file: .surf.gii/.gii GIFTI, .vtp, or any other name for FreeSurfer binary");
}

void run(const SurfaceIcosphereOptions& options, RunContext& context) {
  context.check_output_location(options.output);
  surface::Mesh mesh = surface::icosphere(options.order, options.radius_mm);
  if (options.folding_mm != 0) surface::fold_radially(mesh, options.folding_mm, options.folds);
  surface::write_surface(mesh, options.output);
  context.finished_output(options.output);
  std::cout << options.output << ": icosphere of order " << options.order << ", " << mesh.vertex_count()
            << " vertices, radius " << options.radius_mm << " mm"
            << (options.folding_mm != 0 ? ", folds " + std::to_string(options.folding_mm) + " mm deep" : "") << '\n';
}

}  // namespace

Command surface_icosphere_command() {
  return make_command<SurfaceIcosphereOptions>(
      {"surface", "icosphere", "synthetic surface: a subdivided icosahedron, optionally with cortex-like folds",
       "Makes a sphere-shaped triangle mesh in the fsaverage vertex counts, for trying the pipeline and for\n"
       "tests: on the exact sphere (--folding 0) geodesic distances are great-circle distances."},
      declare, run);
}

}  // namespace visalign::apps
