#include "cnn/labelled_images.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace visalign::cnn {
namespace {

/// A whole IDX file (gzip or plain: zlib reads both).
std::vector<unsigned char> read_file_bytes(const std::filesystem::path& file) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> handle(gzopen(file.string().c_str(), "rb"), gzclose);
  if (!handle) throw std::runtime_error(file.string() + ": cannot open the file");
  std::vector<unsigned char> bytes;
  std::array<unsigned char, 1 << 16> buffer{};
  for (;;) {
    const int read = gzread(handle.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (read < 0) throw std::runtime_error(file.string() + ": cannot read the file (corrupt gzip data?)");
    if (read == 0) break;
    bytes.insert(bytes.end(), buffer.begin(), buffer.begin() + read);
  }
  return bytes;
}

std::uint32_t big_endian(const std::vector<unsigned char>& bytes, std::size_t offset) {
  return (std::uint32_t(bytes[offset]) << 24) | (std::uint32_t(bytes[offset + 1]) << 16) |
         (std::uint32_t(bytes[offset + 2]) << 8) | std::uint32_t(bytes[offset + 3]);
}

std::filesystem::path idx_file(const std::filesystem::path& folder, const std::string& name) {
  const std::filesystem::path compressed = folder / (name + ".gz");
  if (std::filesystem::exists(compressed)) return compressed;
  const std::filesystem::path plain = folder / name;
  if (std::filesystem::exists(plain)) return plain;
  throw std::runtime_error(compressed.string() + ": no such file (nor " + plain.filename().string() +
                           "); Fashion-MNIST comes with the Debian package dataset-fashion-mnist");
}

/// The header of an IDX file: checks the magic number (unsigned bytes, `dimensions` dimensions) and
/// returns the sizes.
std::vector<std::uint32_t> idx_sizes(const std::vector<unsigned char>& bytes, const std::filesystem::path& file, int dimensions) {
  if (bytes.size() < 4u + 4u * dimensions) throw std::runtime_error(file.string() + ": too short for an IDX header");
  const std::uint32_t magic = big_endian(bytes, 0);
  const std::uint32_t expected = 0x800u + static_cast<std::uint32_t>(dimensions);
  if (magic != expected) {
    throw std::runtime_error(file.string() + ": IDX magic number: expected " + std::to_string(expected) +
                             " (unsigned bytes, " + std::to_string(dimensions) + " dimensions), found " + std::to_string(magic));
  }
  std::vector<std::uint32_t> sizes;
  std::size_t values = 1;
  for (int d = 0; d < dimensions; ++d) {
    sizes.push_back(big_endian(bytes, 4 + 4 * d));
    values *= sizes.back();
  }
  const std::size_t header = 4u + 4u * dimensions;
  if (bytes.size() != header + values) {
    throw std::runtime_error(file.string() + ": expected " + std::to_string(header + values) + " bytes for the sizes in its header, found " +
                             std::to_string(bytes.size()));
  }
  return sizes;
}

}  // namespace

std::filesystem::path default_fashion_mnist_folder() { return "/usr/share/datasets/fashion-mnist"; }

std::vector<std::string> fashion_mnist_class_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

LabelledImages read_fashion_mnist(const std::filesystem::path& folder, const std::string& split, std::int64_t limit) {
  std::string prefix = split;
  if (prefix == "test") prefix = "t10k";
  if (prefix != "train" && prefix != "t10k") {
    throw std::invalid_argument("Fashion-MNIST split: expected \"train\" or \"test\" (\"t10k\"), found \"" + split + "\"");
  }
  const std::filesystem::path image_file = idx_file(folder, prefix + "-images-idx3-ubyte");
  const std::filesystem::path label_file = idx_file(folder, prefix + "-labels-idx1-ubyte");
  const std::vector<unsigned char> image_bytes = read_file_bytes(image_file);
  const std::vector<unsigned char> label_bytes = read_file_bytes(label_file);
  const std::vector<std::uint32_t> image_sizes = idx_sizes(image_bytes, image_file, 3);
  const std::vector<std::uint32_t> label_sizes = idx_sizes(label_bytes, label_file, 1);
  if (image_sizes[0] != label_sizes[0]) {
    throw std::runtime_error(label_file.string() + ": " + std::to_string(label_sizes[0]) + " labels, but " +
                             image_file.filename().string() + " holds " + std::to_string(image_sizes[0]) + " images");
  }
  std::int64_t count = image_sizes[0];
  if (limit > 0) count = std::min(count, limit);
  LabelledImages set;
  set.class_names = fashion_mnist_class_names();
  set.images.count = count;
  set.images.channels = 1;
  set.images.height = image_sizes[1];
  set.images.width = image_sizes[2];
  const std::size_t values = static_cast<std::size_t>(count) * image_sizes[1] * image_sizes[2];
  set.images.values.resize(values);
  for (std::size_t i = 0; i < values; ++i) set.images.values[i] = static_cast<float>(image_bytes[16 + i]) / 255.0f;
  set.labels.resize(count);
  for (std::int64_t i = 0; i < count; ++i) {
    set.labels[i] = label_bytes[8 + i];
    if (set.labels[i] >= static_cast<std::int64_t>(set.class_names.size())) {
      throw std::runtime_error(label_file.string() + ": label " + std::to_string(set.labels[i]) + " of image " +
                               std::to_string(i) + " is outside 0..9");
    }
  }
  return set;
}

LabelledImages select_images(const LabelledImages& set, const std::vector<std::int64_t>& indices) {
  LabelledImages subset;
  subset.class_names = set.class_names;
  subset.images.count = static_cast<std::int64_t>(indices.size());
  subset.images.channels = set.images.channels;
  subset.images.height = set.images.height;
  subset.images.width = set.images.width;
  const std::int64_t per_image = set.images.channels * set.images.height * set.images.width;
  subset.images.values.reserve(indices.size() * per_image);
  for (const std::int64_t index : indices) {
    if (index < 0 || index >= set.images.count) {
      throw std::out_of_range("select_images: index " + std::to_string(index) + " outside 0.." + std::to_string(set.images.count - 1));
    }
    const auto first = set.images.values.begin() + index * per_image;
    subset.images.values.insert(subset.images.values.end(), first, first + per_image);
    subset.labels.push_back(set.labels[index]);
  }
  return subset;
}

std::vector<std::int64_t> first_images_per_class(const LabelledImages& set, const std::vector<std::int64_t>& classes, int per_class) {
  if (per_class < 1) throw std::invalid_argument("images per class must be >= 1, found " + std::to_string(per_class));
  std::vector<std::int64_t> indices;
  for (const std::int64_t label : classes) {
    int found = 0;
    for (std::int64_t i = 0; i < set.images.count && found < per_class; ++i) {
      if (set.labels[i] == label) {
        indices.push_back(i);
        ++found;
      }
    }
    if (found < per_class) {
      throw std::invalid_argument("class " + std::to_string(label) + " has " + std::to_string(found) + " images, " +
                                  std::to_string(per_class) + " requested");
    }
  }
  return indices;
}

}  // namespace visalign::cnn
