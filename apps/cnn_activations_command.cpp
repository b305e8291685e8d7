// visalign cnn activations: the activations of chosen layers of a TorchScript model to a set of
// images, one NPY per layer (float32, images x units) and a layer list JSON that `rsa layers` and
// `encoding fit` read.

#include <algorithm>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/cnn_model_options.hpp"
#include "apps/commands.hpp"
#include "apps/layer_file_stem.hpp"
#include "apps/image_list.hpp"
#include "apps/option_lists.hpp"
#include "cnn/torchscript_model.hpp"
#include "fmri/npy.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

struct CnnActivationsOptions {
  std::string model;
  std::string images;
  std::string layers;
  int batch_size = 50;
  CnnModelOptions model_options;
  std::string out;
};

void declare(CnnActivationsOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("model", po::value(&options.model)->required()->value_name("PT"), "TorchScript model file")
      ("images", po::value(&options.images)->required()->value_name("DIR|TSV"),
       "a folder of PNG/JPEG images (sorted by name), or a TSV with a 'file' column (paths relative to it) and optional "
       "image_id, image_type (RE, AN, AI, ...) and category columns")
      ("layers", po::value(&options.layers)->default_value(""),
       "comma-separated layer names as 'cnn layers' lists them (default: every layer)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward pass")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <layer>.npy per layer, images.tsv and layers.json (the layer list of 'rsa layers' and 'encoding fit')");
  declare_cnn_model_options(options.model_options, declaration);
  declaration.positional.add("model", 1);
}

void run(const CnnActivationsOptions& options, RunContext& context) {
  const cnn::Preprocessing preprocessing = preprocessing_of(options.model_options);
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  const std::filesystem::path folder = options.out;
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "layers.json");
  // Everything is checked before the long work: the images exist and decode, the model loads, the layers exist.
  const ImageList list = read_image_list(options.images);
  context.provenance().add_input(options.images);
  context.provenance().add_input(options.model);
  const cnn::TorchScriptModel model = cnn::TorchScriptModel::load(options.model, options.model_options.device, context.global().threads);
  std::vector<std::string> names;  // empty: every layer
  if (!options.layers.empty()) names = split_option_list(options.layers, "layers");
  auto check_names = [&](const std::vector<cnn::LayerInfo>& available) {
    for (const std::string& name : names) {
      const bool known = std::any_of(available.begin(), available.end(), [&](const cnn::LayerInfo& layer) { return layer.name == name; });
      if (!known) {
        std::string listed;
        for (const auto& layer : available) listed += " " + layer.name;
        throw std::invalid_argument("--layers: unknown layer \"" + name + "\"; the model's layers are:" + listed);
      }
    }
  };
  if (preprocessing.crop > 0) check_names(model.layers(3, preprocessing.crop, preprocessing.crop));  // before decoding images
  const cnn::ImageBatch batch = cnn::load_images(list.files, preprocessing);
  const std::vector<cnn::LayerInfo> available = model.layers(batch.channels, batch.height, batch.width);
  check_names(available);
  if (names.empty()) {
    for (const auto& layer : available) names.push_back(layer.name);
  }
  ProgressBar progress = context.progress("activations");
  const std::vector<Eigen::MatrixXf> activations =
      model.activations(batch, names, options.batch_size, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
  progress.finish();

  nlohmann::json index;
  index["model"] = options.model;
  index["device"] = model.device();
  index["images"] = "images.tsv";
  index["preprocessing"] = {{"resize_shorter", preprocessing.resize_shorter}, {"crop", preprocessing.crop},
                            {"mean", preprocessing.mean}, {"std", preprocessing.std}};
  index["layers"] = nlohmann::json::array();
  for (std::size_t l = 0; l < names.size(); ++l) {
    const std::string file = layer_file_stem(names[l]) + ".npy";
    fmri::write_float_npy(activations[l], folder / file);
    std::vector<std::int64_t> shape;
    for (const auto& layer : available) {
      if (layer.name == names[l]) shape = layer.shape;
    }
    index["layers"].push_back({{"name", names[l]}, {"activations", file}, {"shape", shape}, {"units", activations[l].cols()}});
    context.record_output(folder / file);
  }
  fmri::write_design(list.images, folder / "images.tsv");
  context.record_output(folder / "images.tsv");
  surface::write_bytes_atomically(folder / "layers.json", index.dump(2) + "\n");
  context.finished_output(folder / "layers.json");
  std::printf("%zu images x %zu layers on %s -> %s\n", list.files.size(), names.size(), model.device().c_str(),
              (folder / "layers.json").string().c_str());
}

}  // namespace

Command cnn_activations_command() {
  return make_command<CnnActivationsOptions>(cnn_activations_info(), declare, run);
}

}  // namespace visalign::apps
