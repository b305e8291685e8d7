// Tests of cnn/fourier_filters and cnn/perturbation_spectrum: the filters, radii, radial power profile and
// half-power frequency against numpy.fft (frequency_fixtures.json from tests/fixtures/make_frequency_fixtures.py);
// complementary low and high passes; sinusoids of known frequency passing and blocked at the right cutoff and
// peaking in their radial bin; the half-power frequency of a flat spectrum (a delta image, and white noise)
// against the value the binning gives analytically; the errors. The minimal-perturbation spectrum on the
// small Fashion-MNIST CNN fixture (pgd_small_cnn.pt).

#include "cnn/fourier_filters.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "cnn/labelled_images.hpp"
#include "cnn/perturbation_spectrum.hpp"
#include "cnn/torchscript_model.hpp"
#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::fixture_values;
using visalign::testing::read_fixture_json;

constexpr double pi = 3.14159265358979323846;

ImageBatch batch_of(const std::vector<double>& values, std::int64_t count, std::int64_t channels, std::int64_t height, std::int64_t width) {
  ImageBatch batch;
  batch.count = count;
  batch.channels = channels;
  batch.height = height;
  batch.width = width;
  batch.values.assign(values.begin(), values.end());
  return batch;
}

ImageBatch fixture_batch(const nlohmann::json& fixture, const std::string& key) {
  const auto shape = fixture["shape"].get<std::vector<std::int64_t>>();
  return batch_of(fixture_values(fixture[key]), shape[0], shape[1], shape[2], shape[3]);
}

double max_abs_difference(const std::vector<float>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  return max_abs_difference(a, std::vector<double>(b.begin(), b.end()));
}

/// `count` images of height x width filled by value(n, y, x).
template <typename Value>
ImageBatch images_of(std::int64_t count, std::int64_t height, std::int64_t width, Value value) {
  ImageBatch batch;
  batch.count = count;
  batch.channels = 1;
  batch.height = height;
  batch.width = width;
  for (std::int64_t n = 0; n < count; ++n) {
    for (std::int64_t y = 0; y < height; ++y) {
      for (std::int64_t x = 0; x < width; ++x) batch.values.push_back(static_cast<float>(value(n, y, x)));
    }
  }
  return batch;
}

/// 0.5 + 0.25 cos(2 pi (cx x + cy y) / size): one spatial frequency, f = 2 sqrt(cx^2 + cy^2) / size.
ImageBatch sinusoid(std::int64_t size, int cycles_x, int cycles_y) {
  return images_of(1, size, size, [&](std::int64_t, std::int64_t y, std::int64_t x) {
    return 0.5 + 0.25 * std::cos(2 * pi * static_cast<double>(cycles_x * x + cycles_y * y) / static_cast<double>(size));
  });
}

ImageBatch uniform_noise(std::int64_t count, std::int64_t height, std::int64_t width, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  return images_of(count, height, width, [&](std::int64_t, std::int64_t, std::int64_t) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; });
}

