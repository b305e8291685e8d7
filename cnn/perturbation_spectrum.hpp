#pragma once
// The spatial frequencies of minimal adversarial perturbations (seed 003, Figs 2d and 4): per image the
// smallest PGD radius that changes its class (minimal_epsilons), the PGD perturbation at that radius
// (adversarial - clean), the mean radial Fourier power of those perturbations and its half-power
// frequency f_0.5, beside the same profile of the clean images. Robust models are reported to need
// perturbations with more low-frequency power (lower f_0.5). No LibTorch here.

#include <cstdint>
#include <functional>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/fourier_filters.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/pgd_attack.hpp"

namespace visalign::cnn {

struct PerturbationSpectrumOptions {
  /// The attack: norm, steps, step_size (0: 2 * eps / steps), batch_size, seed. epsilon and targeted are
  /// ignored (untargeted, at each image's own radius); random_start must be false, so that the perturbation
  /// recomputed at an image's minimal radius is the one the search found successful.
  PgdOptions attack{};
  double max_epsilon = 0;   // the search's upper end (> 0)
  double tolerance = 1e-3;  // the search's precision
  double bin_width = 0;     // radial bins (0: default_radial_bin_width)
};

struct PerturbationSpectrum {
  std::vector<double> minimal_epsilon;  // per image: 0 already misclassified, +infinity unbroken up to max_epsilon
  std::vector<bool> used;               // the image's perturbation is in the mean (finite eps > 0 and the PGD succeeded)
  ImageBatch perturbations;             // adversarial - clean per image (zeros where not used); same shape as the input
  RadialPowerProfile perturbation_power;  // mean over the used perturbations (all zeros when none)
  RadialPowerProfile image_power;         // of all clean images, for comparison
  double perturbation_half_power_frequency = 0;  // f_0.5 of the perturbations (NaN when none is used)
  double image_half_power_frequency = 0;         // f_0.5 of the clean images
  std::int64_t used_count = 0;
  std::int64_t misclassified = 0;  // minimal epsilon 0: no perturbation needed
  std::int64_t unbroken = 0;       // PGD at max_epsilon did not change the class
  std::int64_t replay_failed = 0;  // the PGD run at the found radius did not succeed again (float rounding): left out
};

/// See PerturbationSpectrum. The minimal radii come from minimal_epsilons (bisection, batches of
/// attack.batch_size); each used image's perturbation is then recomputed by pgd_attack on that image alone at
/// its radius. progress(done, total) over 2 x images (search, then perturbations).
/// std::invalid_argument as minimal_epsilons, for attack.random_start, a bin width < 0, or an empty batch.
PerturbationSpectrum minimal_perturbation_spectrum(const Classifier& classifier, const ImageBatch& pixels,
                                                   const std::vector<std::int64_t>& labels, const PerturbationSpectrumOptions& options,
                                                   const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::cnn
