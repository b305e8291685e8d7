#include "cnn/image_batch.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace visalign::cnn {
namespace {

struct DecodedImage {
  int height = 0, width = 0;
  std::vector<std::uint8_t> rgb;  // height x width x 3
};

std::runtime_error file_error(const std::filesystem::path& file, const std::string& problem) {
  return std::runtime_error(file.string() + ": " + problem);
}

DecodedImage decode_rgb(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw file_error(file, "cannot open the image file");
  const std::vector<char> bytes{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
  if (stream.bad()) throw file_error(file, "cannot read the image file");
  if (bytes.empty()) throw file_error(file, "empty file, not an image");
  int width = 0, height = 0, channels_in_file = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &width,
                            &height, &channels_in_file, 3),
      stbi_image_free);
  if (!pixels) {
    const char* reason = stbi_failure_reason();
    throw file_error(file, std::string("cannot decode the image (stb_image: ") + (reason != nullptr ? reason : "unknown") +
                               ")");
  }
  DecodedImage image;
  image.height = height;
  image.width = width;
  image.rgb.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(width) * height * 3);
  return image;
}

/// PIL's resampling coefficients (Resample.c precompute_coeffs) for the bilinear (triangle) filter:
/// per output index, the first input index and the normalised weights.
/// The weights are PIL's 8-bit fixed-point ones (normalize_coeffs_8bpc), so that the result is
/// PIL's to the bit for the same decoded pixels.
constexpr int precision_bits = 32 - 8 - 2;

struct ResampleCoefficients {
  std::vector<int> first;
  std::vector<std::vector<std::int32_t>> weights;
};

ResampleCoefficients bilinear_coefficients(int input_size, int output_size) {
  const double scale = static_cast<double>(input_size) / output_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;
  ResampleCoefficients coefficients;
  coefficients.first.resize(output_size);
  coefficients.weights.resize(output_size);
  for (int out = 0; out < output_size; ++out) {
    const double center = (out + 0.5) * scale;
    int minimum = static_cast<int>(center - support + 0.5);
    if (minimum < 0) minimum = 0;
    int maximum = static_cast<int>(center + support + 0.5);
    if (maximum > input_size) maximum = input_size;
    std::vector<double> weights(static_cast<std::size_t>(maximum - minimum));
    double total = 0.0;
    for (int k = 0; k < maximum - minimum; ++k) {
      const double distance = std::abs((k + minimum - center + 0.5) / filter_scale);
      weights[k] = distance < 1.0 ? 1.0 - distance : 0.0;
      total += weights[k];
    }
    std::vector<std::int32_t> fixed(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k) {
      const double weight = total != 0.0 ? weights[k] / total : weights[k];
      fixed[k] = static_cast<std::int32_t>(weight < 0 ? -0.5 + weight * (1 << precision_bits)
                                                      : 0.5 + weight * (1 << precision_bits));
    }
    coefficients.first[out] = minimum;
    coefficients.weights[out] = std::move(fixed);
  }
  return coefficients;
}

/// PIL's clip8: each pass is stored in 8 bits (the sum starts at half a unit, so this rounds).
std::uint8_t round_to_byte(std::int64_t sum) {
  if (sum >= (std::int64_t{1} << precision_bits << 8)) return 255;
  if (sum <= 0) return 0;
  return static_cast<std::uint8_t>(sum >> precision_bits);
}

