// visalign surface neighborhoods: the searchlight disk of every vertex.

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "apps/commands.hpp"
#include "apps/surface_input.hpp"
#include "fmri/surface_map_file.hpp"
#include "surface/geodesic_disks.hpp"

namespace visalign::apps {

namespace {

struct SurfaceNeighborhoodsOptions {
  SurfaceInput input;
  double radius_mm = 3.0;
  std::string method = "fast-marching";
  std::string output;
  std::string disk_sizes;
};

void declare(SurfaceNeighborhoodsOptions& options, CommandDeclaration& declaration) {
  declare_surface_input(options.input, declaration);
  declaration.options.add_options()
      ("radius", po::value(&options.radius_mm)->default_value(options.radius_mm)->value_name("MM"),
       "searchlight disk radius in mm (geodesic, measured on the given surface or patch)")
      ("method", po::value(&options.method)->default_value(options.method),
       "fast-marching (accurate) or dijkstra (along edges only; overestimates distances)")
      ("output,o", po::value(&options.output)->required()->value_name("FILE"),
       "neighbourhood table (binary; records the surface checksum, radius and method so later steps can check it)")
      ("disk-sizes", po::value(&options.disk_sizes)->value_name("FILE"),
       "also write the number of vertices in each disk as a per-vertex map (.func.gii, .mgh, .vtp, ...)");
}

void run(const SurfaceNeighborhoodsOptions& options, RunContext& context) {
  context.check_output_location(options.output);
  if (!options.disk_sizes.empty()) context.check_output_location(options.disk_sizes);
  surface::GeodesicDiskOptions disk_options;
  disk_options.radius_mm = options.radius_mm;
  disk_options.method = surface::parse_geodesic_method(options.method);
  disk_options.threads = context.global().threads;
  if (!(options.radius_mm > 0)) throw std::invalid_argument("--radius: expected a positive number of mm");
  const LoadedSurface loaded = load_surface_input(options.input, context);
  context.detail("surface: " + loaded.description);

  ProgressBar progress = context.progress("searchlight disks");
  const surface::NeighborhoodTable table = surface::geodesic_disks(
      loaded.mesh, disk_options, [&](std::size_t done, std::size_t total) { progress.update(done, total); },
      loaded.description);
  progress.finish();

  std::int64_t smallest = INT64_MAX, largest = 0, nonempty = 0;
  Eigen::VectorXf sizes(table.vertex_count);
  for (std::int64_t v = 0; v < table.vertex_count; ++v) {
    const std::int64_t size = table.disk_size(v);
    sizes(v) = static_cast<float>(size);
    if (size == 0) continue;
    ++nonempty;
    smallest = std::min(smallest, size);
    largest = std::max(largest, size);
  }
  const double mean = nonempty > 0 ? static_cast<double>(table.entry_count()) / static_cast<double>(nonempty) : 0;
  char checksum[24];
  std::snprintf(checksum, sizeof checksum, "%016llx", static_cast<unsigned long long>(table.surface_checksum));
  context.provenance().add_note("surface_checksum", checksum);
  context.provenance().add_note("disk_vertices", {{"min", nonempty ? smallest : 0}, {"mean", mean}, {"max", largest}});

  surface::save_neighborhood_table(table, options.output);
  context.finished_output(options.output);
  if (!options.disk_sizes.empty()) {
    fmri::write_surface_maps({{"searchlight_disk_size", "vertices", sizes}}, options.disk_sizes, &loaded.mesh);
    context.finished_output(options.disk_sizes);
  }
  std::printf("%s: %lld disks of radius %g mm (%s) on %s; vertices per disk min %lld, mean %.1f, max %lld\n",
              options.output.c_str(), static_cast<long long>(nonempty), options.radius_mm,
              surface::to_string(disk_options.method).c_str(), loaded.description.c_str(),
              static_cast<long long>(nonempty ? smallest : 0), mean, static_cast<long long>(largest));
}

}  // namespace

Command surface_neighborhoods_command() {
  return make_command<SurfaceNeighborhoodsOptions>(
      {"surface", "neighborhoods", "searchlight disks: all vertices within a geodesic radius of every vertex",
       "For every vertex, finds all vertices within --radius mm along the surface and stores them with their\n"
       "distances in a table that later steps (vertex selection, searchlight RSA) load and check against the\n"
       "surface. The core study measures 3 mm on the flattened cortex: --surface lh.white --patch\n"
       "lh.cortex.patch.flat; --pial lh.pial measures on the mid-thickness surface instead.\n"
       "Vertices outside a patch get empty disks."},
      declare, run);
}

}  // namespace visalign::apps
