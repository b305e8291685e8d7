#include "apps/surface_input.hpp"

#include "surface/freesurfer_patch.hpp"
#include "surface/mid_thickness.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"

namespace visalign::apps {

void declare_surface_input(SurfaceInput& input, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("surface", po::value(&input.surface)->required()->value_name("FILE"),
       "cortical surface: FreeSurfer binary (lh.white, lh.pial, lh.inflated, lh.sphere, ...) or GIFTI "
       "(.surf.gii, .gii, .gii.gz); with --pial this is the white surface")
      ("pial", po::value(&input.pial)->value_name("FILE"),
       "pial surface: work on the mid-thickness surface, halfway between --surface (white) and this")
      ("patch", po::value(&input.patch)->value_name("FILE"),
       "FreeSurfer patch (e.g. lh.cortex.patch.flat): use the patch's coordinates and only the triangles "
       "inside it; vertex numbers stay those of --surface");
  declaration.positional.add("surface", 1);
}

LoadedSurface load_surface_input(const SurfaceInput& input, RunContext& context) {
  if (!input.pial.empty() && !input.patch.empty()) {
    throw std::invalid_argument("--pial and --patch: give one of them (a patch carries its own coordinates)");
  }
  LoadedSurface loaded;
  context.provenance().add_input(input.surface);
  loaded.mesh = surface::read_surface(input.surface);
  loaded.description = input.surface;
  if (!input.pial.empty()) {
    context.provenance().add_input(input.pial);
    const surface::Mesh pial = surface::read_surface(input.pial);
    loaded.mesh = surface::mid_thickness_surface(loaded.mesh, input.surface, pial, input.pial);
    loaded.description = "mid-thickness of " + input.surface + " and " + input.pial;
  }
  if (!input.patch.empty()) {
    context.provenance().add_input(input.patch);
    loaded.mesh = surface::apply_patch(loaded.mesh, surface::read_freesurfer_patch(input.patch), input.patch);
    loaded.description = input.patch + " on " + input.surface;
  }
  return loaded;
}

}  // namespace visalign::apps
