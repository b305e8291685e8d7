#include "fmri/betas.hpp"

#include <cmath>
#include <stdexcept>

#include "fmri/mgh.hpp"
#include "fmri/nifti.hpp"
#include "fmri/npy.hpp"
#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"
#include "surface/gifti.hpp"

namespace visalign::fmri {

NpyOrientation parse_npy_orientation(const std::string& name) {
  if (name == "vertices-by-columns") return NpyOrientation::vertices_by_columns;
  if (name == "columns-by-vertices") return NpyOrientation::columns_by_vertices;
  throw std::invalid_argument("NPY orientation: expected 'vertices-by-columns' or 'columns-by-vertices', found '" + name + "'");
}

namespace {

/// GIFTI functional data: every non-geometry array is one column, or one vertices x columns array.
Eigen::MatrixXf gifti_betas(const std::filesystem::path& path) {
  const std::string source = path.string();
  const surface::GiftiFile gifti = surface::read_gifti(path);
  std::vector<const surface::GiftiArray*> arrays;
  for (const auto& array : gifti.arrays) {
    if (array.intent != "NIFTI_INTENT_POINTSET" && array.intent != "NIFTI_INTENT_TRIANGLE") arrays.push_back(&array);
  }
  if (arrays.empty()) throw surface::FormatError(source, "data arrays: expected functional data, found none");
  const std::int64_t vertices = arrays.front()->dimensions.at(0);
  std::int64_t columns = 0;
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const auto& dims = arrays[i]->dimensions;
    std::int64_t per_vertex = 1;
    for (std::size_t d = 1; d < dims.size(); ++d) per_vertex *= dims[d];
    if (dims.at(0) != vertices) {
      throw surface::FormatError(source, "DataArray " + std::to_string(i) + ": expected " + std::to_string(vertices) +
                                             " vertices as in DataArray 0, found " + std::to_string(dims.at(0)));
    }
    columns += per_vertex;
  }
  Eigen::MatrixXf betas(vertices, columns);
  std::int64_t column = 0;
  for (const auto* array : arrays) {
    const std::int64_t width = static_cast<std::int64_t>(array->values.size()) / vertices;
    for (std::int64_t v = 0; v < vertices; ++v) {
      for (std::int64_t k = 0; k < width; ++k) {
        betas(v, column + k) = static_cast<float>(array->values[static_cast<std::size_t>(v * width + k)]);
      }
    }
    column += width;
  }
  return betas;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Eigen::MatrixXf read_betas(const std::filesystem::path& path, NpyOrientation npy_orientation) {
  const std::string name = path.filename().string();
  if (has_mgh_extension(path)) return read_mgh(path).data;
  if (has_nifti_extension(path)) return nifti_surface_data(read_nifti(path), path.string());
  if (ends_with(name, ".npy")) {
    const Eigen::MatrixXd matrix = npy_matrix(read_npy(path), path.string());
    if (npy_orientation == NpyOrientation::vertices_by_columns) return matrix.cast<float>();
    return matrix.transpose().cast<float>();
  }
  if (surface::looks_like_gifti(surface::read_file_bytes(path))) return gifti_betas(path);
  throw surface::FormatError(path.string(), "format: expected betas as GIFTI (.func.gii), MGH/MGZ, NIfTI (.nii, .nii.gz) "
                                            "or NPY (.npy), found none of them");
}

NonFiniteBetas find_non_finite_betas(const Eigen::Ref<const Eigen::MatrixXf>& betas) {
  NonFiniteBetas found;
  for (Eigen::Index v = 0; v < betas.rows(); ++v) {
    bool bad_vertex = false;
    for (Eigen::Index c = 0; c < betas.cols(); ++c) {
      if (std::isfinite(betas(v, c))) continue;
      ++found.value_count;
      if (!bad_vertex && found.vertices.empty()) found.first_column = c;
      bad_vertex = true;
    }
    if (bad_vertex) found.vertices.push_back(static_cast<std::int32_t>(v));
  }
  return found;
}

NonFiniteBetas check_betas(const Eigen::Ref<const Eigen::MatrixXf>& betas, std::int64_t surface_vertex_count,
                           const std::string& source, const std::string& surface_source, bool mask_non_finite) {
  if (betas.rows() != surface_vertex_count) {
    throw surface::FormatError(source, "vertices: expected " + std::to_string(surface_vertex_count) + " (as in " +
                                           surface_source + "), found " + std::to_string(betas.rows()));
  }
  NonFiniteBetas found = find_non_finite_betas(betas);
  if (found.value_count > 0 && !mask_non_finite) {
    throw surface::FormatError(source, "values: expected finite betas, found " + std::to_string(found.value_count) +
                                           " NaN/Inf values at " + std::to_string(found.vertices.size()) +
                                           " vertices (first: vertex " + std::to_string(found.vertices.front()) +
                                           ", column " + std::to_string(found.first_column) +
                                           "); mask those vertices with --mask-non-finite");
  }
  return found;
}

}  // namespace visalign::fmri
