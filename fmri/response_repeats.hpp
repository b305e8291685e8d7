#pragma once
// Neural responses with repeats, as recordings come: a 3-D NPY array whose axes are repeats,
// stimuli and neurons in any order (e.g. macaque V1: repeats x neurons x stimuli), or a 2-D array
// whose rows are (stimulus, repeat) or (repeat, stimulus) pairs (e.g. Allen: 900 rows = 18 images x
// 50 repeats). The layout names the axes in the file's order.

#include <Eigen/Core>

#include <string>
#include <vector>

#include "fmri/npy.hpp"

namespace visalign::fmri {

/// Axis names in file order, comma-separated: three of repeats/stimuli/neurons for a 3-D array
/// ("repeats,neurons,stimuli"), or for a 2-D array the two axes merged in its rows and then neurons
/// ("stimuli,repeats,neurons": rows stimulus-major; "repeats,stimuli,neurons": repeat-major).
struct ResponseLayout {
  std::vector<std::string> axes;  // a permutation of {"repeats", "stimuli", "neurons"}
};

/// std::invalid_argument unless `text` names each of repeats, stimuli, neurons once.
ResponseLayout parse_response_layout(const std::string& text);

/// One matrix per repeat, stimuli x neurons. For a 2-D array `repeats` (> 0) says how its rows split
/// (ignored for 3-D arrays, which carry it). FormatError naming `source`, the shape and the layout
/// when they do not fit (a 2-D array whose rows are not a multiple of `repeats`, the neurons axis
/// not last for a 2-D array, other dimensions).
std::vector<Eigen::MatrixXd> response_repeats(const NpyArray& array, const ResponseLayout& layout, int repeats, const std::string& source);

}  // namespace visalign::fmri
