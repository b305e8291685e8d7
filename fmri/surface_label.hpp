#pragma once
// Regions of interest as files: FreeSurfer ASCII labels (lh.V1_exvivo.label), FreeSurfer
// annotations (lh.aparc.annot: every vertex coloured by a colour-table entry), GIFTI label files
// (.label.gii: per-vertex keys and a label table).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace visalign::fmri {

/// A FreeSurfer label: vertex numbers with their coordinates and values.
struct SurfaceLabel {
  std::string comment;                       // the first line (after '#')
  std::vector<std::int32_t> vertices;        // 0-based vertex numbers, in file order
  Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor> coordinates;  // #vertices by 3
  std::vector<float> values;                 // #vertices (stat values; 0 when unused)
};

/// Reads an ASCII label; FormatError naming the file and the line for a bad count, a short or
/// non-numeric line, or a negative vertex number.
SurfaceLabel read_freesurfer_label(const std::filesystem::path& path);

/// Writes an ASCII label (FreeSurfer's layout: "#!ascii label ...", count, "vno x y z value"), atomically.
void write_freesurfer_label(const SurfaceLabel& label, const std::filesystem::path& path);

struct ParcellationRegion {
  std::string name;
  std::array<int, 4> rgba{};  // red, green, blue, alpha (0..255)
  std::int32_t key = 0;       // annotation value (FreeSurfer: r + g*256 + b*65536) or GIFTI key
};

/// A per-vertex parcellation: FreeSurfer annotation or GIFTI label file.
struct Parcellation {
  std::vector<ParcellationRegion> regions;  // the colour table / label table
  std::vector<std::int32_t> vertex_region;  // #V, index into `regions`, or -1 for none
};

/// Reads a FreeSurfer .annot (with its embedded colour table, old or new format). FormatError naming
/// the file for truncation or a vertex number out of range.
Parcellation read_freesurfer_annotation(const std::filesystem::path& path);

/// Reads a GIFTI label file (.label.gii): the first NIFTI_INTENT_LABEL array and the LabelTable.
Parcellation read_gifti_label(const std::filesystem::path& path);

/// Reads either kind, recognised by content (GIFTI XML or binary annotation).
Parcellation read_parcellation(const std::filesystem::path& path);

/// The vertices (ascending) of the region called `name`; FormatError naming `source` and listing
/// every region name when there is no such region.
std::vector<std::int32_t> parcellation_region_vertices(const Parcellation& parcellation, const std::string& name,
                                                       const std::string& source);

}  // namespace visalign::fmri
