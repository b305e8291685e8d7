#pragma once
// Hybrid images (seed 003, after Oliva, Torralba & Schyns 2006): the low spatial frequencies of one image
// plus the high frequencies of an image of another class, at a mixing frequency f_mix (normalised to
// Nyquist, as cnn/fourier_filters.hpp). A classifier's p_low - p_high over f_mix, and the reversal
// frequency f_rev where it crosses zero: the lower f_rev, the more the classifier relies on low
// frequencies. No LibTorch here.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"

namespace visalign::cnn {

/// low_pass(low_source, f_mix) + high_pass(high_source, f_mix), image by image: the DFT of the hybrid is
/// the low source's where f <= f_mix and the high source's elsewhere (seed 003, Methods eq. 1). Not
/// clamped to [0, 1]. std::invalid_argument for batches of different shapes or f_mix outside (0, sqrt(2)].
ImageBatch hybrid_images(const ImageBatch& low_source, const ImageBatch& high_source, double mixing_frequency);

/// Which images make a hybrid: indices into an image set.
struct HybridPair {
  std::int64_t low_image = 0;   // gives the low frequencies
  std::int64_t high_image = 0;  // gives the high frequencies; always of another class
};

/// For every image i (in order) as the low source, `pairs_per_image` high sources drawn uniformly (with
/// replacement) from the images of the other classes, from a std::mt19937_64 stream of its own seeded by
/// (seed, i) (53-bit uniforms, no library-defined distribution: the same pairs everywhere). std::invalid_argument for
/// pairs_per_image < 1, or for an image whose class is the only one in the set (naming the class).
std::vector<HybridPair> draw_hybrid_pairs(const std::vector<std::int64_t>& labels, int pairs_per_image, std::uint64_t seed);

/// The zero crossing of p_low - p_high over increasing f_mix.
struct ReversalFrequency {
  double frequency = 0;  // f_rev; NaN when the curve does not cross zero
  int crossings = 0;     // sign changes along the curve (more than 1: a noisy curve; f_rev is the first)
  std::string status;    // "crossed", or why there is no f_rev
};

/// f_rev: the first f where the curve goes from negative to >= 0, by linear interpolation between the two
/// points around the crossing (a point exactly 0 after a negative one is the crossing itself). The curve
/// normally rises (small f_mix: the hybrid is mostly the high-frequency image). NaN with the reason in
/// `status` when it never goes from negative to >= 0 (e.g. "p_low - p_high > 0 at every f_mix (0.05 to 1):
/// the low-frequency image wins everywhere"). std::invalid_argument for lists of different lengths, fewer
/// than 2 points, frequencies not strictly increasing, or a NaN.
ReversalFrequency reversal_frequency(const std::vector<double>& mixing_frequencies, const std::vector<double>& differences);

struct HybridCurvePoint {
  double mixing_frequency = 0;
  double p_low = 0, p_high = 0;     // mean over the pairs of the probability of the low (high) source's class
  double difference = 0;            // mean of p_low - p_high
  double difference_sem = 0;        // its standard error: SD (n - 1) over the pairs / sqrt(n)
  double low_chosen = 0, high_chosen = 0;  // fraction of hybrids classified as the low (high) source's class
};

struct HybridCurve {
  std::vector<HybridCurvePoint> points;  // one per mixing frequency, in the order given
  ReversalFrequency reversal;            // of the points' differences (when the frequencies increase)
  std::int64_t pairs = 0;
};

/// The hybrid-image curve of a classifier: for every mixing frequency and pair, the hybrid of images[low]
/// and images[high] (the DFT of every image computed once), its class probabilities (in batches of
/// batch_size), p_low = probability of labels[low], p_high = of labels[high]. progress(done, total) counts
/// hybrids over all frequencies. std::invalid_argument for no pairs, a pair index outside the set, a pair
/// of the same class, labels that do not match the images, a mixing frequency outside (0, sqrt(2)],
/// batch_size < 1; reversal is computed only when the frequencies increase (else NaN with that reason).
HybridCurve hybrid_image_curve(const Classifier& classifier, const ImageBatch& images, const std::vector<std::int64_t>& labels,
                               const std::vector<HybridPair>& pairs, const std::vector<double>& mixing_frequencies, int batch_size = 100,
                               const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace visalign::cnn
