// Tests of cnn/v1_model (the V1 simulator): rates against an independent numpy implementation of the
// Gabor bank (tests/fixtures/make_v1_fixtures.py -> v1_fixtures.json, gains found there by a numerical
// phase search), the tuning that the formulas promise (a simple cell's response to gratings peaks at its own
// frequency and orientation; an optimal grating gives baseline + peak; complex cells are phase invariant,
// simple cells are not), the De Valois distribution of the drawn frequencies, the Poisson counts (mean,
// variance and distribution; deterministic; independent of batch size and threads) and the errors.

#include "cnn/v1_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::read_fixture_json;

constexpr double pi = 3.14159265358979323846;

/// Gratings 0.5 + 0.5 cos(2 pi f x' + phase) (one grey channel), x' along `orientation_deg` about (x0, y0), on the
/// model's grid (pixel centres, y up; see cnn/v1_model.hpp).
struct Grating {
  double frequency_cpd, orientation_deg, phase_deg, x0 = 0, y0 = 0;
};

ImageBatch grating_images(const std::vector<Grating>& gratings, int size, double field_of_view) {
  ImageBatch batch;
  batch.count = static_cast<std::int64_t>(gratings.size());
  batch.channels = 1;
  batch.height = batch.width = size;
  const double d = field_of_view / size;
  for (const Grating& g : gratings) {
    const double theta = g.orientation_deg * pi / 180;
    for (int i = 0; i < size; ++i) {
      for (int j = 0; j < size; ++j) {
        const double x = (j + 0.5 - size / 2.0) * d - g.x0, y = -(i + 0.5 - size / 2.0) * d - g.y0;
        const double along = x * std::cos(theta) + y * std::sin(theta);
        batch.values.push_back(static_cast<float>(0.5 + 0.5 * std::cos(2 * pi * g.frequency_cpd * along + g.phase_deg * pi / 180)));
      }
    }
  }
  return batch;
}

V1ModelSpec small_spec(int simple, int complex) {
  V1ModelSpec spec;
  spec.simple_cells = simple;
  spec.complex_cells = complex;
  spec.image_size = 96;
  spec.field_of_view = 3.0;  // 32 px per degree: Nyquist 16 c/deg, above De Valois' 11.2
  return spec;
}

TEST(V1Model, RatesMatchNumpyReference) {
  const nlohmann::json fixture = read_fixture_json("v1_fixtures.json");
  V1ModelSpec spec;
  spec.image_size = fixture.at("spec").at("image_size");
  spec.field_of_view = fixture.at("spec").at("field_of_view");
  spec.peak_rate = fixture.at("spec").at("peak_rate");
  spec.baseline_rate = fixture.at("spec").at("baseline_rate");
  std::vector<V1Neuron> neurons;
  for (const auto& entry : fixture.at("neurons")) {
    neurons.push_back({entry.at("type"), entry.at("frequency_cpd"), entry.at("orientation_deg"), entry.at("phase_deg"),
                       entry.at("sigma_deg"), entry.at("x_deg"), entry.at("y_deg")});
    EXPECT_NEAR(neurons.back().sigma_deg, gabor_sigma(neurons.back().frequency_cpd, fixture.at("spec").at("bandwidth_octaves")), 1e-12);
  }
  ImageBatch images;
  images.count = fixture.at("image_count");
  images.channels = 3;
  images.height = images.width = spec.image_size;
  for (const auto& value : fixture.at("images")) images.values.push_back(static_cast<float>(value.get<int>()) / 255.0f);

  const V1Model model = V1Model::from_neurons(spec, neurons, "cpu", 2);
  EXPECT_EQ(model.spec().simple_cells, 5);
  EXPECT_EQ(model.spec().complex_cells, 4);
  const Eigen::MatrixXf rates = model.rates(images, 2);
  ASSERT_EQ(rates.rows(), images.count);
  ASSERT_EQ(rates.cols(), static_cast<Eigen::Index>(neurons.size()));
  double largest = 0;
  for (Eigen::Index s = 0; s < rates.rows(); ++s) {
    for (Eigen::Index n = 0; n < rates.cols(); ++n) {
      const double expected = fixture.at("rates")[s][n];
      largest = std::max(largest, std::fabs(rates(s, n) - expected) / expected);
    }
  }
  std::cout << "V1 rates vs numpy: largest relative difference " << largest << " over " << rates.size() << " rates\n";
  EXPECT_LT(largest, 1e-5);
}

