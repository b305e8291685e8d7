#pragma once
// A simulated population of macaque V1 neurons (METHODS.md section 2, "V1 spike data"): a bank of Gabor
// filters in the manner of VOneNet (Dapello et al. 2020), simple cells (half-rectified linear Gabor) and
// complex cells (energy of a quadrature pair), whose preferred spatial frequencies follow De Valois et
// al. (1982); expected spike counts per image, and Poisson counts with repeats drawn from them. The same
// bank serves as a fixed convolutional front end of cnn::Network (FrontEnd kind "v1").
// No LibTorch here (cnn/torch_v1_model.hpp holds the filter bank).
//
// Geometry: the image spans field_of_view degrees over image_size pixels; pixel (row i, column j) has its
// centre at x = (j + 0.5 - size/2) d, y = -(i + 0.5 - size/2) d degrees (d = field_of_view / image_size):
// x to the right, y UP, origin at the image centre. A neuron's Gabor is
//   G(x, y) = exp(-((x - x0)^2 + (y - y0)^2) / (2 sigma^2)) cos(2 pi f x' + phase),
//   x' = (x - x0) cos(theta) + (y - y0) sin(theta),
// so orientation 0 deg modulates along x (vertical stripes) and 90 deg along y (horizontal stripes), and a
// grating c + a cos(2 pi f x' + phase) with the neuron's own f, theta and phase drives a simple cell best.
//
// Envelope: sigma = sqrt(ln 2 / 2) / (pi f) (2^b + 1) / (2^b - 1) for a bandwidth of b octaves, the
// full width of the spatial-frequency tuning curve at HALF AMPLITUDE (De Valois, Albrecht & Thorell 1982
// measured bandwidths at half height; Daugman 1985's relation). With b = 1.4, sigma = 0.416 / f: about
// 0.4 cycles per sigma. (sqrt(ln 2) instead of sqrt(ln 2 / 2) would be the width at a quarter amplitude.)
//
// Gain: every Gabor (a complex cell's pair jointly) is scaled, on the grid it is evaluated on, so that its
// response to the grating 0.5 + 0.5 cos(2 pi f x' + psi) at its own frequency and orientation (a
// full-contrast grating, pixel values 0..1) is 1 at the best phase psi. The expected count is then
//   simple:  baseline_rate + peak_rate * relu(<G, I - 0.5>)
//   complex: baseline_rate + peak_rate * sqrt(<G_0, I - 0.5>^2 + <G_90, I - 0.5>^2)
// (G_90: the same Gabor with phase + 90 deg), so peak_rate is the evoked count ABOVE the baseline for a
// full-contrast grating of the neuron's own frequency, orientation and best phase; the complex cells give
// it at every phase. Colour images count by the mean of their channels.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cnn/image_batch.hpp"
#include "cnn/v1_spatial_frequencies.hpp"

