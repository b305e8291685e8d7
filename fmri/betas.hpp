#pragma once
// GLM beta estimates of one hemisphere on its surface: #vertices by #columns (one column per
// image presentation, plus the blank), from the files GLM tools write: GIFTI .func.gii (one array
// per column, or one vertices x columns array), MGH/MGZ (vertices x 1 x 1 x frames), NIfTI-1/2
// surface files, NPY (orientation stated by an option).

#include <Eigen/Core>

#include <filesystem>
#include <string>
#include <vector>

namespace visalign::fmri {

/// How a 2-D NPY array of betas is laid out.
enum class NpyOrientation { vertices_by_columns, columns_by_vertices };

/// "vertices-by-columns" / "columns-by-vertices"; std::invalid_argument otherwise.
NpyOrientation parse_npy_orientation(const std::string& name);

/// Reads betas (#vertices by #columns), the format recognised from the name and content.
/// FormatError naming the file for unreadable data or a shape that is not vertices by columns.
Eigen::MatrixXf read_betas(const std::filesystem::path& path,
                           NpyOrientation npy_orientation = NpyOrientation::vertices_by_columns);

/// Where betas are not finite.
struct NonFiniteBetas {
  std::int64_t value_count = 0;           // NaN or Inf values
  std::vector<std::int32_t> vertices;     // ascending, vertices with at least one
  std::int64_t first_column = -1;         // of the first such value (at vertices.front())
};

NonFiniteBetas find_non_finite_betas(const Eigen::Ref<const Eigen::MatrixXf>& betas);

/// Checks betas against the surface they belong to and for NaN/Inf values. Without
/// `mask_non_finite`, any NaN/Inf is a FormatError naming `source`, how many values at how many
/// vertices and the first one; with it, the returned list says which vertices to leave out.
NonFiniteBetas check_betas(const Eigen::Ref<const Eigen::MatrixXf>& betas, std::int64_t surface_vertex_count,
                           const std::string& source, const std::string& surface_source, bool mask_non_finite);

}  // namespace visalign::fmri
