#pragma once
// Options every CNN command shares: the device and the image preprocessing.

#include <string>

#include "apps/command.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::apps {

struct CnnModelOptions {
  std::string device = "auto";
  int resize = 256, crop = 224;
  std::string mean = "0.485,0.456,0.406", std = "0.229,0.224,0.225";
};

/// Declares --device, --resize, --crop, --mean and --std.
void declare_cnn_model_options(CnnModelOptions& options, CommandDeclaration& declaration);

/// The preprocessing the options describe; std::invalid_argument for malformed values.
cnn::Preprocessing preprocessing_of(const CnnModelOptions& options);

}  // namespace visalign::apps
