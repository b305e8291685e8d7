#pragma once
// GIFTI (.gii, .surf.gii, .shape.gii, .func.gii, and any of them gzip-compressed as .gz):
// reading every standard encoding (ASCII, Base64Binary, GZipBase64Binary, ExternalFileBinary),
// both index orders and endiannesses; writing surfaces and per-vertex maps.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "surface/mesh.hpp"
#include "surface/surface_map.hpp"

namespace visalign::surface {

struct GiftiArray {
  std::string intent;                         // e.g. "NIFTI_INTENT_POINTSET", "NIFTI_INTENT_SHAPE"
  std::string data_type;                      // e.g. "NIFTI_TYPE_FLOAT32", as in the file
  std::vector<std::int64_t> dimensions;       // Dim0, Dim1, ...
  std::vector<double> values;                 // all elements, row-major (C order) whatever the file's order
  std::map<std::string, std::string> metadata;
};

/// One entry of the file-level <LabelTable> (label files: NIFTI_INTENT_LABEL arrays hold keys).
struct GiftiLabel {
  std::int32_t key;             // the Key attribute (Index in early GIFTI files)
  std::string name;             // the element's text, trimmed
  std::array<float, 4> rgba;    // Red, Green, Blue, Alpha in 0..1 (0 where an attribute is absent)
};

struct GiftiFile {
  std::map<std::string, std::string> metadata;
  std::vector<GiftiArray> arrays;
  std::vector<GiftiLabel> labels;  // the LabelTable, in file order (empty when there is none)
};

/// Parses and decodes every data array. Throws FormatError naming the file, the array number,
/// the field, and what was expected and found.
GiftiFile read_gifti(const std::filesystem::path& path);

/// The first NIFTI_INTENT_POINTSET array (#V by 3) and the first NIFTI_INTENT_TRIANGLE array
/// (#F by 3), validated with validate_mesh.
Mesh read_gifti_surface(const std::filesystem::path& path);

/// Every other array as per-vertex maps (a #V by K array gives K maps), named from the array's
/// "Name" metadata (or "<file stem>[k]"). All maps have the same length.
std::vector<SurfaceMap> read_gifti_maps(const std::filesystem::path& path);

/// Writes a surface (.surf.gii): float32 pointset and int32 triangles, GZipBase64Binary.
/// `anatomical_structure` goes into the pointset's AnatomicalStructurePrimary metadata when set.
void write_gifti_surface(const Mesh& mesh, const std::filesystem::path& path,
                         const std::string& anatomical_structure = "");

/// Writes per-vertex maps (.func.gii / .shape.gii), one float32 array each, with the map's
/// name and units in the array metadata ("Name", "Units"); intent SHAPE for .shape.gii, else NONE.
void write_gifti_maps(const std::vector<SurfaceMap>& maps, const std::filesystem::path& path);

/// True when the file starts like a GIFTI/XML document (after gzip decompression).
bool looks_like_gifti(const std::vector<char>& bytes);

}  // namespace visalign::surface
