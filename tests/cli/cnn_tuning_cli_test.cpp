// `visalign cnn tuning`: in-silico electrophysiology on the V1 simulator itself (--v1-simulator), whose neurons'
// preferred spatial frequencies are known (drawn from De Valois), so the tuning must recover them and the V1
// score must be high; the recovery figures of the summary are recomputed here from the tuning table. Bad
// input: layers without a spatial centre (SqueezeNet's classifier output, a small network's fully connected
// layer), an unknown layer, and options that do not go with the simulator: one line each, exit code 2 (bad arguments).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string squeezenet() { return testing::shared_data("cnn/squeezenet1_1.pt").string(); }

TEST(CnnTuningCli, V1SimulatorRecoversItsPreferredFrequencies) {
  ScratchDirectory scratch;
  // A small population and a thinned set (4 orientations x 4 phases x METHODS' 10 frequencies at 224 px = 6.4 deg).
  const Outcome run = run_visalign(scratch, "cnn tuning --v1-simulator --v1-simple-cells 40 --v1-complex-cells 40 --v1-population-seed 5 "
                                            "--orientations 4 --phases 4 --samples 200 --device cpu --out sim");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  const auto summary = tsv_records(scratch / "sim/summary.tsv");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].at("layer"), "v1_simulator");
  EXPECT_EQ(summary[0].at("channels"), "80");
  EXPECT_EQ(summary[0].at("tuned_units"), "80");  // the baseline and the Gabors' DC-free carriers: every neuron is tuned

  // The stimulus frequencies (cycles/degree) in set order, from stimuli.tsv.
  std::set<double> frequency_set;
  for (const auto& stimulus : tsv_records(scratch / "sim/stimuli.tsv")) frequency_set.insert(std::stod(stimulus.at("cycles_per_degree")));
  const std::vector<double> frequencies(frequency_set.begin(), frequency_set.end());
  ASSERT_EQ(frequencies.size(), 10u);
  EXPECT_NEAR(frequencies.front(), 2.5 / 6.4, 1e-4);
  EXPECT_NEAR(frequencies.back(), 56 / 6.4, 1e-4);

  // Recovery recomputed from the tuning table: the preferred frequency's index within one step of the index of
  // the stimulus frequency nearest (log scale) the drawn one; Pearson r of the log frequencies.
  const auto neurons = tsv_records(scratch / "sim/v1_simulator.tuning.tsv");
  ASSERT_EQ(neurons.size(), 80u);
  auto index_of = [&](double value) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < frequencies.size(); ++k) {
      if (std::fabs(std::log(frequencies[k] / value)) < std::fabs(std::log(frequencies[best] / value))) best = k;
    }
    return static_cast<long>(best);
  };
  std::size_t within = 0, simple = 0;
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (const auto& neuron : neurons) {
    ASSERT_EQ(neuron.at("tuned"), "yes");
    simple += neuron.at("neuron_type") == "simple" ? 1 : 0;
    const double preferred = std::stod(neuron.at("preferred_cycles_per_degree")), drawn = std::stod(neuron.at("drawn_frequency_cpd"));
    EXPECT_GE(drawn, 0.5 - 1e-9);  // De Valois' first bin with cells
    EXPECT_LE(drawn, 11.2 + 1e-9);
    within += std::labs(index_of(preferred) - index_of(drawn)) <= 1 ? 1 : 0;
    const double x = std::log(preferred), y = std::log(drawn);
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  EXPECT_EQ(simple, 40u);
  const double n = static_cast<double>(neurons.size());
  const double fraction = static_cast<double>(within) / n;
  const double correlation = (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  EXPECT_NEAR(std::stod(summary[0].at("recovered_within_one_step")), fraction, 1e-5);
  EXPECT_NEAR(std::stod(summary[0].at("log_frequency_correlation")), correlation, 1e-4);
  EXPECT_GE(fraction, 0.9);
  EXPECT_GE(correlation, 0.9);
  // Drawn from De Valois, so the score against De Valois is high (an 80-neuron population: some sampling error).
  EXPECT_GE(std::stod(summary[0].at("score_mean")), 0.8);
  std::cout << "recovered within one step " << fraction << ", log-SF correlation " << correlation << ", V1 score "
            << summary[0].at("score_mean") << " +- " << summary[0].at("score_sd") << "\n";
  EXPECT_TRUE(std::filesystem::exists(scratch / "sim/summary.tsv.json"));
  EXPECT_TRUE(std::filesystem::exists(scratch / "sim/v1_simulator.sf_histogram.svg"));
}

// SqueezeNet's first convolution (features.0) is linear: its mean response over evenly spaced phases is the same at
// every frequency, so its curves are flat up to float rounding and the default tolerance drops every unit (no score);
// its ReLU (features.1) is tuned. With --flat-tolerance 0 (exactly flat only) the rounding noise counts as tuning.
TEST(CnnTuningCli, LinearLayerHasNoTunedUnits) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  ScratchDirectory scratch;
  const std::string thinned = " --layers features.0,features.1 --orientations 4 --phases 4 --samples 50 --device cpu";
  const Outcome run = run_visalign(scratch, "cnn tuning " + squeezenet() + thinned + " --out default");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  EXPECT_NE(run.out.find("features.0: no tuned units"), std::string::npos) << run.out;
  const auto summary = tsv_records(scratch / "default/summary.tsv");
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].at("tuned_units"), "0");
  EXPECT_EQ(summary[0].at("dropped_units"), "64");
  EXPECT_EQ(summary[0].at("score_mean"), "nan");
  EXPECT_GE(std::stoi(summary[1].at("tuned_units")), 60);  // a few ReLU units may answer none of the thinned set
  EXPECT_GT(std::stod(summary[1].at("score_mean")), 0.0);
  double largest = 0;  // the linear units' curves: flat up to float rounding
  for (const auto& unit : tsv_records(scratch / "default/features_0.tuning.tsv")) {
    EXPECT_EQ(unit.at("tuned"), "no");
    largest = std::max(largest, std::stod(unit.at("peak_to_peak")));
  }
  EXPECT_LT(largest, 1e-3);
  std::cout << "features.0: largest peak-to-peak of a tuning curve " << largest << "\n";
  const Outcome exact = run_visalign(scratch, "cnn tuning " + squeezenet() + thinned + " --flat-tolerance 0 -q --out exact");
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(tsv_records(scratch / "exact/summary.tsv")[0].at("tuned_units"), "64");
}

