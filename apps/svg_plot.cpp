#include "apps/svg_plot.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::string tick_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// One axis: data range -> pixels, in log10 when asked.
struct Axis {
  bool log = false;
  double low = 0, high = 1;
  bool drawable(double value) const { return std::isfinite(value) && (!log || value > 0); }
  double transformed(double value) const { return log ? std::log10(value) : value; }
  double fraction(double value) const { return (transformed(value) - low) / (high - low); }
  void fit(const std::vector<double>& values) {
    double smallest = std::numeric_limits<double>::infinity(), largest = -smallest;
    for (double value : values) {
      if (!drawable(value)) continue;
      smallest = std::min(smallest, transformed(value));
      largest = std::max(largest, transformed(value));
    }
    if (!std::isfinite(smallest)) {
      smallest = 0;
      largest = 1;
    }
    if (largest - smallest < 1e-12) {
      smallest -= 0.5;
      largest += 0.5;
    }
    const double pad = 0.05 * (largest - smallest);
    low = smallest - pad;
    high = largest + pad;
  }
  // Tick values in data units: decades on log axes, 1/2/5 steps on linear ones.
  std::vector<double> ticks() const {
    std::vector<double> result;
    if (log) {
      for (double exponent = std::ceil(low); exponent <= high + 1e-9; exponent += std::max(1.0, std::floor((high - low) / 6))) {
        result.push_back(std::pow(10.0, exponent));
      }
      return result;
    }
    const double raw = (high - low) / 6;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
      if (raw <= factor * magnitude) {
        step = factor * magnitude;
        break;
      }
    }
    for (double value = std::ceil(low / step) * step; value <= high + 1e-9 * step; value += step) result.push_back(std::abs(value) < 1e-12 * step ? 0.0 : value);
    return result;
  }
};

}  // namespace

