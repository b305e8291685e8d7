#pragma once
// What `cnn adversarial` and `cnn attack` share: the classifier (a TorchScript model with its input
// normalisation, or a network checkpoint written by `cnn train`) and the labelled images it works on
// (image files with a class column, or Fashion-MNIST test/training images), as [0, 1] pixels.

#include <cstdint>
#include <string>
#include <vector>

#include "apps/cnn_model_options.hpp"
#include "apps/command.hpp"
#include "cnn/classifier.hpp"
#include "cnn/labelled_images.hpp"

namespace visalign::apps {

struct ClassifierInputOptions {
  std::string model;                 // TorchScript file
  std::string network;               // checkpoint of `cnn train`
  CnnModelOptions model_options;     // device; for TorchScript models also resize, crop, mean, std
  bool grey = false;                 // the TorchScript model takes one grey channel
  std::string images;                // folder or TSV of image files
  std::string fashion_mnist;         // "test" or "train": Fashion-MNIST images instead of files
  std::string fashion_mnist_folder;  // where its IDX files are
  std::string classes;               // Fashion-MNIST: classes to take ("0,1,2,3,4"; default all)
  int per_class = 0;                 // Fashion-MNIST: the first N images of each class (0: all images, up to --limit)
  std::int64_t limit = 0;            // Fashion-MNIST: the first N images (0: all)
};

/// Declares the model alone: --model, --grey, --network, --device, --resize, --crop, --mean, --std.
void declare_model_input(ClassifierInputOptions& options, CommandDeclaration& declaration);

/// Declares --model, --grey, --network, --device, --resize, --crop, --mean, --std, --images, --fashion-mnist,
/// --fashion-mnist-folder, --classes, --per-class and --limit.
void declare_classifier_input(ClassifierInputOptions& options, CommandDeclaration& declaration);

struct ClassifierImages {
  cnn::LabelledImages set;               // [0, 1] pixels and classes
  std::vector<std::string> image_ids;    // file stems or "fmnist_test_00042"
  std::vector<std::string> categories;   // the TSV's category column, else the class name or index
};

struct LoadedClassifier {
  cnn::Classifier classifier;
  std::int64_t height = 0, width = 0;  // a network's input size; 0 for TorchScript models (any size)
};

/// Loads the classifier (exactly one of --model and --network; std::invalid_argument otherwise) and records
/// the file as a provenance input.
LoadedClassifier load_classifier(const ClassifierInputOptions& options, RunContext& context);

/// Reads the images (exactly one of --images and --fashion-mnist) with their classes: image files need a
/// `class` or `imagenet_index` column in a TSV. Pixels in [0, 1]: TorchScript images are resized and cropped
/// by the options, network images must already have the network's size (grey when it takes one channel).
ClassifierImages load_classifier_images(const ClassifierInputOptions& options, const LoadedClassifier& classifier,
                                        RunContext& context);

}  // namespace visalign::apps
