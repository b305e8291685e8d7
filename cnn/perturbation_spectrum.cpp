#include "cnn/perturbation_spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace visalign::cnn {

namespace {

/// Image i of a batch as a batch of one.
ImageBatch single_image(const ImageBatch& pixels, std::int64_t i) {
  ImageBatch one;
  one.count = 1;
  one.channels = pixels.channels;
  one.height = pixels.height;
  one.width = pixels.width;
  const std::int64_t size = pixels.channels * pixels.height * pixels.width;
  one.values.assign(pixels.values.begin() + i * size, pixels.values.begin() + (i + 1) * size);
  return one;
}

}  // namespace

PerturbationSpectrum minimal_perturbation_spectrum(const Classifier& classifier, const ImageBatch& pixels,
                                                   const std::vector<std::int64_t>& labels, const PerturbationSpectrumOptions& options,
                                                   const std::function<void(std::size_t, std::size_t)>& progress) {
  if (options.attack.random_start) {
    throw std::invalid_argument("minimal_perturbation_spectrum: random_start must be off (the perturbation at each image's minimal "
                                "epsilon is recomputed and must be the one the search found)");
  }
  if (pixels.count < 1) throw std::invalid_argument("minimal_perturbation_spectrum: no images");
  if (!(options.bin_width >= 0 && std::isfinite(options.bin_width))) {
    throw std::invalid_argument("minimal_perturbation_spectrum: expected a bin width >= 0, found " + std::to_string(options.bin_width));
  }
  const std::size_t count = static_cast<std::size_t>(pixels.count);
  PgdOptions attack = options.attack;
  attack.targeted = false;
  PerturbationSpectrum result;
  result.minimal_epsilon = minimal_epsilons(classifier, pixels, labels, attack, options.max_epsilon, options.tolerance,
                                            [&](std::size_t done, std::size_t) {
                                              if (progress) progress(done, 2 * count);
                                            });
  result.used.assign(count, false);
  result.perturbations = pixels;
  std::fill(result.perturbations.values.begin(), result.perturbations.values.end(), 0.0f);
  const std::int64_t size = pixels.channels * pixels.height * pixels.width;
  ImageBatch used_perturbations = result.perturbations;
  used_perturbations.count = 0;
  used_perturbations.values.clear();
  for (std::size_t i = 0; i < count; ++i) {
    const double epsilon = result.minimal_epsilon[i];
    if (epsilon == 0) {
      ++result.misclassified;
    } else if (!std::isfinite(epsilon)) {
      ++result.unbroken;
    } else {
      // Alone in its batch, at its own radius; no random start, so the image index does not matter.
      PgdOptions at = attack;
      at.epsilon = epsilon;
      const ImageBatch clean = single_image(pixels, static_cast<std::int64_t>(i));
      const AttackResult attacked = pgd_attack(classifier, clean, {labels[i]}, at);
      if (attacked.success.at(0)) {
        result.used[i] = true;
        ++result.used_count;
        for (std::int64_t v = 0; v < size; ++v) {
          const float difference = attacked.adversarial.values[static_cast<std::size_t>(v)] - clean.values[static_cast<std::size_t>(v)];
          result.perturbations.values[i * static_cast<std::size_t>(size) + static_cast<std::size_t>(v)] = difference;
          used_perturbations.values.push_back(difference);
        }
        ++used_perturbations.count;
      } else {
        ++result.replay_failed;
      }
    }
    if (progress) progress(count + i + 1, 2 * count);
  }
  result.image_power = radial_power_profile(pixels, options.bin_width);
  result.image_half_power_frequency = half_power_frequency(result.image_power);
  if (used_perturbations.count > 0) {
    result.perturbation_power = radial_power_profile(used_perturbations, options.bin_width);
    result.perturbation_half_power_frequency = half_power_frequency(result.perturbation_power);
  } else {
    // No perturbation to average: the bins of the clean images' profile, all zero.
    result.perturbation_power = result.image_power;
    std::fill(result.perturbation_power.power.begin(), result.perturbation_power.power.end(), 0.0);
    result.perturbation_power.dc_power = 0;
    result.perturbation_power.images = 0;
    result.perturbation_half_power_frequency = std::numeric_limits<double>::quiet_NaN();
  }
  return result;
}

}  // namespace visalign::cnn
