#pragma once
// Pictures of the study's searchlight maps (seed 000 figure 4): R(RE-AN) and R(RE-AI) of every subject and
// hemisphere on the flattened cortex (the manifest's flat patch) and on the inflated surface (or the white
// surface when the manifest names none) from behind and from the side, one colour scale per subject.
// Written as PNG files with maps.json (the pictures, their colour ranges and views) into a folder; where no
// X display can be had, maps.json says why and there are no pictures.

#include <filesystem>

#include "apps/study_layout.hpp"

namespace visalign::apps {

void render_study_maps(const StudyLayout& layout, const std::filesystem::path& folder);

}  // namespace visalign::apps
