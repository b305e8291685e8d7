// What `visalign --help` says of the cnn commands. The commands themselves run in the visalign-cnn
// program (they link LibTorch); visalign lists them and hands their arguments over.

#include "apps/commands.hpp"

namespace visalign::apps {

CommandInfo cnn_layers_info() {
  return {"cnn", "layers", "the layers of a TorchScript model, with their output shapes",
       "Loads a TorchScript model and lists the layers whose activations 'cnn activations' can extract:\n"
       "the children of its top-level sequential containers in order (torchvision's features.N,\n"
       "classifier.N, ...) and the model's output, with each one's output shape for one image of the\n"
       "preprocessed size."};
}

CommandInfo cnn_activations_info() {
  return {"cnn", "activations", "layer activations of a TorchScript model to images, as NPY files + a layer list",
       "Preprocesses the images (shorter side resized, centre crop, [0, 1] pixels normalised by the channel\n"
       "mean and standard deviation), runs the model in batches and writes one NPY per requested layer\n"
       "(float32, images x units, C order), images.tsv (the images in row order) and layers.json, the layer\n"
       "list that 'rsa layers' and 'encoding fit' read."};
}

}  // namespace visalign::apps