TEST(FourierFilters, MatchNumpyFft) {
  const nlohmann::json fixture = read_fixture_json("frequency_fixtures.json");
  const ImageBatch images = fixture_batch(fixture, "images");
  const auto radius = normalised_frequency_radius(images.height, images.width);
  const std::vector<double> expected_radius = fixture_values(fixture["radius"]);
  for (Eigen::Index y = 0; y < radius.rows(); ++y) {
    for (Eigen::Index x = 0; x < radius.cols(); ++x) EXPECT_NEAR(radius(y, x), expected_radius[static_cast<std::size_t>(y * radius.cols() + x)], 1e-8);
  }
  const double cutoff = fixture["cutoff"].get<double>();
  const double low = fixture["band"][0].get<double>(), high = fixture["band"][1].get<double>();
  const double low_error = max_abs_difference(low_pass(images, cutoff).values, fixture_values(fixture["low_pass"]));
  const double high_error = max_abs_difference(high_pass(images, cutoff).values, fixture_values(fixture["high_pass"]));
  const double band_error = max_abs_difference(band_pass(images, low, high, true).values, fixture_values(fixture["band_pass_keep_mean"]));
  const double band_no_mean_error = max_abs_difference(band_pass(images, low, high, false).values, fixture_values(fixture["band_pass_no_mean"]));
  std::cout << "largest difference to numpy.fft (3 x 2 x 9 x 12 images): low pass " << low_error << ", high pass " << high_error
            << ", band pass " << band_error << " (without the mean " << band_no_mean_error << ")\n";
  EXPECT_LT(low_error, 1e-5);
  EXPECT_LT(high_error, 1e-5);
  EXPECT_LT(band_error, 1e-5);
  EXPECT_LT(band_no_mean_error, 1e-5);

  const nlohmann::json& expected = fixture["profile"];
  const RadialPowerProfile profile = radial_power_profile(images);
  EXPECT_DOUBLE_EQ(profile.bin_width, expected["bin_width"].get<double>());
  const std::vector<double> power = fixture_values(expected["power"]);
  const auto coefficients = expected["coefficients"].get<std::vector<std::int64_t>>();
  ASSERT_EQ(profile.power.size(), power.size());
  EXPECT_EQ(profile.coefficients, coefficients);
  for (std::size_t k = 0; k < power.size(); ++k) EXPECT_NEAR(profile.power[k], power[k], 1e-6 * (1 + power[k])) << "bin " << k;
  EXPECT_NEAR(profile.dc_power, expected["dc_power"].get<double>(), 1e-6 * expected["dc_power"].get<double>());
  const std::vector<double> cumulative = cumulative_power_fraction(profile);
  const std::vector<double> expected_cumulative = fixture_values(expected["cumulative"]);
  for (std::size_t k = 0; k < cumulative.size(); ++k) EXPECT_NEAR(cumulative[k], expected_cumulative[k], 1e-7);
  EXPECT_NEAR(half_power_frequency(profile), expected["half_power_frequency"].get<double>(), 1e-7);
  std::cout << "half-power frequency of the fixture's uniform-noise images: " << half_power_frequency(profile) << " (numpy "
            << expected["half_power_frequency"].get<double>() << ")\n";
}

TEST(FourierFilters, TransformRoundTripsAndLowPlusHighIsTheImage) {
  for (const auto& [height, width] : std::vector<std::pair<int, int>>{{28, 28}, {9, 12}, {7, 5}}) {
    const ImageBatch images = uniform_noise(3, height, width, 7);
    EXPECT_LT(max_abs_difference(inverse_fourier_transform(fourier_transform(images)).values, images.values), 1e-6);
    for (const double f : {0.05, 0.3, 0.5, 0.999, 1.0, 1.2, std::sqrt(2.0)}) {
      const ImageBatch low = low_pass(images, f), high = high_pass(images, f);
      std::vector<float> sum(low.values.size());
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = low.values[i] + high.values[i];
      EXPECT_LT(max_abs_difference(sum, images.values), 1e-5) << height << " x " << width << ", f " << f;
    }
    // sqrt(2) keeps everything, corners included; a cutoff below the first ring keeps only the mean.
    EXPECT_LT(max_abs_difference(low_pass(images, std::sqrt(2.0)).values, images.values), 1e-6);
    const ImageBatch mean_only = low_pass(images, 0.5 * default_radial_bin_width(height, width));
    const double first_mean = std::accumulate(images.values.begin(), images.values.begin() + height * width, 0.0) / (height * width);
    EXPECT_NEAR(mean_only.values[0], first_mean, 1e-6);
    EXPECT_NEAR(mean_only.values[static_cast<std::size_t>(height * width - 1)], first_mean, 1e-6);
  }
}

