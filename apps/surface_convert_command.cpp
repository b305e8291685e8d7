// visalign surface convert: surfaces, patches and per-vertex maps between FreeSurfer, GIFTI,
// MGH and VTK PolyData.

#include <algorithm>
#include <iostream>

#include "apps/commands.hpp"
#include "fmri/mgh.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/file_bytes.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/gifti.hpp"
#include "surface/surface_file.hpp"
#include "surface/surface_patch.hpp"
#include "surface/vtk_polydata.hpp"

namespace visalign::apps {

namespace {

struct SurfaceConvertOptions {
  std::string input;
  std::string output;
  std::string surface;
  std::vector<std::string> maps;
};

void declare(SurfaceConvertOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("input", po::value(&options.input)->required()->value_name("FILE"),
       "a surface (FreeSurfer binary or GIFTI), a FreeSurfer patch (needs --surface), or per-vertex data "
       "(FreeSurfer curv, GIFTI .shape.gii/.func.gii, MGH/MGZ)")
      ("output", po::value(&options.output)->required()->value_name("FILE"),
       "format by name: .surf.gii/.gii/.gii.gz GIFTI, .vtp VTK PolyData, .mgh/.mgz MGH (data), "
       "anything else FreeSurfer (surface, or curv for one map)")
      ("surface", po::value(&options.surface)->value_name("FILE"),
       "the full surface a patch belongs to, or the surface to draw per-vertex data on for a .vtp output")
      ("map", po::value(&options.maps)->composing()->value_name("FILE"),
       "per-vertex data to attach to a .vtp surface output as point arrays (repeatable)");
  declaration.positional.add("input", 1).add("output", 1);
}

enum class InputKind { surface, patch, maps };

InputKind input_kind(const std::string& path) {
  const std::vector<char> bytes = surface::read_file_bytes(path);
  if (bytes.size() >= 4 && std::all_of(bytes.begin(), bytes.begin() + 4,
                                       [](char c) { return static_cast<unsigned char>(c) == 0xFF; })) {
    return InputKind::patch;
  }
  if (surface::looks_like_freesurfer_surface(bytes)) return InputKind::surface;
  if (surface::looks_like_gifti(bytes)) {
    const surface::GiftiFile gifti = surface::read_gifti(path);
    const bool has_pointset = std::any_of(gifti.arrays.begin(), gifti.arrays.end(),
                                          [](const surface::GiftiArray& a) { return a.intent == "NIFTI_INTENT_POINTSET"; });
    return has_pointset ? InputKind::surface : InputKind::maps;
  }
  return InputKind::maps;
}

std::vector<surface::SurfaceMap> read_attached_maps(const std::vector<std::string>& files, RunContext& context) {
  std::vector<surface::SurfaceMap> maps;
  for (const std::string& file : files) {
    context.provenance().add_input(file);
    for (auto& map : fmri::read_surface_maps(file)) maps.push_back(std::move(map));
  }
  return maps;
}

void run(const SurfaceConvertOptions& options, RunContext& context) {
  context.check_output_location(options.output);
  context.provenance().add_input(options.input);
  const InputKind kind = input_kind(options.input);
  if (kind == InputKind::maps) {
    std::vector<surface::SurfaceMap> maps = fmri::read_surface_maps(options.input);
    if (!options.maps.empty()) throw std::invalid_argument("--map: only a surface input takes extra maps");
    std::optional<surface::Mesh> mesh;
    if (!options.surface.empty()) {
      context.provenance().add_input(options.surface);
      mesh = surface::read_surface(options.surface);
    }
    fmri::write_surface_maps(maps, options.output, mesh ? &*mesh : nullptr);
    context.finished_output(options.output);
    std::cout << options.output << ": " << maps.size() << " map(s) of " << maps.front().values.size() << " values\n";
    return;
  }
  surface::Mesh mesh;
  if (kind == InputKind::patch) {
    if (options.surface.empty()) {
      throw std::invalid_argument(options.input + " is a FreeSurfer patch: give the full surface it was cut from with --surface");
    }
    context.provenance().add_input(options.surface);
    mesh = surface::apply_patch(surface::read_surface(options.surface), surface::read_freesurfer_patch(options.input),
                                options.input);
  } else {
    mesh = surface::read_surface(options.input);
  }
  const std::vector<surface::SurfaceMap> maps = read_attached_maps(options.maps, context);
  if (!maps.empty() && surface::surface_format_for_output(options.output) != surface::SurfaceFormat::vtk_polydata) {
    throw std::invalid_argument("--map: per-vertex arrays can only be attached to a .vtp output");
  }
  if (!maps.empty()) {
    fmri::write_surface_maps(maps, options.output, &mesh);
  } else {
    surface::write_surface(mesh, options.output);
  }
  context.finished_output(options.output);
  std::cout << options.output << ": " << surface::to_string(surface::surface_format_for_output(options.output))
            << " surface, " << mesh.vertex_count() << " vertices, " << mesh.face_count() << " faces\n";
}

}  // namespace

Command surface_convert_command() {
  return make_command<SurfaceConvertOptions>(
      {"surface", "convert", "convert surfaces, patches and per-vertex maps (FreeSurfer, GIFTI, MGH, VTP)",
       "The input format is recognised from the file's content, the output format from its name.\n"
       "Examples:\n"
       "  visalign surface convert lh.white lh.white.surf.gii\n"
       "  visalign surface convert lh.cortex.patch.flat lh.flat.surf.gii --surface lh.white\n"
       "  visalign surface convert lh.thickness lh.thickness.shape.gii\n"
       "  visalign surface convert lh.inflated lh.inflated.vtp --map lh.curv --map lh.thickness"},
      declare, run);
}

}  // namespace visalign::apps