TEST(V1Model, OptimalGratingGivesBaselinePlusPeak) {
  const V1Model model = V1Model::create(small_spec(6, 6), "cpu", 1);
  std::vector<Grating> gratings;
  for (const V1Neuron& n : model.neurons()) gratings.push_back({n.frequency_cpd, n.orientation_deg, n.phase_deg});
  const Eigen::MatrixXf rates = model.rates(grating_images(gratings, 96, 3.0));
  for (Eigen::Index k = 0; k < rates.cols(); ++k) {
    // The own grating at the neuron's phase is optimal up to the envelope's tiny negative-frequency lobe.
    EXPECT_NEAR(rates(k, k), 0.5 + 20.0, 0.02) << "neuron " << k << " (" << model.neurons()[k].type << ")";
  }
}

TEST(V1Model, SimpleCellTuningPeaksAtOwnFrequencyAndOrientation) {
  const V1Model model = V1Model::create(small_spec(5, 0), "cpu", 1);
  for (std::size_t k = 0; k < model.neurons().size(); ++k) {
    const V1Neuron& n = model.neurons()[k];
    std::vector<Grating> by_frequency, by_orientation;
    for (int step = -12; step <= 12; ++step) by_frequency.push_back({n.frequency_cpd * std::pow(2.0, step / 12.0), n.orientation_deg, n.phase_deg});
    for (int step = -18; step <= 18; ++step) by_orientation.push_back({n.frequency_cpd, n.orientation_deg + 5.0 * step, n.phase_deg});
    const Eigen::MatrixXf frequency_rates = model.rates(grating_images(by_frequency, 96, 3.0));
    const Eigen::MatrixXf orientation_rates = model.rates(grating_images(by_orientation, 96, 3.0));
    Eigen::Index best_frequency = 0, best_orientation = 0;
    frequency_rates.col(static_cast<Eigen::Index>(k)).maxCoeff(&best_frequency);
    orientation_rates.col(static_cast<Eigen::Index>(k)).maxCoeff(&best_orientation);
    std::cout << "simple cell " << k << ": " << n.frequency_cpd << " c/deg, " << n.orientation_deg << " deg; peak at "
              << by_frequency[best_frequency].frequency_cpd << " c/deg, " << by_orientation[best_orientation].orientation_deg << " deg\n";
    EXPECT_EQ(best_frequency, 12) << "frequency tuning of neuron " << k;
    EXPECT_EQ(best_orientation, 18) << "orientation tuning of neuron " << k;
    // Tuned, not flat: an octave away and at the orthogonal orientation the response falls well below the peak.
    EXPECT_LT(frequency_rates(0, k), 0.5 + 0.5 * 20.0);
    EXPECT_LT(frequency_rates(24, k), 0.5 + 0.5 * 20.0);
    EXPECT_LT(orientation_rates(0, k), 0.5 + 0.1 * 20.0);
  }
}

TEST(V1Model, ComplexCellsArePhaseInvariantSimpleCellsAreNot) {
  const V1Model model = V1Model::create(small_spec(8, 8), "cpu", 1);
  double complex_variation = 0, simple_variation = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < model.neurons().size(); ++k) {
    const V1Neuron& n = model.neurons()[k];
    std::vector<Grating> gratings;
    for (int step = 0; step < 12; ++step) gratings.push_back({n.frequency_cpd, n.orientation_deg, 30.0 * step});
    const Eigen::VectorXf rates = model.rates(grating_images(gratings, 96, 3.0)).col(static_cast<Eigen::Index>(k));
    const double variation = (rates.maxCoeff() - rates.minCoeff()) / rates.mean();
    if (n.type == "complex") {
      complex_variation = std::max(complex_variation, variation);
    } else {
      simple_variation = std::min(simple_variation, variation);
    }
  }
  std::cout << "over the phase of an optimal grating: complex cells vary by at most " << 100 * complex_variation
            << "% of their mean, simple cells by at least " << 100 * simple_variation << "%\n";
  EXPECT_LT(complex_variation, 0.01);
  EXPECT_GT(simple_variation, 1.0);
}

