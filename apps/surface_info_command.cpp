// visalign surface info: what a surface (or a patch file) contains.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/surface_input.hpp"
#include "surface/file_bytes.hpp"
#include "surface/freesurfer_patch.hpp"
#include "surface/neighborhood_table.hpp"
#include "surface/topology.hpp"

namespace visalign::apps {

namespace {

struct SurfaceInfoOptions {
  SurfaceInput input;
  std::string neighborhoods;
  bool json = false;
};

void declare(SurfaceInfoOptions& options, CommandDeclaration& declaration) {
  declare_surface_input(options.input, declaration);
  declaration.options.add_options()
      ("neighborhoods", po::value(&options.neighborhoods)->value_name("FILE"),
       "a neighbourhood table (from 'surface neighborhoods'): check that it was made from this surface and "
       "summarise its disks")
      ("json", po::bool_switch(&options.json), "print the summary as JSON instead of text");
}

bool is_patch_file(const std::string& path) {
  const std::vector<char> bytes = surface::read_file_bytes(path);
  return bytes.size() >= 4 && std::all_of(bytes.begin(), bytes.begin() + 4, [](char c) {
           return static_cast<unsigned char>(c) == 0xFF;
         });
}

nlohmann::json bounding_box(const surface::Mesh& mesh) {
  Eigen::Vector3d low = Eigen::Vector3d::Constant(INFINITY), high = Eigen::Vector3d::Constant(-INFINITY);
  for (Eigen::Index v = 0; v < mesh.vertex_count(); ++v) {
    if (mesh.is_excluded(v)) continue;
    low = low.cwiseMin(mesh.vertices.row(v).cast<double>().transpose());
    high = high.cwiseMax(mesh.vertices.row(v).cast<double>().transpose());
  }
  return {{"min", {low.x(), low.y(), low.z()}}, {"max", {high.x(), high.y(), high.z()}}};
}

nlohmann::json mesh_summary(const surface::Mesh& mesh) {
  const surface::MeshTopology topology = surface::mesh_topology(mesh);
  double sum = 0, sum_squares = 0, shortest = INFINITY, longest = 0;
  for (const auto& [a, b] : topology.edges) {
    const double length = (mesh.vertices.row(a) - mesh.vertices.row(b)).cast<double>().norm();
    sum += length;
    sum_squares += length * length;
    shortest = std::min(shortest, length);
    longest = std::max(longest, length);
  }
  const double edge_count = static_cast<double>(topology.edges.size());
  const double mean = edge_count > 0 ? sum / edge_count : 0;
  double area = 0;
  for (Eigen::Index f = 0; f < mesh.face_count(); ++f) {
    const Eigen::Vector3d a = mesh.vertices.row(mesh.faces(f, 0)).cast<double>();
    const Eigen::Vector3d b = mesh.vertices.row(mesh.faces(f, 1)).cast<double>();
    const Eigen::Vector3d c = mesh.vertices.row(mesh.faces(f, 2)).cast<double>();
    area += 0.5 * (b - a).cross(c - a).norm();
  }
  std::vector<std::size_t> loop_sizes;
  for (const auto& loop : topology.boundary_loops) loop_sizes.push_back(loop.size());
  std::sort(loop_sizes.rbegin(), loop_sizes.rend());
  return {{"kind", "surface"},
          {"vertices", mesh.vertex_count()},
          {"vertices_in_surface", mesh.included_vertex_count()},
          {"faces", mesh.face_count()},
          {"edges", topology.edges.size()},
          {"bounding_box_mm", bounding_box(mesh)},
          {"edge_length_mm",
           {{"min", edge_count > 0 ? shortest : 0},
            {"mean", mean},
            {"max", longest},
            {"sd", edge_count > 1 ? std::sqrt(std::max(0.0, (sum_squares - edge_count * mean * mean) / (edge_count - 1))) : 0}}},
          {"area_mm2", area},
          {"vertices_in_no_face", topology.isolated_vertex_count},
          {"euler_characteristic", topology.euler_characteristic},
          {"boundary_loops", topology.boundary_loops.size()},
          {"boundary_loop_sizes", loop_sizes},
          {"nonmanifold_edges", topology.nonmanifold_edge_count}};
}

nlohmann::json patch_summary(const surface::SurfacePatch& patch) {
  surface::Mesh points;
  points.vertices = patch.coordinates;
  std::int64_t border = 0;
  for (const auto flag : patch.border) border += flag;
  const auto highest = patch.vertices.empty() ? -1 : *std::max_element(patch.vertices.begin(), patch.vertices.end());
  return {{"kind", "patch"},
          {"points", patch.vertices.size()},
          {"border_points", border},
          {"highest_vertex_number", highest},
          {"bounding_box_mm", bounding_box(points)}};
}

nlohmann::json table_summary(const std::string& path, const LoadedSurface& loaded) {
  const surface::NeighborhoodTable table = surface::load_neighborhood_table(path);
  surface::check_table_matches_surface(table, path, loaded.mesh, loaded.description);
  std::int64_t smallest = INT64_MAX, largest = 0, disks = 0;
  for (std::int64_t v = 0; v < table.vertex_count; ++v) {
    const std::int64_t size = table.disk_size(v);
    if (size == 0) continue;
    ++disks;
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
  }
  return {{"file", path},
          {"radius_mm", table.radius_mm},
          {"method", surface::to_string(table.method)},
          {"disks", disks},
          {"vertices_per_disk",
           {{"min", disks > 0 ? smallest : 0},
            {"mean", disks > 0 ? static_cast<double>(table.entry_count()) / static_cast<double>(disks) : 0.0},
            {"max", largest}}}};
}

void print_text(const nlohmann::json& summary, const std::string& name) {
  const auto& box = summary["bounding_box_mm"];
  auto triple = [](const nlohmann::json& xyz) {
    char text[96];
    std::snprintf(text, sizeof text, "(%.2f, %.2f, %.2f)", xyz[0].get<double>(), xyz[1].get<double>(), xyz[2].get<double>());
    return std::string(text);
  };
  std::cout << name << '\n';
  if (summary["kind"] == "patch") {
    std::cout << "  FreeSurfer patch: " << summary["points"] << " points, " << summary["border_points"]
              << " on the border, vertex numbers up to " << summary["highest_vertex_number"] << '\n';
    std::cout << "  bounding box (mm): " << triple(box["min"]) << " to " << triple(box["max"]) << '\n';
    return;
  }
  const auto& edges = summary["edge_length_mm"];
  std::printf("  vertices: %lld (%lld in the surface, %lld of them in no face)\n  faces: %lld\n  edges: %lld\n",
              summary["vertices"].get<long long>(), summary["vertices_in_surface"].get<long long>(),
              summary["vertices_in_no_face"].get<long long>(), summary["faces"].get<long long>(),
              summary["edges"].get<long long>());
  std::cout << "  bounding box (mm): " << triple(box["min"]) << " to " << triple(box["max"]) << '\n';
  std::printf("  edge length (mm): min %.4f, mean %.4f, max %.4f, sd %.4f\n", edges["min"].get<double>(),
              edges["mean"].get<double>(), edges["max"].get<double>(), edges["sd"].get<double>());
  std::printf("  area: %.1f mm^2\n", summary["area_mm2"].get<double>());
  std::cout << "  Euler characteristic: " << summary["euler_characteristic"] << '\n';
  std::cout << "  boundary loops: " << summary["boundary_loops"];
  if (!summary["boundary_loop_sizes"].empty()) std::cout << " (vertices per loop: " << summary["boundary_loop_sizes"].dump() << ")";
  std::cout << "\n  non-manifold edges: " << summary["nonmanifold_edges"] << '\n';
  if (summary.contains("neighborhoods")) {
    const auto& table = summary["neighborhoods"];
    std::printf("  neighbourhoods %s: %lld disks of radius %g mm (%s), vertices per disk min %lld, mean %.1f, max %lld "
                "(matches this surface)\n",
                table["file"].get<std::string>().c_str(), table["disks"].get<long long>(), table["radius_mm"].get<double>(),
                table["method"].get<std::string>().c_str(), table["vertices_per_disk"]["min"].get<long long>(),
                table["vertices_per_disk"]["mean"].get<double>(), table["vertices_per_disk"]["max"].get<long long>());
  }
}

void run(const SurfaceInfoOptions& options, RunContext& context) {
  nlohmann::json summary;
  if (options.input.pial.empty() && options.input.patch.empty() && is_patch_file(options.input.surface)) {
    summary = patch_summary(surface::read_freesurfer_patch(options.input.surface));
  } else {
    const LoadedSurface loaded = load_surface_input(options.input, context);
    summary = mesh_summary(loaded.mesh);
    if (!options.neighborhoods.empty()) summary["neighborhoods"] = table_summary(options.neighborhoods, loaded);
  }
  if (options.json) {
    std::cout << summary.dump(2) << '\n';
  } else {
    print_text(summary, options.input.surface);
  }
}

}  // namespace

Command surface_info_command() {
  return make_command<SurfaceInfoOptions>(
      {"surface", "info", "vertex and face counts, bounding box, edge lengths, Euler characteristic, boundary loops",
       "Reads a surface (FreeSurfer or GIFTI; optionally with --patch or the mid-thickness with --pial) and prints\n"
       "its size, bounding box, edge-length statistics, area, Euler characteristic (2 for a closed sphere-like\n"
       "hemisphere, 1 for a flattened patch with one cut) and boundary loops. Given a FreeSurfer patch file alone,\n"
       "prints its point count and how many points lie on the border. With --neighborhoods, also checks that a\n"
       "stored neighbourhood table belongs to this surface (vertex count and checksum) and summarises it."},
      declare, run);
}

}  // namespace visalign::apps
