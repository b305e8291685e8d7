#include "cnn/v1_model.hpp"

#include "cnn/seed_streams.hpp"
#include "cnn/torch_classifier.hpp"
#include "cnn/torch_v1_model.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace visalign::cnn {

namespace {

constexpr double pi = 3.14159265358979323846;

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// A double in [0, 1) from the top 53 bits of a 64-bit draw (the same on every platform).
double unit_interval(std::mt19937_64& engine) { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }

// Stream `purpose` of a population seed; the spike streams use another tag so that a population seed equal
// to a spike seed still gives unrelated draws.
std::uint64_t population_stream(std::uint64_t seed, std::uint64_t purpose) {
  return detail::mix_seed(detail::mix_seed(seed) + purpose);
}
std::uint64_t spike_stream(std::uint64_t seed, std::uint64_t stimulus) {
  return detail::mix_seed(detail::mix_seed(seed ^ 0x5350494b45530000ULL) + stimulus);
}

// One Poisson draw of mean `mean` (>= 0): inversion (sequential search from 0) below a mean of 10, where it
// takes few steps; Hormann's transformed rejection with squeeze (PTRS, 1993) above, as numpy does.
std::int64_t poisson_draw(double mean, std::mt19937_64& engine) {
  if (mean <= 0) return 0;
  if (mean < 10) {
    const double u = unit_interval(engine);
    double probability = std::exp(-mean), cumulative = probability;
    std::int64_t k = 0;
    // The cap only guards against rounding leaving the cumulative a hair below u: P(k > 200 | mean < 10) < 1e-150.
    while (u > cumulative && k < 200) {
      ++k;
      probability *= mean / static_cast<double>(k);
      cumulative += probability;
    }
    return k;
  }
  const double root = std::sqrt(mean), log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b;
  const double inverse_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
  while (true) {
    const double u = unit_interval(engine) - 0.5, v = unit_interval(engine);
    const double us = 0.5 - std::fabs(u);
    const auto k = static_cast<std::int64_t>(std::floor((2 * a / us + b) * u + mean + 0.43));
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <=
        -mean + static_cast<double>(k) * log_mean - std::lgamma(static_cast<double>(k) + 1)) {
      return k;
    }
  }
}

void require_finite(double value, bool positive, const std::string& what) {
  if (!std::isfinite(value) || (positive && !(value > 0))) {
    throw std::invalid_argument(what + ": expected a finite" + (positive ? " positive" : "") + " number, found " + number_text(value));
  }
}

void validate_neurons(const std::vector<V1Neuron>& neurons) {
  if (neurons.empty()) throw std::invalid_argument("V1 neurons: expected at least one neuron, found none");
  bool seen_complex = false;
  for (std::size_t n = 0; n < neurons.size(); ++n) {
    const V1Neuron& neuron = neurons[n];
    const std::string what = "V1 neuron " + std::to_string(n);
    if (neuron.type == "complex") {
      seen_complex = true;
    } else if (neuron.type == "simple") {
      if (seen_complex) throw std::invalid_argument(what + ": expected the simple cells before the complex cells, found a simple cell after a complex one");
    } else {
      throw std::invalid_argument(what + ": type must be \"simple\" or \"complex\", found \"" + neuron.type + "\"");
    }
    require_finite(neuron.frequency_cpd, true, what + " frequency_cpd");
    require_finite(neuron.sigma_deg, true, what + " sigma_deg");
    require_finite(neuron.orientation_deg, false, what + " orientation_deg");
    require_finite(neuron.phase_deg, false, what + " phase_deg");
    require_finite(neuron.x_deg, false, what + " x_deg");
    require_finite(neuron.y_deg, false, what + " y_deg");
  }
}

