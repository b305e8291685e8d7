#pragma once
// Labelled image sets for training and attacking classifiers: Fashion-MNIST's IDX files (plain or
// gzip-compressed, as Debian's dataset-fashion-mnist ships them) and subsets of a set.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cnn/image_batch.hpp"

namespace visalign::cnn {

struct LabelledImages {
  ImageBatch images;                     // [0, 1] pixels, count x channels x height x width
  std::vector<std::int64_t> labels;      // one class index per image
  std::vector<std::string> class_names;  // indexed by class
};

/// Where Debian's dataset-fashion-mnist puts the files.
std::filesystem::path default_fashion_mnist_folder();

/// The Fashion-MNIST classes: "T-shirt/top", "Trouser", ..., "Ankle boot".
std::vector<std::string> fashion_mnist_class_names();

/// Reads `<split>-images-idx3-ubyte[.gz]` and `<split>-labels-idx1-ubyte[.gz]` from the folder (split
/// "train" or "t10k"; "test" is accepted for "t10k"): pixels / 255 as 1 x 28 x 28 images. limit > 0
/// reads only the first `limit` images. std::runtime_error "<file>: ..." for a missing or unreadable file,
/// a wrong magic number, a truncated file, image and label counts that differ, or a label outside 0..9;
/// std::invalid_argument for an unknown split.
LabelledImages read_fashion_mnist(const std::filesystem::path& folder, const std::string& split, std::int64_t limit = 0);

/// The images at the given indices, in that order. std::out_of_range for an index past the end.
LabelledImages select_images(const LabelledImages& set, const std::vector<std::int64_t>& indices);

/// The indices of the first `per_class` images of each class in `classes`, class by class (as the study's
/// stimulus sets: 8 images of each of 5 categories), for select_images. std::invalid_argument if a class
/// has fewer images.
std::vector<std::int64_t> first_images_per_class(const LabelledImages& set, const std::vector<std::int64_t>& classes, int per_class);

}  // namespace visalign::cnn
