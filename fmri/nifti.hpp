#pragma once
// NIfTI-1 and NIfTI-2 images (.nii, .nii.gz), read for surface data: vertices x 1 x 1 x frames,
// including FreeSurfer's NIfTI-1 conventions for surfaces with more than 32767 vertices
// (dim[1] = -1 with the vertex count in glmin; and 27307 x 1 x 6 for the 163,842-vertex ico7).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace visalign::fmri {

struct NiftiImage {
  int version = 1;                          // 1 or 2
  std::array<std::int64_t, 7> dimensions{};  // dim[1..7] as stored (unused ones are 1)
  int dimension_count = 0;                  // dim[0]
  int datatype = 16;                        // NIfTI datatype code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, ...)
  double scale_slope = 1.0, scale_intercept = 0.0;  // applied to `values` already
  std::string description;                  // descrip
  std::string intent_name;
  int intent_code = 0;
  std::vector<double> values;               // every element, scaled, in file order (first dimension fastest)
};

/// Reads a NIfTI-1 or NIfTI-2 file (either byte order, gzip or not). FormatError naming the file and
/// the header field for a bad sizeof_hdr/magic, unsupported datatype, negative sizes, or truncated data.
NiftiImage read_nifti(const std::filesystem::path& path);

/// The image as surface data: #vertices by #frames, vertices = dim1*dim2*dim3 after the FreeSurfer
/// conventions, frames = the product of dim4..dim7. FormatError naming the file if it is not.
Eigen::MatrixXf nifti_surface_data(const NiftiImage& image, const std::string& source);

/// Writes #vertices by #frames surface data as float32 vertices x 1 x 1 x frames, atomically;
/// version 1 uses FreeSurfer's conventions when there are more than 32767 vertices; .nii.gz is gzip.
void write_nifti_surface_data(const Eigen::MatrixXf& data, const std::filesystem::path& path, int version = 1);

/// True for .nii / .nii.gz names.
bool has_nifti_extension(const std::filesystem::path& path);

}  // namespace visalign::fmri
