// visalign cnn layers: the layers of a model (TorchScript, or a network checkpoint of `cnn train`) by name,
// with the output shape of each for one image, as `cnn activations --layers` names them.

#include <cstdio>

#include "apps/commands.hpp"
#include "apps/layer_model.hpp"

namespace visalign::apps {

namespace {

struct CnnLayersOptions {
  ClassifierInputOptions model;  // --model (also by position) or --network
};

void declare(CnnLayersOptions& options, CommandDeclaration& declaration) {
  declare_model_input(options.model, declaration);
  declaration.positional.add("model", 1);
}

void run(const CnnLayersOptions& options, RunContext& context) {
  const LayerModel model = LayerModel::load(options.model, context);
  std::printf("%s on %s, input %ld x %ld x %ld\n", model.description().c_str(), model.device().c_str(), static_cast<long>(model.channels()),
              static_cast<long>(model.height()), static_cast<long>(model.width()));
  std::printf("%-24s %-20s %12s\n", "layer", "shape", "units");
  for (const cnn::LayerInfo& layer : model.layers()) {
    std::string shape;
    std::int64_t units = 1;
    for (std::size_t i = 0; i < layer.shape.size(); ++i) {
      shape += (i ? " x " : "") + std::to_string(layer.shape[i]);
      units *= layer.shape[i];
    }
    std::printf("%-24s %-20s %12ld\n", layer.name.c_str(), shape.c_str(), static_cast<long>(units));
  }
}

}  // namespace

Command cnn_layers_command() {
  return make_command<CnnLayersOptions>(cnn_layers_info(), declare, run);
}

}  // namespace visalign::apps
