#pragma once
// The study's report: one self-contained HTML page (inline SVG charts, PNG pictures embedded as data URIs,
// no network) with the figures of seed 000 drawn from the step outputs: the stimuli with the CNN's labels,
// R(RE-AN) and R(RE-AI) per ROI and subject (figure 3), the cortical similarity maps (figure 4), the CNN
// layer curves with trend tests (figure 5), the encoding accuracies (figure 6), the best-layer proportions
// (figure S1), the group statistics, the model-versus-V1 analyses when they ran, and the provenance.

#include <filesystem>

#include "apps/study_layout.hpp"

namespace visalign::apps {

/// Writes <output>/report.html (atomically) and returns its path.
std::filesystem::path write_study_report(const StudyLayout& layout);

}  // namespace visalign::apps
