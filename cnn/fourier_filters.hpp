#pragma once
// Spatial-frequency tools for images (seeds 003-004): the 2-D discrete Fourier transform of every image
// channel, radial low-, high- and band-pass filters, the radial power profile of a set of images and its
// half-power frequency. No LibTorch here (Eigen's FFT module).
//
// Frequencies are normalised to the Nyquist frequency: a Fourier coefficient with frequencies fx, fy in
// cycles/pixel (numpy.fft.fftfreq's: k / n, k in [-n/2, n/2)) has the radius f = sqrt(fx^2 + fy^2) / 0.5,
// so f = 1 is Nyquist along an axis. The corners of the Fourier plane reach f = sqrt(2): they are treated
// like any other frequency, by their radius (a cutoff of 1 keeps the disk inscribed in the square and
// drops the corners; only a cutoff of sqrt(2) keeps everything). Cutoffs are therefore in (0, sqrt(2)].

#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "cnn/image_batch.hpp"

namespace visalign::cnn {

/// The largest normalised frequency radius, the corner of the Fourier plane: sqrt(2).
double largest_normalised_frequency();

/// height x width: the normalised radius f of each coefficient of a height x width DFT, in the layout of
/// numpy.fft.fft2 (row ky, column kx; no fftshift). std::invalid_argument for a size < 1.
Eigen::ArrayXXd normalised_frequency_radius(std::int64_t height, std::int64_t width);

/// Every image channel's 2-D DFT (numpy.fft.fft2: unnormalised forward transform), computed in double.
/// values[((n * channels + c) * height + ky) * width + kx], as ImageBatch.
struct ImageSpectra {
  std::int64_t count = 0, channels = 0, height = 0, width = 0;
  std::vector<std::complex<double>> values;
};

/// std::invalid_argument when the batch's values do not match its shape.
ImageSpectra fourier_transform(const ImageBatch& images);
/// The real part of the inverse DFT (numpy.fft.ifft2(...).real), as float images. Not clamped.
/// std::invalid_argument when the values do not match the shape.
ImageBatch inverse_fourier_transform(const ImageSpectra& spectra);

/// std::invalid_argument "<what>: expected a normalised frequency in (0, sqrt(2)] ..., found <value>" unless
/// 0 < frequency <= sqrt(2) (f = 1 is Nyquist along an axis).
void require_normalised_frequency(double frequency, const std::string& what);

/// Keeps the coefficients with f <= cutoff (the mean, f = 0, always), per image and channel; cutoff in
/// (0, sqrt(2)]. The result is not clamped to [0, 1]: clamping would put back frequencies the filter took out.
ImageBatch low_pass(const ImageBatch& images, double cutoff);
/// Keeps the coefficients with f > cutoff (so the mean goes): low_pass(x, f) + high_pass(x, f) = x, the masks
/// being complementary. Cutoff in (0, sqrt(2)]; not clamped.
ImageBatch high_pass(const ImageBatch& images, double cutoff);
/// Keeps the coefficients with low < f <= high, and the mean (f = 0) when keep_mean, so that a band-passed
/// image stays a grey-level image around its own mean brightness (seed 004's band-limited training images)
/// rather than around 0. 0 <= low < high <= sqrt(2) (low = 0 with keep_mean is low_pass(x, high)).
/// std::invalid_argument naming low and high otherwise. Not clamped.
ImageBatch band_pass(const ImageBatch& images, double low, double high, bool keep_mean = true);

/// Power |DFT|^2 / (height * width) (so that the power over all frequencies is the image's squared L2 norm,
/// Parseval) in radial bins of the normalised frequency, averaged over images and channels. Bin k collects
/// the coefficients other than the mean (DC) whose radius rounds to k: round(f / bin_width) = k, i.e.
/// f in [(k - 1/2) w, (k + 1/2) w) (bin 0: [0, w/2)), so rings of the DFT grid sit at bin centres, not on
/// edges. The DC coefficient's power is kept apart (dc_power).
struct RadialPowerProfile {
  double bin_width = 0;                     // w, in normalised frequency
  std::vector<double> frequency;            // bin centres k * w, k = 0 .. bins - 1 (the last holds the corners)
  std::vector<double> power;                // summed power of the bin's coefficients (mean over images and channels)
  std::vector<std::int64_t> coefficients;   // how many coefficients of one image plane fall in the bin
  double dc_power = 0;                      // power of the mean (f = 0), mean over images and channels
  std::int64_t images = 0;                  // images averaged
};

/// The default bin width: one step of the DFT grid along the longer side, 2 / max(height, width) (so no
/// coefficient other than DC rounds to bin 0).
double default_radial_bin_width(std::int64_t height, std::int64_t width);

/// The radial power profile of a batch (see RadialPowerProfile). bin_width 0: default_radial_bin_width.
/// std::invalid_argument for an empty batch, values that do not match the shape, or bin_width < 0 or not
/// finite.
RadialPowerProfile radial_power_profile(const ImageBatch& images, double bin_width = 0);

/// Per bin, the fraction of the non-DC power in bins 0..k (the cumulative power at the bin's upper edge
/// (k + 1/2) w). All NaN when there is no non-DC power.
std::vector<double> cumulative_power_fraction(const RadialPowerProfile& profile);

/// f_0.5: the normalised frequency below which half of the non-DC power lies. The power of a bin is taken
/// as spread evenly over [(k - 1/2) w, (k + 1/2) w) (bin 0 from 0), so the cumulative power is piecewise
/// linear between bin edges and f_0.5 is where it reaches one half. NaN when there is no non-DC power.
double half_power_frequency(const RadialPowerProfile& profile);

}  // namespace visalign::cnn
