#include "cnn/gabor_stimuli.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace visalign::cnn {

namespace {

constexpr double pi = 3.14159265358979323846;

std::string text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

void require_positive(double value, const char* field) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string("Gabor stimuli: expected ") + field + " > 0, found " + text(value));
  }
}

void require_finite_list(const std::vector<double>& values, const char* field) {
  if (values.empty()) throw std::invalid_argument(std::string("Gabor stimuli: expected at least one of ") + field + ", found none");
  for (const double value : values) {
    if (!std::isfinite(value)) throw std::invalid_argument(std::string("Gabor stimuli: expected finite ") + field + ", found " + text(value));
  }
}

}  // namespace

std::vector<double> evenly_spaced(double first, double last, std::size_t count) {
  std::vector<double> values(count);
  if (count == 0) return values;
  if (count == 1) return {first};
  // numpy.linspace: first + i * step, and the last value set to `last` exactly.
  const double step = (last - first) / static_cast<double>(count - 1);
  for (std::size_t i = 0; i < count; ++i) values[i] = first + static_cast<double>(i) * step;
  values.back() = last;
  return values;
}

void validate_gabor_stimulus_spec(const GaborStimulusSpec& spec) {
  if (spec.image_size < 2) throw std::invalid_argument("Gabor stimuli: expected image_size >= 2, found " + std::to_string(spec.image_size));
  require_positive(spec.field_of_view, "field_of_view (degrees)");
  require_positive(spec.sigma, "sigma (pixels)");
  require_positive(spec.gamma, "gamma");
  if (spec.channels != 1 && spec.channels != 3) {
    throw std::invalid_argument("Gabor stimuli: expected 1 or 3 channels, found " + std::to_string(spec.channels));
  }
  require_finite_list(spec.orientations, "orientations");
  require_finite_list(spec.phases, "phases");
  require_finite_list(spec.frequencies, "frequencies");
  const double nyquist = spec.image_size / 2.0;
  for (const double frequency : spec.frequencies) {
    require_positive(frequency, "frequencies (cycles/image)");
    if (frequency > nyquist) {
      throw std::invalid_argument("Gabor stimuli: expected frequencies up to the Nyquist frequency " + text(nyquist) +
                                  " cycles/image of " + std::to_string(spec.image_size) + " px images, found " + text(frequency));
    }
  }
  if (!std::isfinite(spec.background) || !std::isfinite(spec.amplitude) || spec.background - std::abs(spec.amplitude) < 0.0 ||
      spec.background + std::abs(spec.amplitude) > 1.0) {
    throw std::invalid_argument("Gabor stimuli: expected background +- amplitude inside [0, 1], found background " + text(spec.background) +
                                ", amplitude " + text(spec.amplitude));
  }
}

ScaledGaborStimulusSpec scaled_gabor_stimulus_spec(const GaborStimulusSpec& spec, int image_size) {
  validate_gabor_stimulus_spec(spec);
  if (image_size < 2) throw std::invalid_argument("Gabor stimuli: expected an image size >= 2 to scale to, found " + std::to_string(image_size));
  const double ratio = static_cast<double>(image_size) / spec.image_size;
  ScaledGaborStimulusSpec scaled;
  scaled.spec = spec;
  scaled.spec.image_size = image_size;
  scaled.spec.field_of_view = spec.field_of_view * ratio;
  scaled.spec.sigma = spec.sigma * ratio;
  scaled.spec.frequencies.clear();
  for (const double frequency : spec.frequencies) {
    (frequency > image_size / 2.0 ? scaled.dropped_frequencies : scaled.spec.frequencies).push_back(frequency);
  }
  if (scaled.spec.frequencies.empty()) {
    throw std::invalid_argument("Gabor stimuli: no frequency of the set is below the Nyquist frequency of " + std::to_string(image_size) +
                                " px images (" + text(image_size / 2.0) + " cycles/image)");
  }
  return scaled;
}

std::vector<GaborStimulus> gabor_stimuli(const GaborStimulusSpec& spec) {
  validate_gabor_stimulus_spec(spec);
  std::vector<GaborStimulus> stimuli;
  stimuli.reserve(spec.frequencies.size() * spec.orientations.size() * spec.phases.size());
  for (std::size_t f = 0; f < spec.frequencies.size(); ++f) {
    for (std::size_t o = 0; o < spec.orientations.size(); ++o) {
      for (std::size_t p = 0; p < spec.phases.size(); ++p) {
        stimuli.push_back({f, o, p, spec.orientations[o], spec.phases[p], spec.frequencies[f], spec.frequencies[f] / spec.field_of_view});
      }
    }
  }
  return stimuli;
}

ImageBatch gabor_images(const GaborStimulusSpec& spec, std::size_t first, std::size_t count) {
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(spec);
  if (first > stimuli.size() || count > stimuli.size() - first) {
    throw std::invalid_argument("Gabor stimuli: expected a range inside the " + std::to_string(stimuli.size()) + " stimuli, found " +
                                std::to_string(count) + " from " + std::to_string(first));
  }
  const std::int64_t size = spec.image_size;
  const std::size_t plane = static_cast<std::size_t>(size * size);
  ImageBatch batch;
  batch.count = static_cast<std::int64_t>(count);
  batch.channels = spec.channels;
  batch.height = batch.width = size;
  batch.values.resize(count * static_cast<std::size_t>(spec.channels) * plane);
  const double centre = (size - 1) / 2.0;
  const double gamma_squared = spec.gamma * spec.gamma, two_sigma_squared = 2.0 * spec.sigma * spec.sigma;
  for (std::size_t n = 0; n < count; ++n) {
    const GaborStimulus& stimulus = stimuli[first + n];
    const double theta = stimulus.orientation_deg * pi / 180.0, phase = stimulus.phase_deg * pi / 180.0;
    const double cosine = std::cos(theta), sine = std::sin(theta);
    const double radians_per_pixel = 2.0 * pi * stimulus.cycles_per_image / size;
    float* image = batch.values.data() + n * static_cast<std::size_t>(spec.channels) * plane;
    for (std::int64_t i = 0; i < size; ++i) {
      const double y = centre - i;
      for (std::int64_t j = 0; j < size; ++j) {
        const double x = j - centre;
        const double along = x * cosine + y * sine, across = -x * sine + y * cosine;
        const double gabor = std::exp(-(along * along + gamma_squared * across * across) / two_sigma_squared) *
                             std::cos(radians_per_pixel * along + phase);
        image[i * size + j] = static_cast<float>(spec.background + spec.amplitude * gabor);
      }
    }
    for (int c = 1; c < spec.channels; ++c) std::copy(image, image + plane, image + c * plane);
  }
  return batch;
}

ImageBatch gabor_images(const GaborStimulusSpec& spec) {
  validate_gabor_stimulus_spec(spec);
  return gabor_images(spec, 0, spec.frequencies.size() * spec.orientations.size() * spec.phases.size());
}

}  // namespace visalign::cnn