TEST(CnnTuningCli, BadInputIsAClearError) {
  ScratchDirectory scratch;
  expect_clean_failure(scratch, "cnn tuning --v1-simulator --layers conv1 --out x", "--layers", "--v1-simulator", 2);
  expect_clean_failure(scratch, "cnn tuning --v1-simulator --network net.pt --out x", "--v1-simulator", "no --model or --network", 2);
  expect_clean_failure(scratch, "cnn tuning --v1-simulator --field-of-view 3 --v1-field-of-view 4 --out x", "--v1-field-of-view",
                       "--field-of-view", 2);
  VISALIGN_REQUIRE_FILE(squeezenet());
  // SqueezeNet's output (1000 class scores after global pooling) is fully connected in effect: no spatial centre.
  expect_clean_failure(scratch, "cnn tuning " + squeezenet() + " --layers output --device cpu --out x", "layer output", "has no spatial centre", 2);
  expect_clean_failure(scratch, "cnn tuning " + squeezenet() + " --layers features.3,nonexistent --device cpu --out x", "nonexistent",
                       "unknown layer", 2);
  expect_clean_failure(scratch, "cnn tuning " + squeezenet() + " --device cpu --out x", "--layers", "required", 2);
}

TEST(CnnTuningCli, FullyConnectedLayerOfANetworkIsAClearError) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  ScratchDirectory scratch;
  const Outcome train = run_visalign(scratch, "cnn train --small-widths 4,8,16 --train-limit 200 --test-limit 100 --epochs 1 --device cpu "
                                              "--out net");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  expect_clean_failure(scratch, "cnn tuning --network net/network.pt --layers conv1,fc1 --device cpu --out x", "layer fc1",
                       "has no spatial centre", 2);
  expect_clean_failure(scratch, "cnn tuning --network net/network.pt --layers conv9 --device cpu --out x", "conv9", "unknown layer", 2);
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
