#include "fmri/response_repeats.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <stdexcept>

#include "surface/format_error.hpp"

namespace visalign::fmri {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? " x " : "") + std::to_string(shape[i]);
  return text.empty() ? "a scalar" : text;
}

std::string layout_text(const ResponseLayout& layout) {
  std::string text;
  for (std::size_t i = 0; i < layout.axes.size(); ++i) text += (i ? "," : "") + layout.axes[i];
  return text;
}

}  // namespace

ResponseLayout parse_response_layout(const std::string& text) {
  ResponseLayout layout;
  std::stringstream stream(text);
  std::string axis;
  while (std::getline(stream, axis, ',')) layout.axes.push_back(axis);
  std::vector<std::string> sorted = layout.axes;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != std::vector<std::string>{"neurons", "repeats", "stimuli"}) {
    throw std::invalid_argument("response layout: expected the axes repeats, stimuli and neurons in file order (e.g. "
                                "repeats,neurons,stimuli), found '" + text + "'");
  }
  return layout;
}

std::vector<Eigen::MatrixXd> response_repeats(const NpyArray& array, const ResponseLayout& layout, int repeats, const std::string& source) {
  std::array<std::int64_t, 3> extent{};  // in layout (file) order
  if (array.shape.size() == 3) {
    for (std::size_t i = 0; i < 3; ++i) extent[i] = array.shape[i];
  } else if (array.shape.size() == 2) {
    if (layout.axes[2] != "neurons") {
      throw surface::FormatError(source, "layout: a 2-D response array needs rows of (stimulus, repeat) pairs and neurons as columns; "
                                         "layout " + layout_text(layout) + " does not end with neurons");
    }
    if (repeats < 1) throw std::invalid_argument(source + ": a 2-D response array needs the number of repeats (> 0), found " + std::to_string(repeats));
    if (array.shape[0] % repeats != 0) {
      throw surface::FormatError(source, "rows: expected a multiple of " + std::to_string(repeats) + " repeats, found " +
                                             std::to_string(array.shape[0]) + " (shape " + shape_text(array.shape) + ")");
    }
    const std::int64_t other = array.shape[0] / repeats;
    extent = {layout.axes[0] == "repeats" ? repeats : other, layout.axes[0] == "repeats" ? other : repeats, array.shape[1]};
  } else {
    throw surface::FormatError(source, "shape: expected 3 axes (" + layout_text(layout) + ") or 2 (rows x neurons), found " +
                                           shape_text(array.shape));
  }
  std::int64_t count[3] = {0, 0, 0};  // repeats, stimuli, neurons
  std::array<int, 3> role{};           // file axis i -> 0 repeats, 1 stimuli, 2 neurons
  for (std::size_t i = 0; i < 3; ++i) {
    role[i] = layout.axes[i] == "repeats" ? 0 : (layout.axes[i] == "stimuli" ? 1 : 2);
    count[role[i]] = extent[i];
  }
  if (count[0] < 1 || count[1] < 1 || count[2] < 1) {
    throw surface::FormatError(source, "shape: expected at least one repeat, stimulus and neuron, found " + shape_text(array.shape) +
                                           " as " + layout_text(layout));
  }
  std::vector<Eigen::MatrixXd> result(static_cast<std::size_t>(count[0]), Eigen::MatrixXd(count[1], count[2]));
  std::int64_t index[3];
  std::size_t flat = 0;
  for (index[0] = 0; index[0] < extent[0]; ++index[0]) {
    for (index[1] = 0; index[1] < extent[1]; ++index[1]) {
      for (index[2] = 0; index[2] < extent[2]; ++index[2], ++flat) {
        std::int64_t at[3];
        for (int i = 0; i < 3; ++i) at[role[static_cast<std::size_t>(i)]] = index[i];
        result[static_cast<std::size_t>(at[0])](at[1], at[2]) = array.values[flat];
      }
    }
  }
  return result;
}

}  // namespace visalign::fmri
