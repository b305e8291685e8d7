#include "surface/surface_file.hpp"

#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"
#include "surface/freesurfer_curv.hpp"
#include "surface/freesurfer_surface.hpp"
#include "surface/gifti.hpp"
#include "surface/vtk_polydata.hpp"

namespace visalign::surface {

namespace {
bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Mesh read_surface(const std::filesystem::path& path) {
  const std::vector<char> bytes = read_file_bytes(path);
  if (looks_like_freesurfer_surface(bytes)) return read_freesurfer_surface(path).mesh;
  if (looks_like_gifti(bytes)) return read_gifti_surface(path);
  if (looks_like_freesurfer_curv(bytes)) {
    throw FormatError(path.string(), "format: this is a FreeSurfer per-vertex (curv) file, not a surface");
  }
  throw FormatError(path.string(), "format: expected a FreeSurfer triangle surface (magic 0xFFFFFE) or a GIFTI "
                                   "surface (XML), found neither");
}

SurfaceFormat surface_format_for_output(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  if (ends_with(name, ".gii") || ends_with(name, ".gii.gz")) return SurfaceFormat::gifti;
  if (ends_with(name, ".vtp")) return SurfaceFormat::vtk_polydata;
  return SurfaceFormat::freesurfer;
}

void write_surface(const Mesh& mesh, const std::filesystem::path& path) {
  switch (surface_format_for_output(path)) {
    case SurfaceFormat::gifti:
      write_gifti_surface(mesh, path);
      return;
    case SurfaceFormat::vtk_polydata:
      write_vtk_polydata(mesh, {}, path);
      return;
    case SurfaceFormat::freesurfer:
      write_freesurfer_surface(mesh, path);
      return;
  }
}

std::string to_string(SurfaceFormat format) {
  switch (format) {
    case SurfaceFormat::gifti:
      return "GIFTI";
    case SurfaceFormat::vtk_polydata:
      return "VTK PolyData";
    case SurfaceFormat::freesurfer:
      return "FreeSurfer";
  }
  return "unknown";
}

}  // namespace visalign::surface