std::string render_svg(const Plot& plot) {
  Axis x_axis{plot.log_x}, y_axis{plot.log_y};
  std::vector<double> xs, ys;
  for (const PlotSeries& series : plot.series) {
    for (std::size_t i = 0; i < std::min(series.x.size(), series.y.size()); ++i) {
      if (x_axis.drawable(series.x[i]) && y_axis.drawable(series.y[i])) {
        xs.push_back(series.x[i]);
        ys.push_back(series.y[i]);
      }
    }
  }
  if (std::isfinite(plot.reference_y)) ys.push_back(plot.reference_y);
  x_axis.fit(xs);
  y_axis.fit(ys);
  // The legend column widens (and the picture with it) to fit the longest label: about 7 px per character at 12 px.
  std::size_t longest_label = 0;
  for (const PlotSeries& series : plot.series) longest_label = std::max(longest_label, series.label.size());
  const double left = 70, right = std::max(160.0, 40.0 + 7.0 * static_cast<double>(longest_label));
  std::vector<std::string> note_lines;  // the note's lines ('\n' separates them)
  for (std::size_t start = 0; !plot.note.empty() && start <= plot.note.size();) {
    const std::size_t end = std::min(plot.note.find('\n', start), plot.note.size());
    note_lines.push_back(plot.note.substr(start, end - start));
    start = end + 1;
  }
  const double top = 40 + 16 * static_cast<double>(note_lines.size()), bottom = 56;
  const double total_width = plot.width + (right - 160.0);
  const double inner_width = total_width - left - right, inner_height = plot.height - top - bottom;
  auto px = [&](double x) { return left + x_axis.fraction(x) * inner_width; };
  auto py = [&](double y) { return top + (1.0 - y_axis.fraction(y)) * inner_height; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << number(total_width) << "\" height=\"" << number(plot.height)
      << "\" viewBox=\"0 0 " << number(total_width) << ' ' << number(plot.height) << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg << "<text x=\"" << number(total_width / 2) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(plot.title) << "</text>\n";
  for (std::size_t line = 0; line < note_lines.size(); ++line) {
    svg << "<text x=\"" << number(total_width / 2) << "\" y=\"" << number(40 + 16 * static_cast<double>(line))
        << "\" text-anchor=\"middle\" fill=\"#555\">" << escape(note_lines[line]) << "</text>\n";
  }
  svg << "<rect x=\"" << number(left) << "\" y=\"" << number(top) << "\" width=\"" << number(inner_width) << "\" height=\""
      << number(inner_height) << "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double tick : x_axis.ticks()) {
    const double x = px(tick);
    svg << "<line x1=\"" << number(x) << "\" y1=\"" << number(top + inner_height) << "\" x2=\"" << number(x) << "\" y2=\""
        << number(top + inner_height + 5) << "\" stroke=\"#333\"/><text x=\"" << number(x) << "\" y=\"" << number(top + inner_height + 18)
        << "\" text-anchor=\"middle\">" << tick_text(tick) << "</text>\n";
  }
  for (double tick : y_axis.ticks()) {
    const double y = py(tick);
    svg << "<line x1=\"" << number(left - 5) << "\" y1=\"" << number(y) << "\" x2=\"" << number(left) << "\" y2=\"" << number(y)
        << "\" stroke=\"#333\"/><line x1=\"" << number(left) << "\" y1=\"" << number(y) << "\" x2=\"" << number(left + inner_width)
        << "\" y2=\"" << number(y) << "\" stroke=\"#eee\"/><text x=\"" << number(left - 8) << "\" y=\"" << number(y + 4)
        << "\" text-anchor=\"end\">" << tick_text(tick) << "</text>\n";
  }
  svg << "<text x=\"" << number(left + inner_width / 2) << "\" y=\"" << number(plot.height - 12) << "\" text-anchor=\"middle\">"
      << escape(plot.x_label) << (plot.log_x ? " (log)" : "") << "</text>\n";
  svg << "<text transform=\"translate(16," << number(top + inner_height / 2) << ") rotate(-90)\" text-anchor=\"middle\">"
      << escape(plot.y_label) << (plot.log_y ? " (log)" : "") << "</text>\n";
  if (std::isfinite(plot.reference_y) && y_axis.drawable(plot.reference_y)) {
    svg << "<line x1=\"" << number(left) << "\" y1=\"" << number(py(plot.reference_y)) << "\" x2=\"" << number(left + inner_width)
        << "\" y2=\"" << number(py(plot.reference_y)) << "\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n";
  }
  if (xs.empty()) {
    svg << "<text x=\"" << number(left + inner_width / 2) << "\" y=\"" << number(top + inner_height / 2)
        << "\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n";
  }
  for (std::size_t s = 0; s < plot.series.size(); ++s) {
    const PlotSeries& series = plot.series[s];
    const char* colour = palette[s % (sizeof palette / sizeof *palette)];
    std::ostringstream path;
    bool pen_down = false;
    for (std::size_t i = 0; i < std::min(series.x.size(), series.y.size()); ++i) {
      if (!x_axis.drawable(series.x[i]) || !y_axis.drawable(series.y[i])) {
        pen_down = false;  // a gap, not a line across the missing point
        continue;
      }
      const double x = px(series.x[i]), y = py(series.y[i]);
      if (series.lines) {
        path << (pen_down ? " L" : " M") << number(x) << ' ' << number(y);
        pen_down = true;
      }
      if (series.markers || !series.lines) {
        svg << "<circle cx=\"" << number(x) << "\" cy=\"" << number(y) << "\" r=\"3.5\" fill=\"" << colour << "\"/>\n";
      }
      if (i < series.point_labels.size() && !series.point_labels[i].empty()) {
        svg << "<text x=\"" << number(x + 6) << "\" y=\"" << number(y - 6) << "\" font-size=\"10\" fill=\"" << colour << "\">"
            << escape(series.point_labels[i]) << "</text>\n";
      }
    }
    if (series.lines && !path.str().empty()) {
      svg << "<path d=\"" << path.str().substr(1) << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.6\"/>\n";
    }
    const double legend_y = top + 14 + 18 * static_cast<double>(s);
    svg << "<rect x=\"" << number(left + inner_width + 12) << "\" y=\"" << number(legend_y - 9) << "\" width=\"12\" height=\"10\" fill=\""
        << colour << "\"/><text x=\"" << number(left + inner_width + 30) << "\" y=\"" << number(legend_y) << "\">" << escape(series.label)
        << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

void write_svg(const Plot& plot, const std::filesystem::path& file) { surface::write_bytes_atomically(file, render_svg(plot)); }

}  // namespace visalign::apps
