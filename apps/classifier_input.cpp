#include "apps/classifier_input.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "apps/image_list.hpp"
#include "apps/option_lists.hpp"
#include "cnn/network.hpp"
#include "cnn/torchscript_model.hpp"

namespace visalign::apps {

namespace {

std::vector<std::int64_t> parse_classes(const std::string& text) {
  std::vector<std::int64_t> classes = parse_integer_list(text, "classes");
  for (const std::int64_t value : classes) {
    if (value < 0) throw std::invalid_argument("--classes: expected class indices >= 0, found '" + text + "'");
  }
  return classes;
}

}  // namespace

void declare_model_input(ClassifierInputOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("model", po::value(&options.model)->value_name("PT"),
       "TorchScript classifier (ImageNet-style: --resize, --crop, --mean and --std give its input)")
      ("grey", po::bool_switch(&options.grey), "the TorchScript model takes one grey channel (as Fashion-MNIST models); "
       "images are converted to grey and normalised by the first --mean and --std value")
      ("network", po::value(&options.network)->value_name("CHECKPOINT"), "a network checkpoint written by 'cnn train'");
  declare_cnn_model_options(options.model_options, declaration);
}

void declare_classifier_input(ClassifierInputOptions& options, CommandDeclaration& declaration) {
  declare_model_input(options, declaration);
  declaration.options.add_options()
      ("images", po::value(&options.images)->value_name("DIR|TSV"),
       "image files: a TSV with 'file' and 'class' (or 'imagenet_index') columns and optional image_id and category "
       "columns, as stimuli/imagenet40/stimuli.tsv")
      ("fashion-mnist", po::value(&options.fashion_mnist)->value_name("SPLIT"),
       "instead of --images: Fashion-MNIST images, 'test' or 'train'")
      ("fashion-mnist-folder", po::value(&options.fashion_mnist_folder)->default_value(cnn::default_fashion_mnist_folder().string()),
       "the folder of the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)")
      ("classes", po::value(&options.classes)->default_value(""), "Fashion-MNIST: the classes to take, e.g. 0,1,2,3,4 (default: all)")
      ("per-class", po::value(&options.per_class)->default_value(0),
       "Fashion-MNIST: the first N images of each class, class by class (0: the images in file order)")
      ("limit", po::value(&options.limit)->default_value(0), "Fashion-MNIST: read only the first N images of the split (0: all)");
}

LoadedClassifier load_classifier(const ClassifierInputOptions& options, RunContext& context) {
  if (options.model.empty() == options.network.empty()) {
    throw std::invalid_argument("give exactly one of --model (a TorchScript file) and --network (a 'cnn train' checkpoint)");
  }
  const int threads = context.global().threads;
  if (!options.network.empty()) {
    context.provenance().add_input(options.network);
    const cnn::Network network = cnn::Network::load(options.network, options.model_options.device, threads);
    return {network.classifier(), network.spec().height, network.spec().width};
  }
  context.provenance().add_input(options.model);
  const cnn::Preprocessing preprocessing = preprocessing_of(options.model_options);
  const cnn::TorchScriptModel model = cnn::TorchScriptModel::load(options.model, options.model_options.device, threads);
  const std::size_t channels = options.grey ? 1 : 3;
  return {model.classifier({preprocessing.mean.begin(), preprocessing.mean.begin() + channels},
                           {preprocessing.std.begin(), preprocessing.std.begin() + channels},
                           "TorchScript " + std::filesystem::path(options.model).filename().string()),
          0, 0};
}

ClassifierImages load_classifier_images(const ClassifierInputOptions& options, const LoadedClassifier& loaded,
                                        RunContext& context) {
  const cnn::Classifier& classifier = loaded.classifier;
  if (options.images.empty() == options.fashion_mnist.empty()) {
    throw std::invalid_argument("give exactly one of --images (a folder or TSV of image files) and --fashion-mnist (test or train)");
  }
  ClassifierImages result;
  if (!options.fashion_mnist.empty()) {
    if (classifier.channels() != 1) {
      throw std::invalid_argument("--fashion-mnist: the images have 1 channel, the model expects " + std::to_string(classifier.channels()));
    }
    const cnn::LabelledImages all = cnn::read_fashion_mnist(options.fashion_mnist_folder, options.fashion_mnist, options.limit);
    context.provenance().add_input(options.fashion_mnist_folder);
    std::vector<std::int64_t> indices;
    if (options.per_class > 0) {
      std::vector<std::int64_t> classes;
      if (options.classes.empty()) {
        for (std::size_t c = 0; c < all.class_names.size(); ++c) classes.push_back(static_cast<std::int64_t>(c));
      } else {
        classes = parse_classes(options.classes);
      }
      indices = cnn::first_images_per_class(all, classes, options.per_class);
    } else {
      const std::vector<std::int64_t> classes = options.classes.empty() ? std::vector<std::int64_t>() : parse_classes(options.classes);
      for (std::int64_t i = 0; i < all.images.count; ++i) {
        if (classes.empty() || std::find(classes.begin(), classes.end(), all.labels[i]) != classes.end()) indices.push_back(i);
      }
    }
    result.set = cnn::select_images(all, indices);
    for (const std::int64_t index : indices) {
      char id[64];
      std::snprintf(id, sizeof id, "fmnist_%s_%05lld", options.fashion_mnist.c_str(), static_cast<long long>(index));
      result.image_ids.push_back(id);
      result.categories.push_back(all.class_names[static_cast<std::size_t>(all.labels[index])]);
    }
    return result;
  }
  const ImageList list = read_image_list(options.images);
  context.provenance().add_input(options.images);
  if (list.classes.empty()) {
    throw std::invalid_argument("--images " + options.images +
                                ": a TSV with a 'class' (or 'imagenet_index') column is needed to know each image's class");
  }
  cnn::Preprocessing preprocessing = preprocessing_of(options.model_options);
  preprocessing.mean = {0.0f, 0.0f, 0.0f};  // pixels in [0, 1]: the classifier normalises
  preprocessing.std = {1.0f, 1.0f, 1.0f};
  preprocessing.grey = classifier.channels() == 1;
  if (loaded.height > 0) {
    preprocessing.resize_shorter = 0;  // network inputs are used at their size, which must be the network's
    preprocessing.crop = 0;
    result.set.images = cnn::load_images(list.files, preprocessing);
    if (result.set.images.height != loaded.height || result.set.images.width != loaded.width) {
      throw std::invalid_argument("--images " + options.images + ": images of " + std::to_string(result.set.images.height) + " x " +
                                  std::to_string(result.set.images.width) + " pixels, the network takes " +
                                  std::to_string(loaded.height) + " x " + std::to_string(loaded.width));
    }
  } else {
    result.set.images = cnn::load_images(list.files, preprocessing);
  }
  result.set.labels = list.classes;
  for (const auto& column : list.images.columns) {
    result.image_ids.push_back(column.image_id);
    result.categories.push_back(column.category);
  }
  return result;
}

}  // namespace visalign::apps