TEST(V1Model, FrequenciesFollowDeValois) {
  V1ModelSpec spec;
  spec.simple_cells = 2000;
  spec.complex_cells = 2000;
  spec.seed = 11;
  const std::vector<V1Neuron> neurons = draw_v1_neurons(spec);
  ASSERT_EQ(neurons.size(), 4000u);
  std::vector<double> frequencies;
  double orientation_mean = 0, phase_mean = 0;
  for (const V1Neuron& n : neurons) {
    frequencies.push_back(n.frequency_cpd);
    orientation_mean += n.orientation_deg / neurons.size();
    phase_mean += n.phase_deg / neurons.size();
    EXPECT_TRUE(n.orientation_deg >= 0 && n.orientation_deg < 180);
    EXPECT_TRUE(n.phase_deg >= 0 && n.phase_deg < 360);
    EXPECT_EQ(n.x_deg, 0.0);
    EXPECT_NEAR(n.sigma_deg * n.frequency_cpd, 0.41612, 1e-4);  // sqrt(ln2 / 2) / pi * (2^1.4 + 1) / (2^1.4 - 1)
  }
  EXPECT_EQ(neurons.front().type, "simple");
  EXPECT_EQ(neurons.back().type, "complex");
  const SpatialFrequencyHistogram de_valois = de_valois_v1_distribution();
  const std::vector<double> counts = bin_spatial_frequencies(de_valois, frequencies);
  const double total_cells = std::accumulate(de_valois.counts.begin(), de_valois.counts.end(), 0.0);
  double chi_square = 0;
  int degrees = -1;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    const double expected = de_valois.counts[b] / total_cells * frequencies.size();
    if (expected == 0) {
      EXPECT_EQ(counts[b], 0) << "bin " << b;
      continue;
    }
    chi_square += (counts[b] - expected) * (counts[b] - expected) / expected;
    ++degrees;
  }
  const double similarity = distribution_similarity(counts, de_valois.counts);
  std::cout << "4000 drawn frequencies vs De Valois: chi-square " << chi_square << " (" << degrees << " df), similarity "
            << similarity << "; mean orientation " << orientation_mean << ", mean phase " << phase_mean << "\n";
  EXPECT_LT(chi_square, 26.1);  // chi-square(8) 0.999 quantile
  EXPECT_GT(similarity, 0.98);
  EXPECT_NEAR(orientation_mean, 90, 5 * 180 / std::sqrt(12.0 * 4000));
  EXPECT_NEAR(phase_mean, 180, 5 * 360 / std::sqrt(12.0 * 4000));

  // The simple cells do not change with the number of complex cells; another seed draws another population.
  V1ModelSpec fewer = spec;
  fewer.complex_cells = 3;
  const std::vector<V1Neuron> again = draw_v1_neurons(fewer);
  for (int k = 0; k < 2000; ++k) EXPECT_EQ(again[k].frequency_cpd, neurons[k].frequency_cpd);
  EXPECT_EQ(again[2000].frequency_cpd, neurons[2000].frequency_cpd);
  fewer.seed = 12;
  EXPECT_NE(draw_v1_neurons(fewer)[0].frequency_cpd, neurons[0].frequency_cpd);
}

TEST(V1Model, FrequenciesStopAtNyquistAndJitterStaysInRange) {
  V1ModelSpec spec;
  spec.simple_cells = spec.complex_cells = 500;
  spec.image_size = 28;
  spec.field_of_view = 2.0;  // Nyquist 7 c/deg
  spec.rf_jitter = 0.5;
  double highest = 0, farthest = 0;
  for (const V1Neuron& n : draw_v1_neurons(spec)) {
    highest = std::max(highest, n.frequency_cpd);
    farthest = std::max({farthest, std::fabs(n.x_deg), std::fabs(n.y_deg)});
  }
  EXPECT_LE(highest, 7.0);
  EXPECT_GT(highest, 5.6);
  EXPECT_LE(farthest, 0.5);
  EXPECT_GT(farthest, 0.45);
  const SpatialFrequencyHistogram cut = truncated_spatial_frequency_distribution(de_valois_v1_distribution(), 7.0);
  ASSERT_EQ(cut.edges.size(), 10u);
  EXPECT_EQ(cut.edges.back(), 7.0);
  EXPECT_NEAR(cut.counts.back(), 9 * std::log(7.0 / 5.6) / std::log(8.0 / 5.6), 1e-12);
}