namespace visalign::cnn {

struct V1ModelSpec {
  int simple_cells = 128, complex_cells = 128;  // neurons of each type
  int image_size = 224;                         // square input, pixels
  double field_of_view = 6.4;                   // degrees spanned by image_size pixels (224 px = 6.4 deg as in METHODS)
  double bandwidth_octaves = 1.4;               // SF bandwidth at half amplitude -> envelope sigma (see above)
  double rf_jitter = 0.0;                       // RF centres uniform within +-rf_jitter degrees of the centre (0: centred)
  double peak_rate = 20.0;                      // evoked expected count for an optimal full-contrast grating (see above)
  double baseline_rate = 0.5;                   // spontaneous expected count added before Poisson sampling
  /// Draws every neuron's parameters: preferred SF from de_valois_v1_distribution() (truncated at the
  /// image's Nyquist frequency image_size / (2 field_of_view) when that is lower than its 11.2 c/deg top
  /// edge) via sample_spatial_frequencies, orientation uniform in [0, 180), phase uniform in [0, 360),
  /// RF centre offsets uniform in [-rf_jitter, rf_jitter]. Independent streams for each, so the simple
  /// cells stay the same when only the number of complex cells changes.
  std::uint64_t seed = 0;
};

/// std::invalid_argument naming the field, expected and found value: cell counts < 0 or both 0, image_size
/// < 2, field_of_view or bandwidth_octaves not > 0, rf_jitter outside [0, field_of_view / 2], peak_rate not
/// > 0, baseline_rate < 0 (non-finite values included).
void validate_v1_model_spec(const V1ModelSpec& spec);

/// The De Valois distribution cut at `highest_frequency` (c/deg): bins above it dropped, the bin holding
/// it narrowed and its count reduced to the kept (log-frequency) fraction, as sampling is log-uniform in a bin.
SpatialFrequencyHistogram truncated_spatial_frequency_distribution(const SpatialFrequencyHistogram& distribution,
                                                                   double highest_frequency);

struct V1Neuron {
  std::string type;  // "simple" | "complex"
  double frequency_cpd = 0, orientation_deg = 0, phase_deg = 0, sigma_deg = 0, x_deg = 0, y_deg = 0;
};

/// The neurons the spec draws (simple cells first, then complex), deterministic for spec.seed. Pure
/// arithmetic: the same on every platform. std::invalid_argument for an invalid spec.
std::vector<V1Neuron> draw_v1_neurons(const V1ModelSpec& spec);

/// Envelope sigma (degrees) of a Gabor with preferred frequency `frequency_cpd` and a half-amplitude
/// bandwidth of `bandwidth_octaves`.
double gabor_sigma(double frequency_cpd, double bandwidth_octaves);

/// Not for concurrent calls on one object. Moving is cheap; a moved-from model may only be destroyed or assigned to.
class V1Model {
 public:
  /// The population the spec draws, its filter bank on `device` ("auto" | "cpu" | "cuda"); threads:
  /// torch::set_num_threads (process wide). std::invalid_argument for an invalid spec or threads < 1.
  static V1Model create(const V1ModelSpec& spec, const std::string& device = "auto", int threads = 1);
  /// A given population (e.g. a neuron table written earlier, or a test's hand-made cells); spec.seed and
  /// the spec's cell counts are ignored (set from the table). std::invalid_argument for an unknown type, a
  /// simple cell after a complex one, or a frequency, sigma or position that is not finite (frequency and
  /// sigma > 0).
  static V1Model from_neurons(const V1ModelSpec& spec, std::vector<V1Neuron> neurons, const std::string& device = "auto",
                              int threads = 1);

  V1Model(V1Model&&) noexcept;
  V1Model& operator=(V1Model&&) noexcept;
  ~V1Model();

  const V1ModelSpec& spec() const;
  const std::vector<V1Neuron>& neurons() const;  // simple cells first, then complex
  /// "cpu" or "cuda".
  std::string device() const;

  /// Expected spike counts (stimuli x neurons), see the formulas above, computed as one matrix product of
  /// the flattened grey images with the bank (neurons x pixels) on the device, in batches; progress(done,
  /// total) over the images. Images: [0, 1] pixels (not normalised), 1 or 3 channels, image_size x
  /// image_size (std::invalid_argument naming the sizes otherwise, or for batch_size < 1).
  Eigen::MatrixXf rates(const ImageBatch& images, int batch_size = 100,
                        const std::function<void(std::size_t, std::size_t)>& progress = {}) const;

  /// Poisson counts from expected counts (stimuli x neurons, values >= 0): `repeats` draws per stimulus and
  /// neuron, returned stimuli x neurons x repeats in C order. Stimulus s draws from its own stream
  /// (mix_seed of seed and s; std::mt19937_64 and the sampler of numpy's legacy Generator: inversion below
  /// a mean of 10, Hormann's PTRS above), so the counts depend on the rates and the seed only, never on
  /// batches, threads or device. std::invalid_argument for repeats < 1, a wrong column count or negative
  /// or non-finite rates.
  std::vector<float> spike_counts(const Eigen::MatrixXf& rates, int repeats, std::uint64_t seed) const;

  /// The neurons' Gabors as the bank holds them, gain included (rows: the given neurons; columns: pixels in
  /// C order, image_size x image_size); a complex cell's row is its phase-0 member. std::invalid_argument
  /// for an index outside the population.
  Eigen::MatrixXf receptive_fields(const std::vector<std::size_t>& neuron_indices) const;

  struct Impl;  // cnn/torch_v1_model.hpp

 private:
  std::unique_ptr<Impl> impl_;
  explicit V1Model(std::unique_ptr<Impl> impl);
};

}  // namespace visalign::cnn
