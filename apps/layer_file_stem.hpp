#pragma once
// The file name stem of a layer's outputs, shared by every command that writes one file per layer
// (cnn activations, eigenspectra, tuning, predictivity), so a layer's files are named alike everywhere.

#include <string>

namespace visalign::apps {

/// "features.3" -> "features_3": dots (which would read as extensions), path separators and spaces become '_'.
inline std::string layer_file_stem(const std::string& layer) {
  std::string stem = layer;
  for (char& c : stem) {
    if (c == '.' || c == '/' || c == '\\' || c == ' ') c = '_';
  }
  return stem;
}

}  // namespace visalign::apps