TEST(V1Model, PoissonCountsHaveTheRatesAsMeanAndVariance) {
  const std::vector<float> means{0.0f, 0.3f, 2.5f, 9.9f, 10.1f, 37.0f, 250.0f};
  V1ModelSpec spec = small_spec(static_cast<int>(means.size()), 0);
  const V1Model model = V1Model::create(spec, "cpu", 2);
  Eigen::MatrixXf rates(3, static_cast<Eigen::Index>(means.size()));
  for (Eigen::Index s = 0; s < 3; ++s) {
    for (std::size_t n = 0; n < means.size(); ++n) rates(s, static_cast<Eigen::Index>(n)) = means[n];
  }
  const int repeats = 20000;
  const std::vector<float> counts = model.spike_counts(rates, repeats, 5);
  ASSERT_EQ(counts.size(), 3 * means.size() * repeats);
  for (std::size_t n = 0; n < means.size(); ++n) {
    // Pool the three stimuli (independent streams) for each mean.
    std::vector<double> draws;
    for (int s = 0; s < 3; ++s) {
      const float* first = counts.data() + (s * means.size() + n) * repeats;
      draws.insert(draws.end(), first, first + repeats);
    }
    const double total = static_cast<double>(draws.size());
    const double mean = std::accumulate(draws.begin(), draws.end(), 0.0) / total;
    double variance = 0;
    for (const double value : draws) {
      EXPECT_EQ(value, std::floor(value));
      variance += (value - mean) * (value - mean) / (total - 1);
    }
    const double lambda = means[n];
    std::cout << "Poisson mean " << lambda << ": sample mean " << mean << ", variance " << variance << "\n";
    EXPECT_NEAR(mean, lambda, 5 * std::sqrt(lambda / total) + 1e-12);
    EXPECT_NEAR(variance, lambda, 5 * std::sqrt((lambda + 2 * lambda * lambda) / total) + 1e-12);
    if (lambda == 2.5f || lambda == 37.0f) {
      // The whole distribution: chi-square over the values with expected counts >= 20.
      double chi_square = 0, log_probability_base = -lambda;
      int cells = 0;
      for (int k = 0; k < 200; ++k) {
        const double expected = total * std::exp(log_probability_base + k * std::log(lambda) - std::lgamma(k + 1.0));
        if (expected < 20) continue;
        const double observed = static_cast<double>(std::count(draws.begin(), draws.end(), static_cast<double>(k)));
        chi_square += (observed - expected) * (observed - expected) / expected;
        ++cells;
      }
      std::cout << "  chi-square " << chi_square << " over " << cells << " values\n";
      EXPECT_LT(chi_square, cells + 5 * std::sqrt(2.0 * cells));
    }
  }
}

TEST(V1Model, SpikesAreDeterministicAndIndependentOfBatchesAndThreads) {
  const V1Model model = V1Model::create(small_spec(10, 10), "cpu", 1);
  const V1Model two_threads = V1Model::create(small_spec(10, 10), "cpu", 2);
  std::vector<Grating> gratings;
  for (int k = 0; k < 7; ++k) gratings.push_back({1.0 + k, 20.0 * k, 40.0 * k, 0.1 * k, -0.05 * k});
  const ImageBatch images = grating_images(gratings, 96, 3.0);
  const Eigen::MatrixXf rates = model.rates(images, 100);
  const Eigen::MatrixXf rates_one = model.rates(images, 1);
  const Eigen::MatrixXf rates_three = two_threads.rates(images, 3);
  EXPECT_LT((rates - rates_one).cwiseAbs().maxCoeff(), 1e-4);
  EXPECT_LT((rates - rates_three).cwiseAbs().maxCoeff(), 1e-4);
  const std::vector<float> spikes = model.spike_counts(rates, 4, 9);
  EXPECT_EQ(spikes, model.spike_counts(rates, 4, 9));
  EXPECT_EQ(spikes, two_threads.spike_counts(rates, 4, 9));
  EXPECT_EQ(spikes, model.spike_counts(rates_one, 4, 9));
  EXPECT_NE(spikes, model.spike_counts(rates, 4, 10));
  // Stimulus s draws from its own stream: the first three stimuli alone give the same counts.
  const std::vector<float> first_three = model.spike_counts(rates.topRows(3), 4, 9);
  EXPECT_TRUE(std::equal(first_three.begin(), first_three.end(), spikes.begin()));
}