DecodedImage resize_bilinear_antialiased(const DecodedImage& image, int height, int width) {
  DecodedImage horizontal;
  horizontal.height = image.height;
  horizontal.width = width;
  if (width == image.width) {
    horizontal = image;
  } else {
    const ResampleCoefficients coefficients = bilinear_coefficients(image.width, width);
    horizontal.rgb.resize(static_cast<std::size_t>(image.height) * width * 3);
    for (int y = 0; y < image.height; ++y) {
      for (int x = 0; x < width; ++x) {
        const std::vector<std::int32_t>& weights = coefficients.weights[x];
        for (int c = 0; c < 3; ++c) {
          std::int64_t sum = std::int64_t{1} << (precision_bits - 1);
          for (std::size_t k = 0; k < weights.size(); ++k) {
            sum += std::int64_t{weights[k]} * image.rgb[(static_cast<std::size_t>(y) * image.width + coefficients.first[x] + k) * 3 + c];
          }
          horizontal.rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c] = round_to_byte(sum);
        }
      }
    }
  }
  if (height == image.height) return horizontal;
  const ResampleCoefficients coefficients = bilinear_coefficients(image.height, height);
  DecodedImage result;
  result.height = height;
  result.width = width;
  result.rgb.resize(static_cast<std::size_t>(height) * width * 3);
  for (int y = 0; y < height; ++y) {
    const std::vector<std::int32_t>& weights = coefficients.weights[y];
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        std::int64_t sum = std::int64_t{1} << (precision_bits - 1);
        for (std::size_t k = 0; k < weights.size(); ++k) {
          sum += std::int64_t{weights[k]} * horizontal.rgb[((coefficients.first[y] + k) * width + x) * 3 + c];
        }
        result.rgb[(static_cast<std::size_t>(y) * width + x) * 3 + c] = round_to_byte(sum);
      }
    }
  }
  return result;
}

DecodedImage preprocess_geometry(const std::filesystem::path& file, DecodedImage image, const Preprocessing& preprocessing) {
  if (preprocessing.resize_shorter > 0) {
    const int shorter = std::min(image.height, image.width);
    const int longer = std::max(image.height, image.width);
    const int new_shorter = preprocessing.resize_shorter;
    // torchvision: int(size * long / short), truncated.
    const int new_longer = static_cast<int>(static_cast<double>(new_shorter) * longer / shorter);
    const int new_height = image.height <= image.width ? new_shorter : new_longer;
    const int new_width = image.height <= image.width ? new_longer : new_shorter;
    if (new_height != image.height || new_width != image.width) {
      image = resize_bilinear_antialiased(image, new_height, new_width);
    }
  }
  if (preprocessing.crop > 0) {
    const int crop = preprocessing.crop;
    if (image.height < crop || image.width < crop) {
      throw std::invalid_argument(file.string() + ": image of " + std::to_string(image.height) + " x " +
                                  std::to_string(image.width) + " pixels is smaller than the crop of " +
                                  std::to_string(crop));
    }
    // torchvision: int(round((size - crop) / 2.0)), Python's round half to even.
    const int top = static_cast<int>(std::nearbyint((image.height - crop) / 2.0));
    const int left = static_cast<int>(std::nearbyint((image.width - crop) / 2.0));
    DecodedImage cropped;
    cropped.height = crop;
    cropped.width = crop;
    cropped.rgb.resize(static_cast<std::size_t>(crop) * crop * 3);
    for (int y = 0; y < crop; ++y) {
      const auto* source = image.rgb.data() + (static_cast<std::size_t>(top + y) * image.width + left) * 3;
      std::copy(source, source + static_cast<std::size_t>(crop) * 3, cropped.rgb.data() + static_cast<std::size_t>(y) * crop * 3);
    }
    image = std::move(cropped);
  }
  return image;
}

}  // namespace

