#pragma once
// Synthetic surfaces for tests, benchmarks and the demo: the subdivided icosahedron.

#include "surface/mesh.hpp"

namespace visalign::surface {

/// An icosahedron subdivided `order` times (each triangle into four), projected onto a sphere of
/// `radius_mm` centred at the origin: 10 * 4^order + 2 vertices (order 7: 163,842, the
/// fsaverage count), outward-facing counter-clockwise faces. On it the exact geodesic distance
/// is the great-circle distance. Order 0..9.
Mesh icosphere(int order, double radius_mm);

/// Moves every vertex along its radius by depth_mm / 2 * sin(folds * longitude) * cos(folds * latitude):
/// a smooth pattern of ridges and grooves `depth_mm` deep from crest to trough, so that a synthetic
/// surface is folded like cortex and its geodesics differ from great circles.
void fold_radially(Mesh& mesh, double depth_mm, int folds);

/// Great-circle distance between two vertices of a sphere centred at the origin.
double great_circle_distance(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double radius_mm);

}  // namespace visalign::surface