// Gabor of `neuron` with an extra phase on the grid (double, height * width), centred at (x0, y0).
torch::Tensor gabor(const V1Neuron& neuron, double extra_phase_deg, const torch::Tensor& x, const torch::Tensor& y, double x0,
                    double y0) {
  const double theta = neuron.orientation_deg * pi / 180, phase = (neuron.phase_deg + extra_phase_deg) * pi / 180;
  const torch::Tensor dx = x - x0, dy = y - y0;
  const torch::Tensor along = dx * std::cos(theta) + dy * std::sin(theta);
  const torch::Tensor envelope = torch::exp(-(dx * dx + dy * dy) / (2 * neuron.sigma_deg * neuron.sigma_deg));
  return envelope * torch::cos(2 * pi * neuron.frequency_cpd * along + phase);
}

}  // namespace

void validate_v1_model_spec(const V1ModelSpec& spec) {
  if (spec.simple_cells < 0 || spec.complex_cells < 0 || spec.simple_cells + spec.complex_cells < 1) {
    throw std::invalid_argument("V1 model: simple_cells and complex_cells must be >= 0 with at least one neuron, found " +
                                std::to_string(spec.simple_cells) + " and " + std::to_string(spec.complex_cells));
  }
  if (spec.image_size < 2) throw std::invalid_argument("V1 model: image_size must be >= 2 pixels, found " + std::to_string(spec.image_size));
  if (!(spec.field_of_view > 0) || !std::isfinite(spec.field_of_view)) {
    throw std::invalid_argument("V1 model: field_of_view must be > 0 degrees, found " + number_text(spec.field_of_view));
  }
  if (!(spec.bandwidth_octaves > 0) || !std::isfinite(spec.bandwidth_octaves)) {
    throw std::invalid_argument("V1 model: bandwidth_octaves must be > 0, found " + number_text(spec.bandwidth_octaves));
  }
  if (!(spec.rf_jitter >= 0 && spec.rf_jitter <= spec.field_of_view / 2)) {
    throw std::invalid_argument("V1 model: rf_jitter must be in [0, field_of_view / 2] = [0, " + number_text(spec.field_of_view / 2) +
                                "] degrees, found " + number_text(spec.rf_jitter));
  }
  if (!(spec.peak_rate > 0) || !std::isfinite(spec.peak_rate)) {
    throw std::invalid_argument("V1 model: peak_rate must be > 0 (spikes), found " + number_text(spec.peak_rate));
  }
  if (!(spec.baseline_rate >= 0) || !std::isfinite(spec.baseline_rate)) {
    throw std::invalid_argument("V1 model: baseline_rate must be >= 0 (spikes), found " + number_text(spec.baseline_rate));
  }
}

SpatialFrequencyHistogram truncated_spatial_frequency_distribution(const SpatialFrequencyHistogram& distribution,
                                                                   double highest_frequency) {
  if (distribution.edges.size() != distribution.counts.size() + 1 || distribution.edges.size() < 2) {
    throw std::invalid_argument("spatial-frequency distribution: expected one more edge than bins");
  }
  if (!(highest_frequency > distribution.edges.front())) {
    throw std::invalid_argument("spatial-frequency distribution: the highest frequency " + number_text(highest_frequency) +
                                " c/deg is not above the first edge " + number_text(distribution.edges.front()));
  }
  SpatialFrequencyHistogram kept;
  kept.edges.push_back(distribution.edges.front());
  for (std::size_t bin = 0; bin < distribution.counts.size(); ++bin) {
    const double low = distribution.edges[bin], high = distribution.edges[bin + 1];
    if (low >= highest_frequency) break;
    if (high <= highest_frequency) {
      kept.edges.push_back(high);
      kept.counts.push_back(distribution.counts[bin]);
    } else {
      kept.edges.push_back(highest_frequency);
      kept.counts.push_back(distribution.counts[bin] * std::log(highest_frequency / low) / std::log(high / low));
    }
  }
  return kept;
}

double gabor_sigma(double frequency_cpd, double bandwidth_octaves) {
  const double ratio = std::pow(2.0, bandwidth_octaves);
  return std::sqrt(std::log(2.0) / 2) / (pi * frequency_cpd) * (ratio + 1) / (ratio - 1);
}

