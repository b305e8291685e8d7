#pragma once
// Pictures of per-vertex maps on a surface (the study's cortical similarity maps): the mesh coloured by
// the values through a colour map, lit, rendered offscreen with VTK and returned as PNG bytes. Debian's
// VTK renders through X even offscreen, so a picture needs an X display (Xvfb will do): without one,
// or when it cannot be opened, the functions throw instead of letting VTK abort the process.

#include <Eigen/Core>

#include <array>
#include <string>

#include "surface/mesh.hpp"

namespace visalign::surface {

struct MapPictureView {
  int width = 420, height = 320;  // pixels
  /// The camera looks at the mesh's bounding-box centre from this direction (from the centre to the
  /// camera) with this up vector; flat patches are seen from +z with a parallel projection.
  std::array<double, 3> direction{0, 0, 1}, up{0, 1, 0};
  bool parallel = false;
  double zoom = 1.0;
};

struct MapColours {
  double low = -1, high = 1;    // the values at the two ends of the colour map (clamped beyond)
  bool diverging = true;        // blue - white - red (else a sequential dark-to-yellow map)
};

/// The RGB colour of `value` on the colour map (0..255 each); NaN gives the no-data grey.
std::array<unsigned char, 3> map_colour(double value, const MapColours& colours);

/// Whether an X display can be opened (DISPLAY set and reachable); `why` says what is wrong otherwise.
bool display_available(std::string& why);

/// PNG bytes of `mesh` coloured by `values` (#V; NaN, and excluded vertices, are grey) seen from `view`.
/// std::invalid_argument for a value count that is not #V; std::runtime_error when no X display can be opened.
std::string render_map_png(const Mesh& mesh, const Eigen::Ref<const Eigen::VectorXf>& values, const MapColours& colours, const MapPictureView& view);

}  // namespace visalign::surface
