#include "cnn/fourier_filters.hpp"

#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace visalign::cnn {

namespace {

using Complex = std::complex<double>;

std::string number_text(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

void require_shape(const ImageBatch& images, const std::string& what) {
  if (images.count < 0 || images.channels < 1 || images.height < 1 || images.width < 1 ||
      images.values.size() != static_cast<std::size_t>(images.count * images.channels * images.height * images.width)) {
    std::ostringstream message;
    message << what << ": the image batch holds " << images.values.size() << " values, its shape " << images.count << " x "
            << images.channels << " x " << images.height << " x " << images.width << " needs "
            << images.count * images.channels * images.height * images.width;
    throw std::invalid_argument(message.str());
  }
}

/// The 2-D DFT of one height x width plane in place: rows, then columns (the DFT is separable). Inverse:
/// scaled by 1 / (height * width) (Eigen scales each 1-D inverse by 1 / n), as numpy.fft.ifft2.
void transform_plane(Complex* plane, std::int64_t height, std::int64_t width, bool inverse, Eigen::FFT<double>& fft,
                     std::vector<Complex>& in, std::vector<Complex>& out) {
  in.resize(static_cast<std::size_t>(std::max(height, width)));
  out.resize(in.size());
  for (std::int64_t y = 0; y < height; ++y) {
    Complex* row = plane + y * width;
    std::copy(row, row + width, in.begin());
    if (inverse) {
      fft.inv(out.data(), in.data(), width);
    } else {
      fft.fwd(out.data(), in.data(), width);
    }
    std::copy(out.begin(), out.begin() + width, row);
  }
  for (std::int64_t x = 0; x < width; ++x) {
    for (std::int64_t y = 0; y < height; ++y) in[static_cast<std::size_t>(y)] = plane[y * width + x];
    if (inverse) {
      fft.inv(out.data(), in.data(), height);
    } else {
      fft.fwd(out.data(), in.data(), height);
    }
    for (std::int64_t y = 0; y < height; ++y) plane[y * width + x] = out[static_cast<std::size_t>(y)];
  }
}

/// numpy.fft.fftfreq(n)[k] in cycles/pixel: k / n for k < ceil(n / 2), (k - n) / n after.
double signed_frequency(std::int64_t k, std::int64_t n) {
  return static_cast<double>(k < (n + 1) / 2 ? k : k - n) / static_cast<double>(n);
}

/// Multiplies every plane's coefficients by mask (height x width of 0/1) and transforms back.
ImageBatch masked(const ImageBatch& images, const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>& keep) {
  ImageSpectra spectra = fourier_transform(images);
  const std::int64_t plane = spectra.height * spectra.width;
  for (std::int64_t p = 0; p < spectra.count * spectra.channels; ++p) {
    for (std::int64_t y = 0; y < spectra.height; ++y) {
      for (std::int64_t x = 0; x < spectra.width; ++x) {
        if (!keep(y, x)) spectra.values[static_cast<std::size_t>(p * plane + y * spectra.width + x)] = 0.0;
      }
    }
  }
  return inverse_fourier_transform(spectra);
}

}  // namespace

double largest_normalised_frequency() { return std::sqrt(2.0); }

Eigen::ArrayXXd normalised_frequency_radius(std::int64_t height, std::int64_t width) {
  if (height < 1 || width < 1) {
    throw std::invalid_argument("normalised_frequency_radius: expected a size of at least 1 x 1, found " + std::to_string(height) + " x " +
                                std::to_string(width));
  }
  Eigen::ArrayXXd radius(height, width);
  for (std::int64_t y = 0; y < height; ++y) {
    const double fy = signed_frequency(y, height);
    for (std::int64_t x = 0; x < width; ++x) {
      const double fx = signed_frequency(x, width);
      radius(y, x) = std::sqrt(fx * fx + fy * fy) / 0.5;  // cycles/pixel over Nyquist (0.5 cycles/pixel)
    }
  }
  return radius;
}

ImageSpectra fourier_transform(const ImageBatch& images) {
  require_shape(images, "fourier_transform");
  ImageSpectra spectra;
  spectra.count = images.count;
  spectra.channels = images.channels;
  spectra.height = images.height;
  spectra.width = images.width;
  spectra.values.assign(images.values.begin(), images.values.end());
  Eigen::FFT<double> fft;
  std::vector<Complex> in, out;
  const std::int64_t plane = images.height * images.width;
  for (std::int64_t p = 0; p < images.count * images.channels; ++p) {
    transform_plane(spectra.values.data() + p * plane, images.height, images.width, false, fft, in, out);
  }
  return spectra;
}

ImageBatch inverse_fourier_transform(const ImageSpectra& spectra) {
  if (spectra.count < 0 || spectra.channels < 1 || spectra.height < 1 || spectra.width < 1 ||
      spectra.values.size() != static_cast<std::size_t>(spectra.count * spectra.channels * spectra.height * spectra.width)) {
    throw std::invalid_argument("inverse_fourier_transform: the spectra hold " + std::to_string(spectra.values.size()) +
                                " values, which does not match their shape");
  }
  ImageBatch images;
  images.count = spectra.count;
  images.channels = spectra.channels;
  images.height = spectra.height;
  images.width = spectra.width;
  images.values.resize(spectra.values.size());
  Eigen::FFT<double> fft;
  std::vector<Complex> plane_values, in, out;
  const std::int64_t plane = spectra.height * spectra.width;
  for (std::int64_t p = 0; p < spectra.count * spectra.channels; ++p) {
    plane_values.assign(spectra.values.begin() + p * plane, spectra.values.begin() + (p + 1) * plane);
    transform_plane(plane_values.data(), spectra.height, spectra.width, true, fft, in, out);
    for (std::int64_t i = 0; i < plane; ++i) images.values[static_cast<std::size_t>(p * plane + i)] = static_cast<float>(plane_values[static_cast<std::size_t>(i)].real());
  }
  return images;
}

void require_normalised_frequency(double frequency, const std::string& what) {
  if (!(frequency > 0 && frequency <= largest_normalised_frequency())) {
    throw std::invalid_argument(what + ": expected a normalised frequency in (0, sqrt(2)] (1 = Nyquist along an axis, sqrt(2) = the "
                                       "corners of the Fourier plane), found " + number_text(frequency));
  }
}

ImageBatch low_pass(const ImageBatch& images, double cutoff) {
  require_normalised_frequency(cutoff, "low_pass cutoff");
  require_shape(images, "low_pass");
  return masked(images, normalised_frequency_radius(images.height, images.width) <= cutoff);
}

ImageBatch high_pass(const ImageBatch& images, double cutoff) {
  require_normalised_frequency(cutoff, "high_pass cutoff");
  require_shape(images, "high_pass");
  return masked(images, normalised_frequency_radius(images.height, images.width) > cutoff);
}

ImageBatch band_pass(const ImageBatch& images, double low, double high, bool keep_mean) {
  if (!(low >= 0 && low < high && high <= largest_normalised_frequency())) {
    throw std::invalid_argument("band_pass: expected 0 <= low < high <= sqrt(2) in normalised frequency (1 = Nyquist), found low " +
                                number_text(low) + ", high " + number_text(high));
  }
  require_shape(images, "band_pass");
  const Eigen::ArrayXXd radius = normalised_frequency_radius(images.height, images.width);
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> keep = radius > low && radius <= high;
  keep(0, 0) = keep_mean;
  return masked(images, keep);
}

double default_radial_bin_width(std::int64_t height, std::int64_t width) {
  return 2.0 / static_cast<double>(std::max(height, width));
}

RadialPowerProfile radial_power_profile(const ImageBatch& images, double bin_width) {
  require_shape(images, "radial_power_profile");
  if (images.count < 1) throw std::invalid_argument("radial_power_profile: expected at least one image, found none");
  if (!(bin_width >= 0 && std::isfinite(bin_width))) {
    throw std::invalid_argument("radial_power_profile: expected a bin width >= 0 (0: one DFT step), found " + number_text(bin_width));
  }
  RadialPowerProfile profile;
  profile.bin_width = bin_width > 0 ? bin_width : default_radial_bin_width(images.height, images.width);
  profile.images = images.count;
  const Eigen::ArrayXXd radius = normalised_frequency_radius(images.height, images.width);
  Eigen::ArrayXXi bin(images.height, images.width);
  for (Eigen::Index y = 0; y < radius.rows(); ++y) {
    for (Eigen::Index x = 0; x < radius.cols(); ++x) bin(y, x) = static_cast<int>(std::lround(radius(y, x) / profile.bin_width));
  }
  const int bins = bin.maxCoeff() + 1;
  profile.power.assign(static_cast<std::size_t>(bins), 0.0);
  profile.coefficients.assign(static_cast<std::size_t>(bins), 0);
  for (int k = 0; k < bins; ++k) profile.frequency.push_back(k * profile.bin_width);
  for (Eigen::Index y = 0; y < bin.rows(); ++y) {
    for (Eigen::Index x = 0; x < bin.cols(); ++x) {
      if (y != 0 || x != 0) ++profile.coefficients[static_cast<std::size_t>(bin(y, x))];
    }
  }
  const ImageSpectra spectra = fourier_transform(images);
  const std::int64_t plane = images.height * images.width;
  const double planes = static_cast<double>(images.count * images.channels);
  const double scale = 1.0 / (static_cast<double>(plane) * planes);  // |F|^2 / (H W), mean over planes
  for (std::int64_t p = 0; p < images.count * images.channels; ++p) {
    const Complex* coefficients = spectra.values.data() + p * plane;
    profile.dc_power += std::norm(coefficients[0]) * scale;
    for (std::int64_t i = 1; i < plane; ++i) {
      profile.power[static_cast<std::size_t>(bin(i / images.width, i % images.width))] += std::norm(coefficients[i]) * scale;
    }
  }
  return profile;
}

std::vector<double> cumulative_power_fraction(const RadialPowerProfile& profile) {
  double total = 0;
  for (const double power : profile.power) total += power;
  std::vector<double> fraction(profile.power.size(), std::numeric_limits<double>::quiet_NaN());
  if (!(total > 0)) return fraction;
  double running = 0;
  for (std::size_t k = 0; k < profile.power.size(); ++k) {
    running += profile.power[k];
    fraction[k] = running / total;
  }
  return fraction;
}

double half_power_frequency(const RadialPowerProfile& profile) {
  const std::vector<double> fraction = cumulative_power_fraction(profile);
  for (std::size_t k = 0; k < fraction.size(); ++k) {
    if (!(fraction[k] >= 0.5)) continue;  // also skips NaN (no power)
    const double lower_edge = k == 0 ? 0.0 : (static_cast<double>(k) - 0.5) * profile.bin_width;
    const double upper_edge = (static_cast<double>(k) + 0.5) * profile.bin_width;
    const double below = k == 0 ? 0.0 : fraction[k - 1];
    return lower_edge + (0.5 - below) / (fraction[k] - below) * (upper_edge - lower_edge);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace visalign::cnn
