// visalign cnn activations: the activations of chosen layers of a model (TorchScript, or a network
// checkpoint of `cnn train`) to a set of images, one NPY per layer (float32, images x units) and a layer
// list JSON that `rsa layers` and `encoding fit` read.

#include <cstdio>

#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/image_list.hpp"
#include "apps/layer_file_stem.hpp"
#include "apps/layer_model.hpp"
#include "fmri/npy.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

struct CnnActivationsOptions {
  ClassifierInputOptions model;  // --model (also by position) or --network, with the model options
  std::string images;
  std::string layers;
  int batch_size = 50;
  std::string out;
};

void declare(CnnActivationsOptions& options, CommandDeclaration& declaration) {
  declare_model_input(options.model, declaration);
  declaration.options.add_options()
      ("images", po::value(&options.images)->required()->value_name("DIR|TSV"),
       "a folder of PNG/JPEG images (sorted by name), or a TSV with a 'file' column (paths relative to it) and optional "
       "image_id, image_type (RE, AN, AI, ...) and category columns")
      ("layers", po::value(&options.layers)->default_value(""),
       "comma-separated layer names as 'cnn layers' lists them (default: every layer)")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per forward pass")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <layer>.npy per layer, images.tsv and layers.json (the layer list of 'rsa layers' and 'encoding fit')");
  declaration.positional.add("model", 1);
}

void run(const CnnActivationsOptions& options, RunContext& context) {
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  const std::filesystem::path folder = options.out;
  // Everything is checked before the long work and before the output folder exists: the images are listed,
  // the model loads, the layers exist; then the images decode.
  const ImageList list = read_image_list(options.images);
  context.provenance().add_input(options.images);
  LayerModel model = LayerModel::load(options.model, context);
  model.set_batch_size(options.batch_size);
  const std::vector<std::string> names = model.chosen_layers(options.layers, "--layers");
  const cnn::ImageBatch batch = cnn::load_images(list.files, model.file_preprocessing());
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "layers.json");
  ProgressBar progress = context.progress("activations");
  const std::vector<Eigen::MatrixXf> activations =
      model.activations(batch, names, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
  progress.finish();

  const std::vector<cnn::LayerInfo> available = model.layers();
  const cnn::Preprocessing preprocessing = model.file_preprocessing();
  nlohmann::json index;
  index["model"] = options.model.network.empty() ? options.model.model : options.model.network;
  index["description"] = model.description();
  index["device"] = model.device();
  index["images"] = "images.tsv";
  index["input"] = {{"channels", model.channels()}, {"height", model.height()}, {"width", model.width()},
                    {"resize_shorter", preprocessing.resize_shorter}, {"crop", preprocessing.crop}};
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
