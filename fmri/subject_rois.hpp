#pragma once
// Resolving a hemisphere's ROIs as the manifest defines them: label files, annotation regions,
// localizer contrasts (optionally masked), and ROI algebra over the others.

#include <cstdint>
#include <map>
#include <string>

#include "fmri/roi.hpp"
#include "fmri/subject_manifest.hpp"

namespace visalign::fmri {

/// Every ROI of the hemisphere. Errors name the file or the manifest field: a label vertex past the
/// surface's `vertex_count`, an unknown annotation region (listing the existing ones), localizer
/// betas that do not fit the surface, an expression naming an unknown ROI, and any ROI that comes
/// out empty.
std::map<std::string, Roi> load_hemisphere_rois(const HemisphereFiles& files, std::int64_t vertex_count,
                                                const std::string& manifest_source);

/// The vertices of a label file, checked against the surface's vertex count.
Roi read_label_roi(const std::filesystem::path& path, const std::string& name, std::int64_t vertex_count);

}  // namespace visalign::fmri
