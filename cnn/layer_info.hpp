#pragma once
// A layer of a model whose activations can be read (TorchScript models and built-in networks alike).

#include <cstdint>
#include <string>
#include <vector>

namespace visalign::cnn {

/// One layer: its name ("features.3") and the shape of one image's output ({128, 55, 55}).
struct LayerInfo {
  std::string name;
  std::vector<std::int64_t> shape;
};

}  // namespace visalign::cnn
