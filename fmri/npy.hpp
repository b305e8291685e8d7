#pragma once
// NumPy .npy arrays (format versions 1.0, 2.0, 3.0): any numeric dtype of either byte order,
// C or Fortran order. Betas, feature matrices, spike counts and RDMs travel in it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace visalign::fmri {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::string dtype;           // as in the header, e.g. "<f4", ">f8", "<i8", "|u1"
  bool fortran_order = false;  // as in the header; `values` is always C order
  std::vector<double> values;  // every element, in C (row-major) order
};

/// Reads an .npy file; FormatError naming the file and the field for a bad magic, header, dtype
/// (object and string arrays are refused) or truncated data.
NpyArray read_npy(const std::filesystem::path& path);

/// A 2-D array as a matrix (rows x columns, whatever the file's order); FormatError naming the
/// source unless the array has exactly two dimensions (a 1-D array becomes one column).
Eigen::MatrixXd npy_matrix(const NpyArray& array, const std::string& source);

/// Writes a matrix as a 2-D C-order little-endian float32 ("<f4") or float64 ("<f8") array, atomically.
void write_npy(const Eigen::MatrixXd& matrix, const std::filesystem::path& path, bool float64 = false);
/// The same for float matrices (float32, without a double copy: CNN activations).
void write_float_npy(const Eigen::MatrixXf& matrix, const std::filesystem::path& path);

}  // namespace visalign::fmri