std::vector<V1Neuron> draw_v1_neurons(const V1ModelSpec& spec) {
  validate_v1_model_spec(spec);
  SpatialFrequencyHistogram distribution = de_valois_v1_distribution();
  const double nyquist = spec.image_size / (2 * spec.field_of_view);
  if (nyquist < distribution.edges.back()) distribution = truncated_spatial_frequency_distribution(distribution, nyquist);
  std::vector<V1Neuron> neurons;
  auto add = [&](const std::string& type, int count, std::uint64_t frequency_stream, std::uint64_t placement_stream) {
    const std::vector<double> frequencies =
        sample_spatial_frequencies(distribution, static_cast<std::size_t>(count), population_stream(spec.seed, frequency_stream));
    std::mt19937_64 engine(population_stream(spec.seed, placement_stream));
    for (int n = 0; n < count; ++n) {
      V1Neuron neuron;
      neuron.type = type;
      neuron.frequency_cpd = frequencies[static_cast<std::size_t>(n)];
      neuron.orientation_deg = 180 * unit_interval(engine);
      neuron.phase_deg = 360 * unit_interval(engine);
      neuron.sigma_deg = gabor_sigma(neuron.frequency_cpd, spec.bandwidth_octaves);
      const double x = unit_interval(engine), y = unit_interval(engine);  // drawn even without jitter: same stream either way
      neuron.x_deg = spec.rf_jitter > 0 ? spec.rf_jitter * (2 * x - 1) : 0.0;  // not -0 in the neuron table
      neuron.y_deg = spec.rf_jitter > 0 ? spec.rf_jitter * (2 * y - 1) : 0.0;
      neurons.push_back(neuron);
    }
  };
  add("simple", spec.simple_cells, 1, 2);
  add("complex", spec.complex_cells, 3, 4);
  return neurons;
}

namespace detail {

torch::Tensor gabor_filter_bank(const std::vector<V1Neuron>& neurons, const GaborGrid& grid, bool at_rf_positions) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const double d = grid.degrees_per_pixel;
  // Pixel centres in degrees, y up: row i at -(i + 0.5 - height / 2) d, column j at (j + 0.5 - width / 2) d.
  const torch::Tensor columns = (torch::arange(grid.width, options) + 0.5 - grid.width / 2.0) * d;
  const torch::Tensor rows = -(torch::arange(grid.height, options) + 0.5 - grid.height / 2.0) * d;
  const torch::Tensor x = columns.unsqueeze(0).expand({grid.height, grid.width}).reshape({-1});
  const torch::Tensor y = rows.unsqueeze(1).expand({grid.height, grid.width}).reshape({-1});

