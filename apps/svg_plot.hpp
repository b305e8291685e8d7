#pragma once
// Plots as standalone SVG files for the tables people would rather look at (eigenspectra, tuning
// histograms, frequency curves, model comparisons): line and scatter series on linear or log axes,
// with ticks, axis labels, a legend and an optional fitted line. Written atomically.

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace visalign::apps {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;   // points whose coordinates are not finite (or not positive on a log axis) are skipped
  bool lines = true;          // connect the points; else markers only
  bool markers = false;
  std::vector<std::string> point_labels;  // optional text beside each point (scatter plots of models)
};

struct Plot {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<PlotSeries> series;
  double width = 640, height = 440;
  /// A horizontal reference line (e.g. chance, or zero), drawn when finite.
  double reference_y = NAN;
  std::string note;  // text under the title (e.g. "Spearman rho = 0.71"), a line per '\n'-separated part
};

/// The plot as SVG text. Axis ranges cover every drawable point (padded 5%); a plot without drawable
/// points shows its axes and "no data".
std::string render_svg(const Plot& plot);

/// render_svg written to `file` through a temporary name.
void write_svg(const Plot& plot, const std::filesystem::path& file);

}  // namespace visalign::apps