TEST(FourierFilters, SinusoidsPassAndAreBlockedAtTheirFrequency) {
  // 4 cycles per 32 px along x: 0.125 cycles/pixel, f = 0.25 of Nyquist.
  const ImageBatch axis = sinusoid(32, 4, 0);
  const ImageBatch flat = images_of(1, 32, 32, [](std::int64_t, std::int64_t, std::int64_t) { return 0.5; });
  EXPECT_LT(max_abs_difference(low_pass(axis, 0.26).values, axis.values), 1e-6);
  EXPECT_LT(max_abs_difference(low_pass(axis, 0.24).values, flat.values), 1e-6);
  EXPECT_LT(max_abs_difference(band_pass(axis, 0.2, 0.3).values, axis.values), 1e-6);
  EXPECT_LT(max_abs_difference(band_pass(axis, 0.3, 0.6).values, flat.values), 1e-6);
  ImageBatch zero = flat;
  std::fill(zero.values.begin(), zero.values.end(), 0.0f);
  EXPECT_LT(max_abs_difference(high_pass(axis, 0.26).values, zero.values), 1e-6);
  EXPECT_LT(max_abs_difference(band_pass(axis, 0.3, 0.6, false).values, zero.values), 1e-6);
  // 4 cycles along x and along y: f = 0.25 sqrt(2) = 0.354.
  const ImageBatch diagonal = sinusoid(32, 4, 4);
  EXPECT_LT(max_abs_difference(low_pass(diagonal, 0.36).values, diagonal.values), 1e-6);
  EXPECT_LT(max_abs_difference(low_pass(diagonal, 0.35).values, flat.values), 1e-6);
  // A corner frequency (12 cycles along both axes: f = 0.75 sqrt(2) = 1.06 > 1) is filtered by its radius.
  const ImageBatch corner = sinusoid(32, 12, 12);
  EXPECT_LT(max_abs_difference(low_pass(corner, 1.0).values, flat.values), 1e-6);
  EXPECT_LT(max_abs_difference(low_pass(corner, 1.07).values, corner.values), 1e-6);
}

TEST(FourierFilters, RadialProfileOfASinusoidPeaksInItsBin) {
  for (const auto& [cycles_x, cycles_y] : std::vector<std::pair<int, int>>{{4, 0}, {0, 6}, {3, 4}}) {
    const ImageBatch image = sinusoid(32, cycles_x, cycles_y);
    const RadialPowerProfile profile = radial_power_profile(image);
    const double f = 2.0 * std::hypot(cycles_x, cycles_y) / 32.0;  // 0.25, 0.375, 0.3125 (3-4-5: on a ring)
    const auto bin = static_cast<std::size_t>(std::lround(f / profile.bin_width));
    // Parseval: the non-DC power is the squared L2 norm of 0.25 cos(...) over 32 x 32 pixels = 0.25^2 / 2 * 1024.
    EXPECT_NEAR(profile.power[bin], 0.25 * 0.25 / 2 * 1024, 1e-4);  // float pixels: about 1e-7 relative
    EXPECT_NEAR(profile.dc_power, 0.5 * 0.5 * 1024, 1e-4);
    for (std::size_t k = 0; k < profile.power.size(); ++k) {
      if (k != bin) EXPECT_NEAR(profile.power[k], 0.0, 1e-8) << "bin " << k;
    }
    // All the power in one bin: the cumulative power rises across it, f_0.5 is its centre.
    EXPECT_NEAR(half_power_frequency(profile), profile.frequency[bin], 1e-12);
  }
}

