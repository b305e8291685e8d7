#pragma once
// Images in for the CNN models: PNG/JPEG decoding (stb_image), the torchvision ImageNet
// preprocessing (resize the shorter side, centre crop, normalise) and PNG writing. No LibTorch here.

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace visalign::cnn {

/// The torchvision ImageNet pipeline `Resize(resize_shorter)`, `CenterCrop(crop)`, `ToTensor()`,
/// `Normalize(mean, std)` on PIL images:
/// - resize: the shorter side becomes `resize_shorter`, the longer int(resize_shorter * long / short)
///   (truncated, as torchvision). Bilinear WITH antialiasing as PIL's `Image.resize(..., BILINEAR)`
///   (triangle filter widened by the reduction factor; horizontal pass, then vertical, each stored in
///   8 bits, with PIL's fixed-point weights: the same bytes as PIL for the same decoded pixels), i.e. torchvision's PIL path (= tensor path with antialias=True), not
///   `antialias=False`. 0: no resize.
/// - crop: centre crop of crop x crop, offsets int(round((size - crop) / 2)) as torchvision; 0: none.
///   Images smaller than the crop are an error (torchvision would pad).
/// - values scaled to [0, 1] (byte / 255), then (value - mean[c]) / std[c] per RGB channel.
/// - grey: one channel, the luminance of PIL's convert("L") (L = (19595 R + 38470 G + 7471 B + 2^15) >> 16,
///   computed on the decoded bytes before resizing); mean[0] and std[0] normalise it.
struct Preprocessing {
  int resize_shorter = 256;
  int crop = 224;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  bool grey = false;
};

/// A batch of preprocessed images, NCHW in C order: values[((n * channels + c) * height + y) * width + x].
struct ImageBatch {
  std::int64_t count = 0, channels = 3, height = 0, width = 0;
  std::vector<float> values;  // count x channels x height x width
};

/// Decodes PNG/JPEG/BMP/GIF (first frame) files with stb_image and preprocesses them (see Preprocessing).
/// Grey images are replicated to R = G = B; an alpha channel is dropped without compositing (as PIL's
/// convert("RGB")); 16-bit PNGs are reduced to 8 bits. EXIF orientation is ignored (as PIL by default).
/// All images must come out of the preprocessing with the same size (std::invalid_argument otherwise,
/// naming the first file of a different size). An unreadable file or a failed decode throws
/// std::runtime_error "<file>: <problem>".
ImageBatch load_images(const std::vector<std::filesystem::path>& files, const Preprocessing& preprocessing);

/// Writes an RGB image as an 8-bit PNG, atomically (a temporary name in the same folder, then rename).
/// rgb_hwc: height x width x 3 floats in [0, 1] (clamped, rounded to the nearest of 0..255).
/// std::invalid_argument for a wrong size, std::runtime_error "<file>: <problem>" when writing fails.
void write_png(const std::filesystem::path& file, const std::vector<float>& rgb_hwc, int height, int width);

/// Writes image `index` of a batch of [0, 1] pixels as an 8-bit PNG (1 channel: grey, 3: RGB), atomically.
/// std::invalid_argument for another channel count or an index outside the batch.
void write_png(const std::filesystem::path& file, const ImageBatch& images, std::int64_t index);

}  // namespace visalign::cnn
