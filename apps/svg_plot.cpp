#include "apps/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

}  // namespace

std::string xml_escape(const std::string& text) {
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

namespace {

std::string escape(const std::string& text) { return xml_escape(text); }

/// `text` broken at spaces into lines of at most `width` pixels at about `char_width` pixels a character.
std::vector<std::string> wrapped_lines(const std::string& text, double width, double char_width) {
  const std::size_t most = std::max<std::size_t>(10, static_cast<std::size_t>(width / char_width));
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > most) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
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

std::string render_category_chart(const CategoryChart& chart) {
  Axis y_axis;
  std::vector<double> ys = {0.0};
  for (const CategorySeries& series : chart.series) {
    for (std::size_t i = 0; i < series.values.size(); ++i) {
      ys.push_back(series.values[i]);
      if (i < series.low.size()) ys.push_back(series.low[i]);
      if (i < series.high.size()) ys.push_back(series.high[i]);
    }
  }
  y_axis.fit(ys);
  y_axis.high += 0.06 * (y_axis.high - y_axis.low);  // room for the marks
  std::size_t longest_label = 0, longest_category = 0;
  for (const CategorySeries& series : chart.series) longest_label = std::max(longest_label, series.label.size());
  for (const std::string& category : chart.categories) longest_category = std::max(longest_category, category.size());
  const std::size_t count = std::max<std::size_t>(1, chart.categories.size());
  const double left = 70, right = std::max(150.0, 40.0 + 7.0 * static_cast<double>(longest_label));
  const double top = chart.note.empty() ? 40 : 56;
  const double slot_guess = (chart.width - left - right) / static_cast<double>(count);
  const bool rotate = 7.0 * static_cast<double>(longest_category) > slot_guess - 4;  // names too long to stand side by side
  const double label_room = rotate ? 12 + 5.0 * static_cast<double>(std::min<std::size_t>(longest_category, 24)) : 22;
  const double total_width = chart.width + (right - 150.0);
  const std::vector<std::string> footnote_lines = wrapped_lines(chart.footnote, total_width - 16, 6.0);
  const double footnote_room = 14.0 * static_cast<double>(footnote_lines.size()) + (footnote_lines.empty() ? 0 : 2);
  const double bottom = label_room + 30 + footnote_room;
  const double height = chart.height + (rotate ? label_room - 22 : 0) + std::max(0.0, footnote_room - 16);
  const double inner_width = total_width - left - right, inner_height = height - top - bottom;
  const double slot = inner_width / static_cast<double>(count);
  auto py = [&](double y) { return top + (1.0 - y_axis.fraction(y)) * inner_height; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << number(total_width) << "\" height=\"" << number(height) << "\" viewBox=\"0 0 "
      << number(total_width) << ' ' << number(height) << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg << "<text x=\"" << number(total_width / 2) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(chart.title) << "</text>\n";
  if (!chart.note.empty()) {
    svg << "<text x=\"" << number(total_width / 2) << "\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">" << escape(chart.note) << "</text>\n";
  }
  svg << "<rect x=\"" << number(left) << "\" y=\"" << number(top) << "\" width=\"" << number(inner_width) << "\" height=\"" << number(inner_height)
      << "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (double tick : y_axis.ticks()) {
    const double y = py(tick);
    svg << "<line x1=\"" << number(left - 5) << "\" y1=\"" << number(y) << "\" x2=\"" << number(left) << "\" y2=\"" << number(y)
        << "\" stroke=\"#333\"/><line x1=\"" << number(left) << "\" y1=\"" << number(y) << "\" x2=\"" << number(left + inner_width) << "\" y2=\""
        << number(y) << "\" stroke=\"#eee\"/><text x=\"" << number(left - 8) << "\" y=\"" << number(y + 4) << "\" text-anchor=\"end\">"
        << tick_text(tick) << "</text>\n";
  }
  if (chart.zero_line && y_axis.low < 0 && y_axis.high > 0) {
    svg << "<line x1=\"" << number(left) << "\" y1=\"" << number(py(0)) << "\" x2=\"" << number(left + inner_width) << "\" y2=\"" << number(py(0))
        << "\" stroke=\"#555\"/>\n";
  }
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    const double x = left + slot * (static_cast<double>(c) + 0.5), y = top + inner_height + 16;
    if (rotate) {
      svg << "<text transform=\"translate(" << number(x + 4) << "," << number(y - 6) << ") rotate(-40)\" text-anchor=\"end\" font-size=\"11\">"
          << escape(chart.categories[c]) << "</text>\n";
    } else {
      svg << "<text x=\"" << number(x) << "\" y=\"" << number(y) << "\" text-anchor=\"middle\">" << escape(chart.categories[c]) << "</text>\n";
    }
  }
  svg << "<text x=\"" << number(left + inner_width / 2) << "\" y=\"" << number(height - 12 - footnote_room)
      << "\" text-anchor=\"middle\">" << escape(chart.x_label) << "</text>\n";
  for (std::size_t line = 0; line < footnote_lines.size(); ++line) {
    const double y = height - 10 - 14.0 * static_cast<double>(footnote_lines.size() - 1 - line);
    svg << "<text x=\"" << number(total_width / 2) << "\" y=\"" << number(y) << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">"
        << escape(footnote_lines[line]) << "</text>\n";
  }
  svg << "<text transform=\"translate(16," << number(top + inner_height / 2) << ") rotate(-90)\" text-anchor=\"middle\">" << escape(chart.y_label)
      << "</text>\n";
  const std::size_t series_count = std::max<std::size_t>(1, chart.series.size());
  const double bar_width = chart.lines ? 0 : 0.8 * slot / static_cast<double>(series_count);
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const CategorySeries& series = chart.series[s];
    const std::string colour = series.colour.empty() ? palette[s % (sizeof palette / sizeof *palette)] : series.colour;
    std::ostringstream path;
    bool pen_down = false;
    for (std::size_t c = 0; c < chart.categories.size() && c < series.values.size(); ++c) {
      const double value = series.values[c];
      // Bars side by side within the category's slot; points at its centre, nudged apart per series.
      const double x = chart.lines ? left + slot * (static_cast<double>(c) + 0.5) + 4.0 * (static_cast<double>(s) - 0.5 * static_cast<double>(series_count - 1))
                                   : left + slot * (static_cast<double>(c) + 0.1) + bar_width * (static_cast<double>(s) + 0.5);
      if (!std::isfinite(value)) {
        pen_down = false;
        continue;
      }
      if (chart.lines) {
        path << (pen_down ? " L" : " M") << number(x) << ' ' << number(py(value));
        pen_down = true;
        svg << "<circle cx=\"" << number(x) << "\" cy=\"" << number(py(value)) << "\" r=\"3.5\" fill=\"" << colour << "\"/>\n";
      } else {
        const double y0 = py(std::max(0.0, value)), y1 = py(std::min(0.0, value));
        svg << "<rect x=\"" << number(x - bar_width / 2) << "\" y=\"" << number(y0) << "\" width=\"" << number(bar_width * 0.92) << "\" height=\""
            << number(std::max(0.5, y1 - y0)) << "\" fill=\"" << colour << "\"/>\n";
      }
      double top_of = value;
      if (c < series.low.size() && c < series.high.size() && std::isfinite(series.low[c]) && std::isfinite(series.high[c])) {
        const double xl = chart.lines ? x : x - bar_width * 0.04;
        svg << "<path d=\"M" << number(xl - 3) << ' ' << number(py(series.low[c])) << " H" << number(xl + 3) << " M" << number(xl) << ' '
            << number(py(series.low[c])) << " V" << number(py(series.high[c])) << " M" << number(xl - 3) << ' ' << number(py(series.high[c])) << " H"
            << number(xl + 3) << "\" stroke=\"#222\" stroke-width=\"1\" fill=\"none\"/>\n";
        top_of = std::max(top_of, series.high[c]);
      }
      if (c < series.marks.size() && !series.marks[c].empty()) {
        svg << "<text x=\"" << number(chart.lines ? x : x - bar_width * 0.04) << "\" y=\"" << number(py(std::max(0.0, top_of)) - 4)
            << "\" text-anchor=\"middle\" font-size=\"13\">" << escape(series.marks[c]) << "</text>\n";
      }
    }
    if (chart.lines && !path.str().empty()) {
      svg << "<path d=\"" << path.str().substr(1) << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.6\"/>\n";
    }
    const double legend_y = top + 14 + 18 * static_cast<double>(s);
    svg << "<rect x=\"" << number(left + inner_width + 12) << "\" y=\"" << number(legend_y - 9) << "\" width=\"12\" height=\"10\" fill=\"" << colour
        << "\"/><text x=\"" << number(left + inner_width + 30) << "\" y=\"" << number(legend_y) << "\">" << escape(series.label) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace visalign::apps