/// The half-power frequency of a flat spectrum for a size x size grid with the default bins, computed here
/// apart: count the coefficients of each bin (numpy's fftfreq, rounding the radius), then interpolate.
double flat_spectrum_half_power_frequency(int size) {
  const double width = 2.0 / size;
  std::vector<double> counts;
  for (int ky = 0; ky < size; ++ky) {
    for (int kx = 0; kx < size; ++kx) {
      if (kx == 0 && ky == 0) continue;
      const double fx = (kx < (size + 1) / 2 ? kx : kx - size) / static_cast<double>(size);
      const double fy = (ky < (size + 1) / 2 ? ky : ky - size) / static_cast<double>(size);
      const auto bin = static_cast<std::size_t>(std::lround(2 * std::sqrt(fx * fx + fy * fy) / width));
      if (counts.size() <= bin) counts.resize(bin + 1, 0.0);
      counts[bin] += 1;
    }
  }
  const double total = size * size - 1.0;
  double below = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if ((below + counts[k]) / total >= 0.5) {
      const double lower = k == 0 ? 0.0 : (k - 0.5) * width;
      return lower + (0.5 - below / total) / (counts[k] / total) * ((k + 0.5) * width - lower);
    }
    below += counts[k];
  }
  return std::nan("");
}

TEST(FourierFilters, HalfPowerFrequencyOfAFlatSpectrum) {
  const int size = 32;
  const double analytic = flat_spectrum_half_power_frequency(size);
  // A delta image has |DFT|^2 = 1 at every frequency: exactly flat.
  const ImageBatch delta = images_of(1, size, size, [](std::int64_t, std::int64_t y, std::int64_t x) { return x == 5 && y == 9 ? 1.0 : 0.0; });
  const double of_delta = half_power_frequency(radial_power_profile(delta));
  // White noise is flat on average.
  std::mt19937_64 generator(11);
  std::normal_distribution<double> normal;
  const ImageBatch noise = images_of(400, size, size, [&](std::int64_t, std::int64_t, std::int64_t) { return normal(generator); });
  const double of_noise = half_power_frequency(radial_power_profile(noise));
  std::cout << "flat spectrum, 32 x 32: f_0.5 from the bin counts " << analytic << ", of a delta image " << of_delta << ", of white noise "
            << of_noise << ", continuous disk sqrt(2 / pi) = " << std::sqrt(2 / pi) << "\n";
  EXPECT_NEAR(of_delta, analytic, 1e-12);
  EXPECT_NEAR(of_noise, analytic, 0.01);
  // Half of the square [-1, 1]^2 lies inside the disk of radius sqrt(2 / pi) (for a radius below 1).
  EXPECT_NEAR(analytic, std::sqrt(2 / pi), 0.02);
}

TEST(FourierFilters, BadInputIsAClearError) {
  const ImageBatch images = uniform_noise(1, 8, 8, 1);
  for (const double f : {0.0, -0.1, 1.5, std::nan("")}) {
    EXPECT_NE(error_message([&] { low_pass(images, f); }).find("expected a normalised frequency in (0, sqrt(2)]"), std::string::npos) << f;
    EXPECT_NE(error_message([&] { high_pass(images, f); }).find("high_pass cutoff"), std::string::npos) << f;
  }
  EXPECT_NE(error_message([&] { band_pass(images, 0.5, 0.5); }).find("0 <= low < high <= sqrt(2)"), std::string::npos);
  EXPECT_NE(error_message([&] { band_pass(images, 0.6, 0.5); }).find("found low 0.6, high 0.5"), std::string::npos);
  EXPECT_NE(error_message([&] { band_pass(images, -0.1, 0.5); }).find("0 <= low"), std::string::npos);
  EXPECT_NO_THROW(band_pass(images, 0.0, std::sqrt(2.0)));
  ImageBatch broken = images;
  broken.values.pop_back();
  EXPECT_NE(error_message([&] { low_pass(broken, 0.5); }).find("63 values"), std::string::npos);
  EXPECT_NE(error_message([&] { radial_power_profile(images, -1); }).find("bin width"), std::string::npos);
  ImageBatch empty = images;
  empty.count = 0;
  empty.values.clear();
  EXPECT_NE(error_message([&] { radial_power_profile(empty); }).find("at least one image"), std::string::npos);
}