  std::vector<torch::Tensor> simple, complex_0, complex_90;
  for (std::size_t n = 0; n < neurons.size(); ++n) {
    const V1Neuron& neuron = neurons[n];
    const double x0 = at_rf_positions ? neuron.x_deg : 0.0, y0 = at_rf_positions ? neuron.y_deg : 0.0;
    // The grating 0.5 cos(2 pi f x' - psi) at the neuron's frequency and orientation gives a cos(psi) + b sin(psi)
    // with a = <G, 0.5 cos(2 pi f x')> and b = <G, 0.5 sin(2 pi f x')>: the best phase gives sqrt(a^2 + b^2).
    const double theta = neuron.orientation_deg * pi / 180;
    const torch::Tensor carrier = 2 * pi * neuron.frequency_cpd * ((x - x0) * std::cos(theta) + (y - y0) * std::sin(theta));
    const torch::Tensor cosine = 0.5 * torch::cos(carrier), sine = 0.5 * torch::sin(carrier);
    auto grating_responses = [&](const torch::Tensor& g) {
      return std::make_pair(torch::dot(g, cosine).item<double>(), torch::dot(g, sine).item<double>());
    };
    const torch::Tensor g0 = gabor(neuron, 0, x, y, x0, y0);
    torch::Tensor g90;
    double best = 0;
    if (neuron.type == "simple") {
      const auto [a, b] = grating_responses(g0);
      best = std::hypot(a, b);
    } else {
      // Pair responses (a0 cos + b0 sin, a90 cos + b90 sin): their energy peaks at the largest singular value of
      // M = [a0 b0; a90 b90], the root of the largest eigenvalue of M^T M = [p q; q r].
      g90 = gabor(neuron, 90, x, y, x0, y0);
      const auto [a0, b0] = grating_responses(g0);
      const auto [a90, b90] = grating_responses(g90);
      const double p = a0 * a0 + a90 * a90, q = a0 * b0 + a90 * b90, r = b0 * b0 + b90 * b90;
      best = std::sqrt((p + r) / 2 + std::sqrt((p - r) * (p - r) / 4 + q * q));
    }
    if (!(best > 1e-12 * torch::abs(g0).sum().item<double>())) {
      throw std::invalid_argument("V1 neuron " + std::to_string(n) + ": its Gabor (" + number_text(neuron.frequency_cpd) +
                                  " c/deg, phase " + number_text(neuron.phase_deg) + " deg) does not respond to gratings on a grid of " +
                                  number_text(d) + " deg per pixel (a frequency at the Nyquist limit?)");
    }
    if (neuron.type == "simple") {
      simple.push_back(g0 / best);
    } else {
      complex_0.push_back(g0 / best);
      complex_90.push_back(g90 / best);
    }
  }
  std::vector<torch::Tensor> rows_in_order = simple;
  rows_in_order.insert(rows_in_order.end(), complex_0.begin(), complex_0.end());
  rows_in_order.insert(rows_in_order.end(), complex_90.begin(), complex_90.end());
  // Far from a narrow envelope the weights fall below float's normal range; denormal floats make the matrix
  // product some 30 times slower and add nothing (the weights of an image's response are of order 1e-4..1e-1).
  const torch::Tensor bank = torch::stack(rows_in_order);
  return torch::where(bank.abs() < 1e-20, torch::zeros_like(bank), bank).to(torch::kFloat32).contiguous();
}

torch::Tensor simple_and_complex_responses(const torch::Tensor& linear, std::int64_t simple_cells, std::int64_t complex_cells) {
  const torch::Tensor simple = torch::relu(linear.narrow(1, 0, simple_cells));
  const torch::Tensor phase_0 = linear.narrow(1, simple_cells, complex_cells);
  const torch::Tensor phase_90 = linear.narrow(1, simple_cells + complex_cells, complex_cells);
  // The clamp keeps the gradient finite where both members are exactly 0 (d sqrt / dx is infinite at 0); it
  // changes energies below 1e-10 only.
  const torch::Tensor energy = torch::sqrt(torch::clamp_min(phase_0 * phase_0 + phase_90 * phase_90, 1e-20));
  return torch::cat({simple, energy}, 1);
}

std::int64_t v1_kernel_size(const std::vector<V1Neuron>& neurons, const V1ModelSpec& spec, std::int64_t requested) {
  if (requested < 0 || (requested > 0 && requested % 2 == 0)) {
    throw std::invalid_argument("V1 front end: the kernel size must be odd (or 0: automatic), found " + std::to_string(requested));
  }
  if (requested > 0) return requested;
  double widest = 0;
  for (const V1Neuron& neuron : neurons) widest = std::max(widest, neuron.sigma_deg);
  const double degrees_per_pixel = spec.field_of_view / spec.image_size;
  const auto radius = static_cast<std::int64_t>(std::ceil(3 * widest / degrees_per_pixel));
  const std::int64_t cap = spec.image_size % 2 == 1 ? spec.image_size : spec.image_size + 1;
  return std::min(2 * radius + 1, cap);
}

