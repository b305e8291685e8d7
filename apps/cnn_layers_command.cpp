// visalign cnn layers: the layers of a TorchScript model by name, with the output shape of each for
// one image, as `cnn activations --layers` names them.

#include <cstdio>

#include "apps/cnn_model_options.hpp"
#include "apps/commands.hpp"
#include "cnn/torchscript_model.hpp"

namespace visalign::apps {

namespace {

struct CnnLayersOptions {
  std::string model;
  CnnModelOptions model_options;
};

void declare(CnnLayersOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("model", po::value(&options.model)->required()->value_name("PT"),
       "TorchScript model file (torch.jit.script(model).save(...); see the README)");
  declare_cnn_model_options(options.model_options, declaration);
  declaration.positional.add("model", 1);
}

void run(const CnnLayersOptions& options, RunContext& context) {
  const cnn::Preprocessing preprocessing = preprocessing_of(options.model_options);
  context.provenance().add_input(options.model);
  const cnn::TorchScriptModel model = cnn::TorchScriptModel::load(options.model, options.model_options.device, context.global().threads);
  const std::int64_t size = preprocessing.crop > 0 ? preprocessing.crop : (preprocessing.resize_shorter > 0 ? preprocessing.resize_shorter : 224);
  std::printf("%s on %s, input 3 x %ld x %ld\n", options.model.c_str(), model.device().c_str(), static_cast<long>(size), static_cast<long>(size));
  std::printf("%-24s %-20s %12s\n", "layer", "shape", "units");
  for (const cnn::LayerInfo& layer : model.layers(3, size, size)) {
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