TEST(V1Model, ReceptiveFieldsAreTheBanksGabors) {
  V1ModelSpec spec = small_spec(2, 1);
  spec.rf_jitter = 0.5;
  const V1Model model = V1Model::create(spec, "cpu", 1);
  const Eigen::MatrixXf fields = model.receptive_fields({0, 2});
  ASSERT_EQ(fields.rows(), 2);
  ASSERT_EQ(fields.cols(), 96 * 96);
  // A field's response to an image is the rate (simple cell, baseline + peak * relu): check with the own grating.
  const V1Neuron& n = model.neurons()[0];
  const ImageBatch image = grating_images({{n.frequency_cpd, n.orientation_deg, n.phase_deg, n.x_deg, n.y_deg}}, 96, 3.0);
  double response = 0;
  for (int p = 0; p < 96 * 96; ++p) response += fields(0, p) * (image.values[p] - 0.5);
  EXPECT_NEAR(0.5 + 20 * response, model.rates(image)(0, 0), 1e-3);
  // Its peak is at the RF centre.
  Eigen::Index peak = 0;
  fields.row(0).cwiseAbs().maxCoeff(&peak);
  const double d = 3.0 / 96, x = (peak % 96 + 0.5 - 48) * d, y = -(peak / 96 + 0.5 - 48) * d;
  EXPECT_LT(std::hypot(x - n.x_deg, y - n.y_deg), 0.5 / n.frequency_cpd + d);
  EXPECT_NE(error_message([&] { model.receptive_fields({3}); }).find("neuron index 3"), std::string::npos);
}

TEST(V1Model, BadInputIsRejectedWithClearMessages) {
  const V1Model model = V1Model::create(small_spec(2, 2), "cpu", 1);
  ImageBatch wrong = grating_images({{2, 0, 0}}, 64, 3.0);
  const std::string size_error = error_message([&] { model.rates(wrong); });
  EXPECT_NE(size_error.find("96 x 96"), std::string::npos) << size_error;
  EXPECT_NE(size_error.find("1 x 64 x 64"), std::string::npos) << size_error;
  ImageBatch two_channels = grating_images({{2, 0, 0}}, 48, 3.0);
  two_channels.channels = 2;
  two_channels.height = two_channels.width = 96;
  two_channels.values.resize(2 * 96 * 96);
  EXPECT_NE(error_message([&] { model.rates(two_channels); }).find("1 or 3 channels"), std::string::npos);
  EXPECT_NE(error_message([&] { model.rates(grating_images({{2, 0, 0}}, 96, 3.0), 0); }).find("batch_size"), std::string::npos);

  auto spec_error = [](auto change) {
    V1ModelSpec spec;
    change(spec);
    return error_message([&] { V1Model::create(spec, "cpu", 1); });
  };
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.field_of_view = 0; }).find("field_of_view must be > 0"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.field_of_view = -2; }).find("found -2"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.simple_cells = -1; }).find("simple_cells"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.simple_cells = s.complex_cells = 0; }).find("at least one neuron"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.image_size = 0; }).find("image_size"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.peak_rate = 0; }).find("peak_rate"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.baseline_rate = -1; }).find("baseline_rate"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.rf_jitter = 4; }).find("rf_jitter"), std::string::npos);
  EXPECT_NE(spec_error([](V1ModelSpec& s) { s.bandwidth_octaves = 0; }).find("bandwidth_octaves"), std::string::npos);
  EXPECT_NE(error_message([] { V1Model::create(V1ModelSpec{}, "cpu", 0); }).find("threads"), std::string::npos);

  Eigen::MatrixXf rates = Eigen::MatrixXf::Constant(2, 4, 1.0f);
  EXPECT_NE(error_message([&] { model.spike_counts(rates, 0, 1); }).find("repeats must be >= 1"), std::string::npos);
  EXPECT_NE(error_message([&] { model.spike_counts(Eigen::MatrixXf::Ones(2, 3), 1, 1); }).find("4 neurons"), std::string::npos);
  rates(1, 2) = -1;
  EXPECT_NE(error_message([&] { model.spike_counts(rates, 1, 1); }).find("stimulus 1, neuron 2"), std::string::npos);
  rates(1, 2) = std::nanf("");
  EXPECT_NE(error_message([&] { model.spike_counts(rates, 1, 1); }).find("finite rates"), std::string::npos);

  std::vector<V1Neuron> neurons{{"complex", 2, 0, 0, 0.2, 0, 0}, {"simple", 2, 0, 0, 0.2, 0, 0}};
  EXPECT_NE(error_message([&] { V1Model::from_neurons(V1ModelSpec{}, neurons, "cpu", 1); }).find("simple cells before"), std::string::npos);
  neurons[1].type = "hypercomplex";
  EXPECT_NE(error_message([&] { V1Model::from_neurons(V1ModelSpec{}, neurons, "cpu", 1); }).find("\"hypercomplex\""), std::string::npos);
  neurons[1].type = "complex";
  neurons[1].frequency_cpd = 0;
  EXPECT_NE(error_message([&] { V1Model::from_neurons(V1ModelSpec{}, neurons, "cpu", 1); }).find("neuron 1 frequency_cpd"), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