ImageBatch load_images(const std::vector<std::filesystem::path>& files, const Preprocessing& preprocessing) {
  if (preprocessing.resize_shorter < 0 || preprocessing.crop < 0) {
    throw std::invalid_argument("preprocessing: resize_shorter and crop must be >= 0, found " +
                                std::to_string(preprocessing.resize_shorter) + " and " + std::to_string(preprocessing.crop));
  }
  for (int c = 0; c < 3; ++c) {
    if (!(preprocessing.std[c] > 0.0f)) throw std::invalid_argument("preprocessing: std must be > 0 for every channel");
  }
  ImageBatch batch;
  batch.count = static_cast<std::int64_t>(files.size());
  batch.channels = preprocessing.grey ? 1 : 3;
  const int channels = static_cast<int>(batch.channels);
  for (std::size_t n = 0; n < files.size(); ++n) {
    DecodedImage decoded = decode_rgb(files[n]);
    if (preprocessing.grey) {
      for (std::size_t pixel = 0; pixel < decoded.rgb.size(); pixel += 3) {
        const std::uint32_t luminance = (19595u * decoded.rgb[pixel] + 38470u * decoded.rgb[pixel + 1] +
                                         7471u * decoded.rgb[pixel + 2] + 0x8000u) >> 16;
        decoded.rgb[pixel] = decoded.rgb[pixel + 1] = decoded.rgb[pixel + 2] = static_cast<std::uint8_t>(luminance);
      }
    }
    const DecodedImage image = preprocess_geometry(files[n], std::move(decoded), preprocessing);
    if (n == 0) {
      batch.height = image.height;
      batch.width = image.width;
      batch.values.resize(static_cast<std::size_t>(batch.count) * channels * image.height * image.width);
    } else if (image.height != batch.height || image.width != batch.width) {
      throw std::invalid_argument(files[n].string() + ": preprocessed to " + std::to_string(image.height) + " x " +
                                  std::to_string(image.width) + " pixels, but the first image to " +
                                  std::to_string(batch.height) + " x " + std::to_string(batch.width) +
                                  " (set a crop size)");
    }
    const std::size_t plane = static_cast<std::size_t>(image.height) * image.width;
    for (int c = 0; c < channels; ++c) {
      float* destination = batch.values.data() + (n * channels + c) * plane;
      for (std::size_t pixel = 0; pixel < plane; ++pixel) {
        // Same float operations as ToTensor (byte / 255) and Normalize ((value - mean) / std).
        const float value = static_cast<float>(image.rgb[pixel * 3 + c]) / 255.0f;
        destination[pixel] = (value - preprocessing.mean[c]) / preprocessing.std[c];
      }
    }
  }
  return batch;
}

namespace {

/// Bytes (height x width x channels) to a PNG, atomically.
void write_png_bytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes, int height, int width, int channels) {
  std::filesystem::path temporary = file;
  temporary += ".tmp-writing";
  if (stbi_write_png(temporary.string().c_str(), width, height, channels, bytes.data(), width * channels) == 0) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw file_error(file, "cannot write the PNG file");
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw file_error(file, "cannot rename the written PNG into place: " + error.message());
  }
}

std::uint8_t to_byte(float value) {
  return static_cast<std::uint8_t>(std::lround((std::isnan(value) ? 0.0f : std::clamp(value, 0.0f, 1.0f)) * 255.0f));
}

}  // namespace

void write_png(const std::filesystem::path& file, const std::vector<float>& rgb_hwc, int height, int width) {
  if (height <= 0 || width <= 0) {
    throw std::invalid_argument("write_png: height and width must be positive, found " + std::to_string(height) + " x " +
                                std::to_string(width));
  }
  const std::size_t expected = static_cast<std::size_t>(height) * width * 3;
  if (rgb_hwc.size() != expected) {
    throw std::invalid_argument("write_png: rgb_hwc must hold height x width x 3 = " + std::to_string(expected) +
                                " values, found " + std::to_string(rgb_hwc.size()));
  }
  std::vector<std::uint8_t> bytes(expected);
  for (std::size_t i = 0; i < expected; ++i) bytes[i] = to_byte(rgb_hwc[i]);
  write_png_bytes(file, bytes, height, width, 3);
}

void write_png(const std::filesystem::path& file, const ImageBatch& images, std::int64_t index) {
  if (images.channels != 1 && images.channels != 3) {
    throw std::invalid_argument("write_png: expected 1 or 3 channels, found " + std::to_string(images.channels));
  }
  if (index < 0 || index >= images.count) {
    throw std::invalid_argument("write_png: image " + std::to_string(index) + " of a batch of " + std::to_string(images.count));
  }
  const auto channels = static_cast<int>(images.channels);
  const std::size_t plane = static_cast<std::size_t>(images.height) * images.width;
  if (images.values.size() != plane * channels * images.count) {
    throw std::invalid_argument("write_png: the batch's values do not match its shape");
  }
  std::vector<std::uint8_t> bytes(plane * channels);
  const float* image = images.values.data() + static_cast<std::size_t>(index) * channels * plane;
  for (std::size_t pixel = 0; pixel < plane; ++pixel) {
    for (int c = 0; c < channels; ++c) bytes[pixel * channels + c] = to_byte(image[c * plane + pixel]);
  }
  write_png_bytes(file, bytes, static_cast<int>(images.height), static_cast<int>(images.width), channels);
}

}  // namespace visalign::cnn
