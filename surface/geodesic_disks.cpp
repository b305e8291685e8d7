#include "surface/geodesic_disks.hpp"

#include <omp.h>

#include <atomic>
#include <stdexcept>

#include "surface/geodesic.hpp"

namespace visalign::surface {

NeighborhoodTable geodesic_disks(const Mesh& mesh, const GeodesicDiskOptions& options, const DiskProgress& progress,
                                 const std::string& source) {
  if (!(options.radius_mm > 0)) {
    throw std::invalid_argument("searchlight radius: expected a positive number of mm, found " +
                                std::to_string(options.radius_mm));
  }
  if (options.threads < 1) throw std::invalid_argument("threads: expected at least 1, found " + std::to_string(options.threads));
  const GeodesicGraph graph = GeodesicGraph::build(mesh, source);
  const std::int32_t vertex_count = graph.vertex_count();

  // Disks are computed in blocks of consecutive vertices; each block keeps its own entries and is
  // copied into place afterwards, so the table is identical for any number of threads.
  constexpr std::int32_t kBlock = 512;
  const std::int32_t block_count = (vertex_count + kBlock - 1) / kBlock;
  struct Block {
    std::vector<std::int64_t> sizes;
    std::vector<std::int32_t> vertices;
    std::vector<float> distances;
  };
  std::vector<Block> blocks(static_cast<std::size_t>(block_count));
  std::atomic<std::size_t> done{0};

#pragma omp parallel num_threads(options.threads)
  {
    GeodesicWorkspace workspace(vertex_count);
#pragma omp for schedule(dynamic, 1)
    for (std::int32_t b = 0; b < block_count; ++b) {
      Block& block = blocks[static_cast<std::size_t>(b)];
      const std::int32_t first = b * kBlock;
      const std::int32_t last = std::min(vertex_count, first + kBlock);
      block.sizes.reserve(static_cast<std::size_t>(last - first));
      for (std::int32_t v = first; v < last; ++v) {
        const auto& disk = workspace.distances_within(graph, v, options.radius_mm, options.method);
        block.sizes.push_back(static_cast<std::int64_t>(disk.size()));
        for (const VertexDistance& entry : disk) {
          block.vertices.push_back(entry.vertex);
          block.distances.push_back(entry.distance);
        }
      }
      const std::size_t finished = done.fetch_add(static_cast<std::size_t>(last - first)) + static_cast<std::size_t>(last - first);
      if (progress && omp_get_thread_num() == 0) progress(finished, static_cast<std::size_t>(vertex_count));
    }
  }

  NeighborhoodTable table;
  table.vertex_count = vertex_count;
  table.surface_checksum = mesh_checksum(mesh);
  table.radius_mm = options.radius_mm;
  table.method = options.method;
  table.offsets.assign(static_cast<std::size_t>(vertex_count) + 1, 0);
  std::size_t total = 0;
  for (const Block& block : blocks) total += block.vertices.size();
  table.vertices.reserve(total);
  table.distances.reserve(total);
  std::size_t vertex = 0;
  for (Block& block : blocks) {
    for (const std::int64_t size : block.sizes) {
      table.offsets[vertex + 1] = table.offsets[vertex] + size;
      ++vertex;
    }
    table.vertices.insert(table.vertices.end(), block.vertices.begin(), block.vertices.end());
    table.distances.insert(table.distances.end(), block.distances.begin(), block.distances.end());
    block = Block{};  // release as we go: peak memory stays near one table
  }
  if (progress) progress(static_cast<std::size_t>(vertex_count), static_cast<std::size_t>(vertex_count));
  return table;
}

}  // namespace visalign::surface
