#include "surface/icosphere.hpp"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace visalign::surface {

Mesh icosphere(int order, double radius_mm) {
  if (order < 0 || order > 9) throw std::invalid_argument("icosphere: order must be in 0..9, got " + std::to_string(order));
  if (!(radius_mm > 0)) throw std::invalid_argument("icosphere: radius must be positive");
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<Eigen::Vector3d> points = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
                                         {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  for (auto& p : points) p.normalize();
  std::vector<std::array<std::int32_t, 3>> faces = {
      {0, 11, 5}, {0, 5, 1}, {0, 1, 7}, {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
      {3, 9, 4}, {3, 4, 2}, {3, 2, 6}, {3, 6, 8}, {3, 8, 9}, {4, 9, 5}, {2, 4, 11}, {6, 2, 10}, {8, 6, 7}, {9, 8, 1}};
  for (int level = 0; level < order; ++level) {
    std::unordered_map<std::uint64_t, std::int32_t> midpoints;
    midpoints.reserve(faces.size() * 2);
    auto midpoint = [&](std::int32_t a, std::int32_t b) {
      const std::uint64_t key = (static_cast<std::uint64_t>(std::min(a, b)) << 32) | static_cast<std::uint32_t>(std::max(a, b));
      const auto found = midpoints.find(key);
      if (found != midpoints.end()) return found->second;
      points.push_back((points[static_cast<std::size_t>(a)] + points[static_cast<std::size_t>(b)]).normalized());
      const auto index = static_cast<std::int32_t>(points.size() - 1);
      midpoints.emplace(key, index);
      return index;
    };
    std::vector<std::array<std::int32_t, 3>> refined;
    refined.reserve(faces.size() * 4);
    for (const auto& [a, b, c] : faces) {
      const std::int32_t ab = midpoint(a, b), bc = midpoint(b, c), ca = midpoint(c, a);
      refined.push_back({a, ab, ca});
      refined.push_back({b, bc, ab});
      refined.push_back({c, ca, bc});
      refined.push_back({ab, bc, ca});
    }
    faces = std::move(refined);
  }
  Mesh mesh;
  mesh.vertices.resize(static_cast<Eigen::Index>(points.size()), 3);
  for (std::size_t i = 0; i < points.size(); ++i) {
    mesh.vertices.row(static_cast<Eigen::Index>(i)) = (points[i] * radius_mm).cast<float>().transpose();
  }
  mesh.faces.resize(static_cast<Eigen::Index>(faces.size()), 3);
  for (std::size_t f = 0; f < faces.size(); ++f) {
    for (int k = 0; k < 3; ++k) mesh.faces(static_cast<Eigen::Index>(f), k) = faces[f][static_cast<std::size_t>(k)];
  }
  return mesh;
}

void fold_radially(Mesh& mesh, double depth_mm, int folds) {
  for (Eigen::Index v = 0; v < mesh.vertex_count(); ++v) {
    const Eigen::Vector3d position = mesh.vertices.row(v).cast<double>();
    const double radius = position.norm();
    if (radius == 0) continue;
    const double longitude = std::atan2(position.y(), position.x());
    const double latitude = std::asin(std::clamp(position.z() / radius, -1.0, 1.0));
    const double pattern = std::sin(folds * longitude) * std::cos(folds * latitude);
    const double scale = (radius + 0.5 * depth_mm * pattern) / radius;
    mesh.vertices.row(v) = (position * scale).cast<float>().transpose();
  }
}

double great_circle_distance(const Eigen::Vector3d& a, const Eigen::Vector3d& b, double radius_mm) {
  // atan2 of |a x b| and a.b is accurate for small and large angles alike.
  return radius_mm * std::atan2(a.cross(b).norm(), a.dot(b));
}

}  // namespace visalign::surface