TEST(PerturbationSpectrum, MinimalPerturbationsOfTheSmallCnn) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  const Classifier classifier = TorchScriptModel::load(std::filesystem::path(VISALIGN_FIXTURES_DIR) / "pgd_small_cnn.pt", "cpu", 1)
                                    .classifier({0.0f}, {1.0f}, "pgd_small_cnn.pt");
  const LabelledImages set = read_fashion_mnist(default_fashion_mnist_folder(), "test", 24);
  PerturbationSpectrumOptions options;
  options.attack.norm = PerturbationNorm::l2;
  options.attack.steps = 10;
  options.max_epsilon = 8;
  options.tolerance = 0.01;
  const PerturbationSpectrum spectrum = minimal_perturbation_spectrum(classifier, set.images, set.labels, options);
  EXPECT_EQ(spectrum.used_count + spectrum.misclassified + spectrum.unbroken + spectrum.replay_failed, 24);
  std::cout << "minimal L2 perturbations of 24 images: " << spectrum.used_count << " used, " << spectrum.misclassified << " misclassified, "
            << spectrum.unbroken << " unbroken, " << spectrum.replay_failed << " not reproduced\n";
  // The fixture CNN is weak (74% on the first 1000 test images): the images it gets wrong need no perturbation.
  const std::vector<std::int64_t> predicted = predicted_classes(classifier.probabilities(set.images));
  std::int64_t wrong = 0;
  for (std::size_t i = 0; i < 24; ++i) wrong += predicted[i] != set.labels[i] ? 1 : 0;
  EXPECT_EQ(spectrum.misclassified, wrong);
  EXPECT_EQ(spectrum.unbroken, 0);
  EXPECT_GE(spectrum.used_count, 12);
  ImageBatch used;
  used.channels = 1;
  used.height = used.width = 28;
  const std::size_t size = 28 * 28;
  for (std::size_t i = 0; i < 24; ++i) {
    const auto first = spectrum.perturbations.values.begin() + static_cast<std::ptrdiff_t>(i * size);
    double squares = 0;
    for (std::size_t v = 0; v < size; ++v) squares += first[static_cast<std::ptrdiff_t>(v)] * first[static_cast<std::ptrdiff_t>(v)];
    if (!spectrum.used[i]) {
      EXPECT_EQ(squares, 0.0);
      continue;
    }
    // Inside the L2 ball of the image's minimal radius (PGD's last iterate need not reach its surface).
    EXPECT_LE(std::sqrt(squares), spectrum.minimal_epsilon[i] * (1 + 1e-4)) << "image " << i;
    EXPECT_GT(std::sqrt(squares), 0.0);
    used.values.insert(used.values.end(), first, first + static_cast<std::ptrdiff_t>(size));
    ++used.count;
  }
  // The mean profile is the profile of the used perturbations, and the clean images' profile is theirs.
  const RadialPowerProfile expected = radial_power_profile(used);
  ASSERT_EQ(spectrum.perturbation_power.power.size(), expected.power.size());
  for (std::size_t k = 0; k < expected.power.size(); ++k) EXPECT_NEAR(spectrum.perturbation_power.power[k], expected.power[k], 1e-9);
  EXPECT_DOUBLE_EQ(spectrum.image_half_power_frequency, half_power_frequency(radial_power_profile(set.images)));
  std::cout << "pgd_small_cnn.pt, 24 test images, L2 PGD-10: " << spectrum.used_count << " minimal perturbations, f_0.5 "
            << spectrum.perturbation_half_power_frequency << " (clean images " << spectrum.image_half_power_frequency << ")\n";
  EXPECT_GT(spectrum.perturbation_half_power_frequency, 0.0);
  EXPECT_LT(spectrum.perturbation_half_power_frequency, std::sqrt(2.0));

  PerturbationSpectrumOptions random_start = options;
  random_start.attack.random_start = true;
  EXPECT_NE(error_message([&] { minimal_perturbation_spectrum(classifier, set.images, set.labels, random_start); }).find("random_start"),
            std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
