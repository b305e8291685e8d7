#pragma once
// The Gabor patches of the in-silico electrophysiology (METHODS.md section 2, "Spatial-frequency tuning";
// seed 001, Methods eq. 4): a grid of orientations x phases x spatial frequencies, one patch centred in
// each image on a grey background. No LibTorch here.
//
// Geometry: pixel (row i, column j) of an image of `image_size` pixels has its centre at
//   x = j - (image_size - 1) / 2,  y = (image_size - 1) / 2 - i   (pixels; x to the right, y UP),
// so the patch is centred on the image (between the four central pixels for an even size). A patch is
//   g(x, y) = exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)) cos(2 pi x' / lambda + phase),
//   x' = x cos(theta) + y sin(theta),  y' = -x sin(theta) + y cos(theta),  lambda = image_size / f pixels
// (f in cycles per image), and the pixel value is background + amplitude * g (0.5 + 0.5 g: in [0, 1]).
// Orientation 0 deg modulates along x (vertical stripes), 90 deg along y (horizontal stripes), the same
// convention as cnn/v1_model.hpp. The seed prints gamma (not gamma^2) in front of y'^2; with its gamma = 1
// the two agree, and gamma^2 is the usual Gabor aspect ratio (the envelope's sigma along y' is sigma / gamma).

#include <cstddef>
#include <vector>

#include "cnn/image_batch.hpp"

namespace visalign::cnn {

/// `count` values evenly spaced from `first` to `last` inclusive (numpy.linspace; count 1: {first}).
std::vector<double> evenly_spaced(double first, double last, std::size_t count);

/// The stimulus set. The defaults are METHODS': 224 px = 6.4 degrees, sigma 35 px, gamma 1, 10 orientations
/// evenly in [0, 172.5] deg (numpy.linspace), 10 phases evenly in [0, 360) deg, the 10 frequencies 2.5 ... 56
/// cycles/image, 3 channels (the grey value replicated).
struct GaborStimulusSpec {
  int image_size = 224;                 // square images, pixels
  double field_of_view = 6.4;           // degrees spanned by image_size pixels
  double sigma = 35.0;                  // Gaussian envelope, pixels
  double gamma = 1.0;                   // aspect ratio of the envelope
  std::vector<double> orientations = evenly_spaced(0.0, 172.5, 10);               // degrees
  std::vector<double> phases = evenly_spaced(0.0, 324.0, 10);                      // degrees: 0, 36, ..., 324
  std::vector<double> frequencies{2.5, 3.5, 5, 7.1, 10, 14.1, 20, 28.3, 40, 56};   // cycles/image
  int channels = 3;                     // 1 (grey) or 3 (the same value in R, G and B)
  double background = 0.5, amplitude = 0.5;
};

/// std::invalid_argument naming the field, the expected and the found value: image_size < 2, field_of_view,
/// sigma or gamma not > 0, channels other than 1 and 3, an empty list, a non-finite orientation or phase, a
/// frequency not > 0 or above the Nyquist frequency image_size / 2 (it would alias to a lower frequency on
/// the pixel grid), or pixel values that leave [0, 1] (background +- |amplitude|).
void validate_gabor_stimulus_spec(const GaborStimulusSpec& spec);

/// A spec for smaller (or larger) images that keeps the pixels per degree and the look of each patch on
/// the pixel grid: the images are the spec's images resampled to `image_size` pixels. With r = image_size /
/// spec.image_size, field_of_view and sigma are multiplied by r, the frequencies in cycles/image stay (so their
/// cycles/degree grow by 1 / r), and frequencies above the new Nyquist frequency image_size / 2 are dropped:
/// on the coarser grid they would alias to lower frequencies and corrupt the tuning curves.
/// Example: METHODS' set at 28 px (Fashion-MNIST) spans 0.8 degrees with sigma 4.375 px and keeps 2.5, 3.5, 5,
/// 7.1 and 10 cycles/image (3.125 ... 12.5 cycles/degree); 14.1 ... 56 are dropped (above 14).
struct ScaledGaborStimulusSpec {
  GaborStimulusSpec spec;
  std::vector<double> dropped_frequencies;  // cycles/image, above the Nyquist frequency of the new size
};
ScaledGaborStimulusSpec scaled_gabor_stimulus_spec(const GaborStimulusSpec& spec, int image_size);

/// One stimulus of the set, with its indices into the spec's lists.
struct GaborStimulus {
  std::size_t frequency_index = 0, orientation_index = 0, phase_index = 0;
  double orientation_deg = 0, phase_deg = 0, cycles_per_image = 0, cycles_per_degree = 0;
};

/// The stimuli in set order: frequency slowest, then orientation, phase fastest
/// (index = (frequency_index * orientations + orientation_index) * phases + phase_index).
/// std::invalid_argument for an invalid spec.
std::vector<GaborStimulus> gabor_stimuli(const GaborStimulusSpec& spec);

/// The images of stimuli first ... first + count - 1 (set order) as [0, 1] pixels, spec.channels x image_size x
/// image_size each (computed in double, stored as float). std::invalid_argument for an invalid spec or a range
/// outside the set.
ImageBatch gabor_images(const GaborStimulusSpec& spec, std::size_t first, std::size_t count);

/// All the images of the set.
ImageBatch gabor_images(const GaborStimulusSpec& spec);

}  // namespace visalign::cnn
