// Tests of cnn/tuning_curves and cnn/spatial_frequency_score: the centre unit of each channel and the
// no-spatial-centre error; tuning curves against numpy (tests/fixtures/make_tuning_fixtures.py ->
// tuning_fixtures.json); a synthetic "model" whose units are Gabor energy detectors of known frequency and
// orientation (the tuning must recover them); constant units dropped; the V1 score: the reference itself
// scores 1, a point mass has a score computed by hand, a two-point layer's mean score matches the exact
// binomial expectation, determinism for a seed, and the errors.

#include "cnn/tuning_curves.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "cnn/gabor_stimuli.hpp"
#include "cnn/spatial_frequency_score.hpp"
#include "cnn/v1_spatial_frequencies.hpp"
#include "tests/cnn/cnn_test_support.hpp"
#include "tests/fixture_json.hpp"

namespace visalign::cnn {
namespace {

using visalign::cnn::testing::error_message;
using visalign::testing::read_fixture_json;

TEST(TuningCurves, CentreUnitOfEachChannel) {
  EXPECT_EQ(centre_unit_indices({"odd", {2, 5, 7}}), (std::vector<Eigen::Index>{2 * 7 + 3, 35 + 2 * 7 + 3}));
  // Even sizes: (H / 2, W / 2), the lower-right of the four central units.
  EXPECT_EQ(centre_unit_indices({"even", {3, 4, 6}}), (std::vector<Eigen::Index>{2 * 6 + 3, 24 + 15, 48 + 15}));
  EXPECT_EQ(centre_unit_indices({"pooled", {3, 1, 1}}), (std::vector<Eigen::Index>{0, 1, 2}));
  EXPECT_EQ(error_message([] { centre_unit_indices({"classifier.1", {10}}); }),
            "layer classifier.1 has no spatial centre (shape 10): spatial-frequency tuning needs a convolutional layer");
  EXPECT_NE(error_message([] { centre_unit_indices({"flat", {4, 6}}); }).find("(shape 4 x 6)"), std::string::npos);
  EXPECT_NE(error_message([] { centre_unit_indices({"empty", {4, 0, 3}}); }).find("no spatial centre"), std::string::npos);
}

/// The responses of make_tuning_fixtures.py: stimuli x 6 units.
Eigen::MatrixXf fixture_responses(std::size_t stimuli) {
  Eigen::MatrixXf responses(static_cast<Eigen::Index>(stimuli), 6);
  for (std::size_t s = 0; s < stimuli; ++s) {
    const double x = static_cast<double>(s);
    for (int u = 0; u < 4; ++u) responses(static_cast<Eigen::Index>(s), u) = static_cast<float>(std::sin(0.37 * x + 1.3 * u) + 0.25 * std::cos(0.011 * x * u));
    responses(static_cast<Eigen::Index>(s), 4) = 0.75f;
    responses(static_cast<Eigen::Index>(s), 5) = 0.0f;
  }
  return responses;
}

TEST(TuningCurves, MatchNumpy) {
  const nlohmann::json fixture = read_fixture_json("tuning_fixtures.json")["tuning"];
  const ScaledGaborStimulusSpec scaled = scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 28);
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(scaled.spec);
  const TuningCurves tuning = tuning_curves(fixture_responses(stimuli.size()), stimuli);
  EXPECT_EQ(tuning.frequencies_cycles_per_image, fixture["frequencies"].get<std::vector<double>>());
  EXPECT_DOUBLE_EQ(tuning.frequencies_cycles_per_degree[4], 12.5);
  ASSERT_EQ(tuning.frequency_curves.rows(), 6);
  ASSERT_EQ(tuning.frequency_curves.cols(), 5);
  ASSERT_EQ(tuning.orientation_curves.cols(), 10);
  double largest = 0.0;
  for (Eigen::Index u = 0; u < 6; ++u) {
    for (Eigen::Index f = 0; f < 5; ++f) {
      largest = std::max(largest, std::abs(tuning.frequency_curves(u, f) - fixture["frequency_curves"][u][f].get<double>()));
    }
    for (Eigen::Index o = 0; o < 10; ++o) {
      largest = std::max(largest, std::abs(tuning.orientation_curves(u, o) - fixture["orientation_curves"][u][o].get<double>()));
    }
    EXPECT_NEAR(tuning.peak_to_peak(u), fixture["peak_to_peak"][u].get<double>(), 1e-12);
    EXPECT_EQ(tuning.preferred_frequency_index[static_cast<std::size_t>(u)], fixture["preferred_frequency_index"][u].get<std::size_t>());
    EXPECT_EQ(tuning.preferred_orientation_index[static_cast<std::size_t>(u)], fixture["preferred_orientation_index"][u].get<std::size_t>());
  }
  EXPECT_LE(largest, 1e-12);
  std::cout << "tuning curves vs numpy: largest |difference| " << largest << "\n";
  // Units 4 (constant) and 5 (always 0, a dead ReLU) have flat curves: dropped; argmax takes the first of ties.
  EXPECT_EQ(tuning.tuned, (std::vector<char>{1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(tuning.tuned_units, 4u);
  EXPECT_EQ(tuning.dropped_units, 2u);
  EXPECT_EQ(tuning.peak_to_peak(4), 0.0);
  EXPECT_EQ(tuning.preferred_frequency_index[4], 0u);
  const std::vector<double> preferred = preferred_cycles_per_degree(tuning);
  ASSERT_EQ(preferred.size(), 4u);
  EXPECT_DOUBLE_EQ(preferred[0], tuning.frequencies_cycles_per_degree[fixture["preferred_frequency_index"][0].get<std::size_t>()]);
}

TEST(TuningCurves, RecoverGaborUnitsOfKnownFrequency) {
  // A synthetic "model": unit k is the energy (squared dot product) of the image minus its grey background with
  // a Gabor template of frequency f_k and orientation theta_k. The square matters: the mean over the set's evenly
  // spaced phases of a LINEAR response is the same for every frequency (the phases cancel), so a linear unit has
  // no frequency tuning to recover. The energy peaks where the stimulus frequency is nearest f_k.
  ScaledGaborStimulusSpec scaled = scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 64);
  GaborStimulusSpec& spec = scaled.spec;
  spec.channels = 1;
  ASSERT_EQ(spec.frequencies, (std::vector<double>{2.5, 3.5, 5, 7.1, 10, 14.1, 20, 28.3}));
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(spec);
  const ImageBatch images = gabor_images(spec);
  const Eigen::Index pixels = 64 * 64;
  const Eigen::Map<const Eigen::MatrixXf> image_matrix(images.values.data(), pixels, images.count);  // pixels x stimuli

  struct Unit {
    double frequency;
    std::size_t orientation_index, expected_frequency_index;
  };
  std::vector<Unit> units;
  for (std::size_t f = 0; f < spec.frequencies.size(); ++f) units.push_back({spec.frequencies[f], (3 * f + 1) % 10, f});
  // Off the grid: the nearest set frequency wins.
  units.push_back({4.6, 2, 2});
  units.push_back({6.5, 7, 3});
  units.push_back({8.0, 0, 3});
  units.push_back({12.5, 9, 5});
  units.push_back({24.0, 5, 6});
  Eigen::MatrixXf templates(pixels, static_cast<Eigen::Index>(units.size()));
  for (std::size_t k = 0; k < units.size(); ++k) {
    GaborStimulusSpec one = spec;
    one.frequencies = {units[k].frequency};
    one.orientations = {spec.orientations[units[k].orientation_index]};
    one.phases = {0.0};
    const ImageBatch image = gabor_images(one);
    templates.col(static_cast<Eigen::Index>(k)) = Eigen::Map<const Eigen::VectorXf>(image.values.data(), pixels).array() - 0.5f;
  }
  const Eigen::MatrixXf linear = (image_matrix.array() - 0.5f).matrix().transpose() * templates;  // stimuli x units
  const Eigen::MatrixXf energy = linear.array().square().matrix();
  const TuningCurves tuning = tuning_curves(energy, stimuli);
  EXPECT_EQ(tuning.dropped_units, 0u);
  for (std::size_t k = 0; k < units.size(); ++k) {
    EXPECT_EQ(tuning.preferred_frequency_index[k], units[k].expected_frequency_index) << "template of " << units[k].frequency << " cycles/image";
    EXPECT_EQ(tuning.preferred_orientation_index[k], units[k].orientation_index) << "template of " << units[k].frequency << " cycles/image";
  }
  // The linear responses: flat frequency curves up to rounding (the phases cancel). METHODS' rule (peak-to-peak
  // > 0) keeps most of them with a noise "preference"; a relative tolerance of 1e-4 drops them all, and keeps
  // every energy unit.
  const TuningCurves flat = tuning_curves(linear, stimuli);
  EXPECT_LT(flat.peak_to_peak.maxCoeff(), 1e-3 * tuning.peak_to_peak.minCoeff());
  std::cout << "linear Gabor units: " << flat.tuned_units << " of " << units.size() << " kept by peak-to-peak > 0\n";
  EXPECT_EQ(tuning_curves(linear, stimuli, 1e-4).tuned_units, 0u);
  EXPECT_EQ(tuning_curves(energy, stimuli, 1e-4).tuned_units, units.size());

  // A layer of constant units: every unit dropped, no preferred frequencies.
  const TuningCurves constant = tuning_curves(Eigen::MatrixXf::Constant(images.count, 5, 2.5f), stimuli);
  EXPECT_EQ(constant.dropped_units, 5u);
  EXPECT_EQ(constant.tuned_units, 0u);
  EXPECT_TRUE(preferred_cycles_per_degree(constant).empty());
  // A non-finite response leaves the unit untuned.
  Eigen::MatrixXf broken = energy;
  broken(3, 0) = std::nanf("");
  EXPECT_EQ(tuning_curves(broken, stimuli).tuned[0], 0);
}

TEST(TuningCurves, InvalidInputIsNamed) {
  const std::vector<GaborStimulus> stimuli = gabor_stimuli(scaled_gabor_stimulus_spec(GaborStimulusSpec{}, 28).spec);
  EXPECT_NE(error_message([&] { tuning_curves(Eigen::MatrixXf::Zero(10, 2), stimuli); }).find("one response row per stimulus (500), found 10"),
            std::string::npos);
  EXPECT_NE(error_message([&] { tuning_curves(Eigen::MatrixXf::Zero(0, 2), {}); }).find("no"), std::string::npos);
  std::vector<GaborStimulus> gap = {stimuli[0], stimuli.back()};  // frequency indices 0 and 4 only
  EXPECT_NE(error_message([&] { tuning_curves(Eigen::MatrixXf::Zero(2, 1), gap); }).find("found none of index 1"), std::string::npos);
}

// --- the V1 spatial-frequency score ---

/// One frequency per cell of the De Valois histogram, at the geometric middle of its bin.
std::vector<double> de_valois_cells() {
  const SpatialFrequencyHistogram reference = de_valois_v1_distribution();
  std::vector<double> cells;
  for (std::size_t bin = 0; bin < reference.counts.size(); ++bin) {
    for (int cell = 0; cell < static_cast<int>(reference.counts[bin]); ++cell) {
      cells.push_back(std::sqrt(reference.edges[bin] * reference.edges[bin + 1]));
    }
  }
  return cells;
}

TEST(SpatialFrequencyScore, TheReferenceItselfScoresOne) {
  const std::vector<double> cells = de_valois_cells();
  ASSERT_EQ(cells.size(), 101u);
  const SpatialFrequencyScore score = spatial_frequency_score(cells);
  EXPECT_EQ(score.counts, de_valois_v1_distribution().counts);
  EXPECT_DOUBLE_EQ(score.whole_score, 1.0);
  ASSERT_EQ(score.sample_scores.size(), 1000u);
  // 150 cells drawn with replacement only approximate the histogram: high scores, below 1 on average.
  EXPECT_GT(score.mean, 0.85);
  EXPECT_LT(score.mean, 1.0);
  EXPECT_GT(score.standard_deviation, 0.0);
  std::cout << "De Valois cells scored against themselves: " << score.mean << " +- " << score.standard_deviation << "\n";
}

TEST(SpatialFrequencyScore, PointMassesScoredByHand) {
  // Every unit prefers 8.75 c/deg (56 cycles over 6.4 deg), the last bin: the model's CDF is 0 up to bin 9 and
  // V1's reaches 97/101 at bin 9, so the score is 1 - 97/101 = 4/101 in every experiment.
  const SpatialFrequencyScore high = spatial_frequency_score(std::vector<double>(64, 8.75));
  EXPECT_NEAR(high.whole_score, 4.0 / 101.0, 1e-15);
  EXPECT_NEAR(high.mean, 4.0 / 101.0, 1e-15);
  EXPECT_EQ(high.standard_deviation, 0.0);
  // Every unit at 0.39 c/deg (2.5 cycles over 6.4 deg), the first bin, where V1 has no cell: CDFs 1 and 0 there.
  const SpatialFrequencyScore low = spatial_frequency_score(std::vector<double>(10, 2.5 / 6.4));
  EXPECT_EQ(low.whole_score, 0.0);
  EXPECT_EQ(low.mean, 0.0);
  // Frequencies beyond the bins count in the end bins.
  EXPECT_NEAR(spatial_frequency_score({30.0}).whole_score, 4.0 / 101.0, 1e-15);
}

TEST(SpatialFrequencyScore, SamplingMatchesTheBinomialExpectation) {
  // Half the units in the first bin, half in the last: an experiment with k of its 150 units in the first bin has
  // model CDF p = k / 150 at bins 0..8 and 1 at bin 9, against V1's CDF running from 0 to 97/101, so its score is
  // 1 - max(p, 97/101 - p) (|p - 97/101| when p > 97/101). k ~ Binomial(150, 1/2).
  std::vector<double> units(50, 0.4);
  units.insert(units.end(), 50, 9.0);
  SpatialFrequencyScoreOptions options;
  options.seed = 11;
  const SpatialFrequencyScore score = spatial_frequency_score(units, de_valois_v1_distribution(), options);
  double expected = 0.0, expected_square = 0.0;
  for (int k = 0; k <= 150; ++k) {
    const double log_probability = std::lgamma(151.0) - std::lgamma(k + 1.0) - std::lgamma(151.0 - k) - 150 * std::log(2.0);
    const double p = k / 150.0;
    const double value = 1.0 - std::max(p, std::abs(97.0 / 101.0 - p));
    expected += std::exp(log_probability) * value;
    expected_square += std::exp(log_probability) * value * value;
  }
  const double sd = std::sqrt(expected_square - expected * expected);
  std::cout << "two-point layer: mean score " << score.mean << " +- " << score.standard_deviation << " (1000 experiments); exact "
            << expected << " +- " << sd << "\n";
  EXPECT_NEAR(score.mean, expected, 4.0 * sd / std::sqrt(1000.0));
  EXPECT_NEAR(score.standard_deviation, sd, 0.1 * sd);
  EXPECT_NEAR(score.whole_score, 1.0 - 0.5, 1e-15);  // p = 1/2 at bins 0..8: max(1/2, 97/101 - 1/2) = 1/2
}

TEST(SpatialFrequencyScore, DeterministicForASeed) {
  const std::vector<double> cells = de_valois_cells();
  SpatialFrequencyScoreOptions options;
  options.seed = 5;
  const SpatialFrequencyScore first = spatial_frequency_score(cells, de_valois_v1_distribution(), options);
  const SpatialFrequencyScore again = spatial_frequency_score(cells, de_valois_v1_distribution(), options);
  EXPECT_EQ(first.sample_scores, again.sample_scores);
  // Experiment k has its own stream: fewer experiments are a prefix of more.
  options.samples = 10;
  const SpatialFrequencyScore fewer = spatial_frequency_score(cells, de_valois_v1_distribution(), options);
  EXPECT_TRUE(std::equal(fewer.sample_scores.begin(), fewer.sample_scores.end(), first.sample_scores.begin()));
  options.samples = 1000;
  options.seed = 6;
  EXPECT_NE(spatial_frequency_score(cells, de_valois_v1_distribution(), options).sample_scores, first.sample_scores);
}

TEST(SpatialFrequencyScore, InvalidInputIsNamed) {
  EXPECT_NE(error_message([] { spatial_frequency_score({}); }).find("no"), std::string::npos);
  EXPECT_NE(error_message([] { spatial_frequency_score({1.0, -2.0}); }).find("preferred frequencies > 0"), std::string::npos);
  SpatialFrequencyScoreOptions options;
  options.units_per_sample = 0;
  EXPECT_NE(error_message([&] { spatial_frequency_score({1.0}, de_valois_v1_distribution(), options); }).find("units_per_sample"), std::string::npos);
}

}  // namespace
}  // namespace visalign::cnn
