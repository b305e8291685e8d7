#pragma once
// The surface a command works on, named the same way by every command: --surface (FreeSurfer or
// GIFTI), optionally --pial to use the mid-thickness between the two, or --patch to use a
// FreeSurfer patch (e.g. a flattened cortex) applied to the surface.

#include <string>

#include "apps/command.hpp"
#include "surface/mesh.hpp"

namespace visalign::apps {

struct SurfaceInput {
  std::string surface;
  std::string pial;
  std::string patch;
};

/// Declares --surface (also the first positional argument), --pial and --patch.
void declare_surface_input(SurfaceInput& input, CommandDeclaration& declaration);

struct LoadedSurface {
  surface::Mesh mesh;
  std::string description;  // e.g. "mid-thickness of lh.white and lh.pial"
};

/// Reads and combines the files, recording them as inputs of the run. Errors name the file.
LoadedSurface load_surface_input(const SurfaceInput& input, RunContext& context);

}  // namespace visalign::apps
