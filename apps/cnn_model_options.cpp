#include "apps/cnn_model_options.hpp"

#include <algorithm>
#include <stdexcept>

#include "apps/option_lists.hpp"

namespace visalign::apps {

namespace {

std::array<float, 3> three_numbers(const std::string& text, const std::string& option) {
  const std::vector<double> numbers = parse_number_list(text, option);
  if (numbers.size() != 1 && numbers.size() != 3) {
    throw std::invalid_argument("--" + option + ": expected three comma-separated numbers (R,G,B) or one, found '" + text + "'");
  }
  // One number: grey images, or the same for R, G and B.
  const std::size_t last = numbers.size() - 1;
  return {static_cast<float>(numbers[0]), static_cast<float>(numbers[std::min<std::size_t>(1, last)]),
          static_cast<float>(numbers[last])};
}

}  // namespace

void declare_cnn_model_options(CnnModelOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("device", po::value(&options.device)->default_value(options.device),
       "auto (a CUDA GPU when there is one, else the CPU), cpu or cuda")
      ("resize", po::value(&options.resize)->default_value(options.resize),
       "resize each image so that its shorter side has this many pixels (0: keep the size)")
      ("crop", po::value(&options.crop)->default_value(options.crop), "centre crop to this square size (0: no crop)")
      ("mean", po::value(&options.mean)->default_value(options.mean),
       "per-channel mean subtracted after scaling pixels to [0, 1] (R,G,B, or one number; ImageNet's by default)")
      ("std", po::value(&options.std)->default_value(options.std), "per-channel standard deviation divided by (R,G,B, or one number)");
}

cnn::Preprocessing preprocessing_of(const CnnModelOptions& options) {
  if (options.resize < 0) throw std::invalid_argument("--resize: expected >= 0, found " + std::to_string(options.resize));
  if (options.crop < 0) throw std::invalid_argument("--crop: expected >= 0, found " + std::to_string(options.crop));
  cnn::Preprocessing preprocessing;
  preprocessing.resize_shorter = options.resize;
  preprocessing.crop = options.crop;
  preprocessing.mean = three_numbers(options.mean, "mean");
  preprocessing.std = three_numbers(options.std, "std");
  for (const float value : preprocessing.std) {
    if (!(value > 0)) throw std::invalid_argument("--std: expected positive numbers, found '" + options.std + "'");
  }
  return preprocessing;
}

}  // namespace visalign::apps
