#pragma once
// One value per vertex: curvature, thickness, a distance map, a similarity map.

#include <Eigen/Core>

#include <string>

namespace visalign::surface {

struct SurfaceMap {
  std::string name;        // e.g. "geodesic_distance", "curv"
  std::string units;       // e.g. "mm"; empty when unitless
  Eigen::VectorXf values;  // #V
};

}  // namespace visalign::surface