V1FrontEndImpl::V1FrontEndImpl(const V1ModelSpec& spec, std::int64_t stride_, std::int64_t kernel_size) : stride(stride_) {
  if (stride < 1) throw std::invalid_argument("V1 front end: stride must be >= 1, found " + std::to_string(stride));
  const std::vector<V1Neuron> neurons = draw_v1_neurons(spec);
  const std::int64_t size = v1_kernel_size(neurons, spec, kernel_size);
  simple_cells = spec.simple_cells;
  complex_cells = spec.complex_cells;
  padding = (size - 1) / 2;  // odd kernel: ceil(size / stride) outputs per side
  const torch::Tensor bank = gabor_filter_bank(neurons, {size, size, spec.field_of_view / spec.image_size}, false);
  kernels = register_buffer("kernels", bank.reshape({bank.size(0), 1, size, size}));
}

torch::Tensor V1FrontEndImpl::forward(torch::Tensor pixels) {
  const torch::Tensor grey = pixels.mean(1, /*keepdim=*/true) - 0.5;
  namespace F = torch::nn::functional;
  const torch::Tensor linear = F::conv2d(grey, kernels, F::Conv2dFuncOptions().stride(stride).padding(padding));
  return simple_and_complex_responses(linear, simple_cells, complex_cells);
}

}  // namespace detail

V1Model::V1Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
V1Model::V1Model(V1Model&&) noexcept = default;
V1Model& V1Model::operator=(V1Model&&) noexcept = default;
V1Model::~V1Model() = default;

V1Model V1Model::create(const V1ModelSpec& spec, const std::string& device, int threads) {
  return from_neurons(spec, draw_v1_neurons(spec), device, threads);
}

V1Model V1Model::from_neurons(const V1ModelSpec& spec, std::vector<V1Neuron> neurons, const std::string& device, int threads) {
  validate_neurons(neurons);
  if (threads < 1) throw std::invalid_argument("threads must be >= 1, found " + std::to_string(threads));
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->simple_cells = std::count_if(neurons.begin(), neurons.end(), [](const V1Neuron& n) { return n.type == "simple"; });
  impl->complex_cells = static_cast<std::int64_t>(neurons.size()) - impl->simple_cells;
  impl->spec.simple_cells = static_cast<int>(impl->simple_cells);
  impl->spec.complex_cells = static_cast<int>(impl->complex_cells);
  validate_v1_model_spec(impl->spec);
  impl->neurons = std::move(neurons);
  impl->device = detail::resolve_device(device);
  impl->threads = threads;
  torch::set_num_threads(threads);
  torch::NoGradGuard no_grad;
  const detail::GaborGrid grid{spec.image_size, spec.image_size, spec.field_of_view / spec.image_size};
  impl->bank = detail::gabor_filter_bank(impl->neurons, grid, true).to(impl->device);
  return V1Model(std::move(impl));
}

const V1ModelSpec& V1Model::spec() const { return impl_->spec; }
const std::vector<V1Neuron>& V1Model::neurons() const { return impl_->neurons; }
std::string V1Model::device() const { return impl_->device.is_cuda() ? "cuda" : "cpu"; }

Eigen::MatrixXf V1Model::rates(const ImageBatch& images, int batch_size, const std::function<void(std::size_t, std::size_t)>& progress) const {
  detail::require_consistent(images, "V1 rates");
  const int size = impl_->spec.image_size;
  if (images.height != size || images.width != size || (images.channels != 1 && images.channels != 3)) {
    throw std::invalid_argument("V1 rates: the model takes " + std::to_string(size) + " x " + std::to_string(size) +
                                " images (image_size) with 1 or 3 channels, found " + std::to_string(images.channels) + " x " +
                                std::to_string(images.height) + " x " + std::to_string(images.width));
  }
  if (batch_size < 1) throw std::invalid_argument("V1 rates: batch_size must be >= 1, found " + std::to_string(batch_size));
  torch::set_num_threads(impl_->threads);
  torch::NoGradGuard no_grad;
  const auto neuron_count = static_cast<Eigen::Index>(impl_->neurons.size());
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> result(images.count, neuron_count);
  const torch::Tensor bank_transposed = impl_->bank.t();
  for (std::int64_t start = 0; start < images.count; start += batch_size) {
    const std::int64_t count = std::min<std::int64_t>(batch_size, images.count - start);
    const torch::Tensor pixels = detail::to_tensor(images, impl_->device, start, count);
    const torch::Tensor grey = pixels.mean(1).reshape({count, -1}) - 0.5;
    const torch::Tensor responses =
        detail::simple_and_complex_responses(grey.matmul(bank_transposed), impl_->simple_cells, impl_->complex_cells);
    const torch::Tensor batch_rates =
        (impl_->spec.baseline_rate + impl_->spec.peak_rate * responses).to(torch::kCPU, torch::kFloat32).contiguous();
    std::copy(batch_rates.data_ptr<float>(), batch_rates.data_ptr<float>() + batch_rates.numel(), result.data() + start * neuron_count);
    if (progress) progress(static_cast<std::size_t>(start + count), static_cast<std::size_t>(images.count));
  }
  return result;
}

