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

/// Values over named categories (ROIs, layers): grouped bars, or points joined by lines when the categories
/// are ordered (layers), each with an optional error bar and a mark above it (e.g. "*" for p < 0.05).
struct CategorySeries {
  std::string label;
  std::string colour;                 // CSS colour; empty: the palette's
  std::vector<double> values;         // one per category; NaN: nothing drawn
  std::vector<double> low, high;      // error bar ends per category (empty, or NaN: none)
  std::vector<std::string> marks;     // text above each bar or point (empty: none)
};

struct CategoryChart {
  std::string title, note, x_label, y_label;
  std::vector<std::string> categories;
  std::vector<CategorySeries> series;
  bool lines = false;       // points joined by lines instead of bars
  double width = 640, height = 380;
  std::string footnote;     // text under the chart (what the error bars and marks mean), wrapped to its width
  bool zero_line = true;    // a line at y = 0
};

/// The chart as SVG text (the y axis covers the values, error bars and 0).
std::string render_category_chart(const CategoryChart& chart);

/// Text with &, <, >, " escaped for XML and HTML.
std::string xml_escape(const std::string& text);

/// The plot as SVG text. Axis ranges cover every drawable point (padded 5%); a plot without drawable
/// points shows its axes and "no data".
std::string render_svg(const Plot& plot);

/// render_svg written to `file` through a temporary name.
void write_svg(const Plot& plot, const std::filesystem::path& file);

}  // namespace visalign::apps