std::vector<float> V1Model::spike_counts(const Eigen::MatrixXf& rates, int repeats, std::uint64_t seed) const {
  if (repeats < 1) throw std::invalid_argument("V1 spike counts: repeats must be >= 1, found " + std::to_string(repeats));
  const auto neuron_count = static_cast<Eigen::Index>(impl_->neurons.size());
  if (rates.cols() != neuron_count) {
    throw std::invalid_argument("V1 spike counts: expected rates for " + std::to_string(neuron_count) + " neurons (columns), found " +
                                std::to_string(rates.cols()));
  }
  for (Eigen::Index j = 0; j < rates.cols(); ++j) {
    for (Eigen::Index i = 0; i < rates.rows(); ++i) {
      if (!(rates(i, j) >= 0) || !std::isfinite(rates(i, j))) {
        throw std::invalid_argument("V1 spike counts: expected finite rates >= 0, found " + number_text(rates(i, j)) + " for stimulus " +
                                    std::to_string(i) + ", neuron " + std::to_string(j));
      }
    }
  }
  std::vector<float> counts(static_cast<std::size_t>(rates.rows() * neuron_count * repeats));
  at::set_num_threads(impl_->threads);
  // One stream per stimulus: the counts do not depend on how the stimuli are split among threads.
  at::parallel_for(0, rates.rows(), 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t stimulus = begin; stimulus < end; ++stimulus) {
      std::mt19937_64 engine(spike_stream(seed, static_cast<std::uint64_t>(stimulus)));
      float* out = counts.data() + stimulus * neuron_count * repeats;
      for (Eigen::Index neuron = 0; neuron < neuron_count; ++neuron) {
        const double mean = rates(stimulus, neuron);
        for (int repeat = 0; repeat < repeats; ++repeat) *out++ = static_cast<float>(poisson_draw(mean, engine));
      }
    }
  });
  return counts;
}

Eigen::MatrixXf V1Model::receptive_fields(const std::vector<std::size_t>& neuron_indices) const {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> fields(static_cast<Eigen::Index>(neuron_indices.size()),
                                                                                impl_->bank.size(1));
  const torch::Tensor bank = impl_->bank.to(torch::kCPU).contiguous();
  for (std::size_t r = 0; r < neuron_indices.size(); ++r) {
    const std::size_t index = neuron_indices[r];
    if (index >= impl_->neurons.size()) {
      throw std::invalid_argument("V1 receptive fields: neuron index " + std::to_string(index) + " outside the population of " +
                                  std::to_string(impl_->neurons.size()));
    }
    // Simple cells are rows 0..S-1 and complex cells' phase-0 members rows S..S+C-1: row = neuron index.
    const torch::Tensor row = bank[static_cast<std::int64_t>(index)];
    std::copy(row.data_ptr<float>(), row.data_ptr<float>() + row.numel(), fields.row(static_cast<Eigen::Index>(r)).data());
  }
  return fields;
}

}  // namespace visalign::cnn
