// `visalign cnn compare-models` on two tiny Fashion-MNIST models: a network trained here for one short epoch
// (`cnn train`) and the TorchScript small CNN fixture (tests/fixtures/pgd_small_cnn.pt, made by
// tests/fixtures/make_pgd_fixtures.py). Its comparison table must repeat exactly what the single commands
// (cnn attack, eigenspectra, tuning, frequency, predictivity) give when run by hand with the same arguments, and
// the adversarial accuracy over several attacks is their mean; bad input (a missing model file, a repeated model
// name, an unknown layer, malformed --attacks) fails with one line before any work.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string fixture_file() { return std::string(VISALIGN_FIXTURES_DIR) + "/pgd_small_cnn.pt"; }
const std::string fixture_options = "--grey --mean 0 --std 1 --resize 28 --crop 28";

/// The first row of a TSV whose `key` column is `value` (the first row when key is empty), as column -> cell.
std::map<std::string, std::string> record(const std::filesystem::path& file, const std::string& key = "", const std::string& value = "") {
  const fmri::TsvTable table = fmri::read_tsv(file);
  for (const auto& row : table.rows) {
    if (!key.empty() && row[static_cast<std::size_t>(table.column_index(key))] != value) continue;
    std::map<std::string, std::string> result;
    for (std::size_t c = 0; c < table.columns.size(); ++c) result[table.columns[c]] = row[c];
    return result;
  }
  ADD_FAILURE() << file << ": no row with " << key << " = " << value;
  return {};
}

void write_file(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

TEST(CnnCompareModelsCli, TableRepeatsTheSingleCommandsAndBadInputFailsFirst) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  ScratchDirectory scratch;
  const Outcome train = run_visalign(scratch, "cnn train --small-widths 8,16,0 --train-limit 1000 --test-limit 100 --epochs 1 "
                                              "--device cpu --threads 1 --seed 3 -q --out net");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  std::filesystem::create_directory(scratch / "models");
  // The network's path is relative to the table's folder; the fixture's absolute, with its input options and layer.
  write_file(scratch / "models/models.tsv", "name\tmodel\tnetwork\toptions\tlayers\n"
                                            "tiny\t\t../net/network.pt\t\t\n"
                                            "fixture\t" + fixture_file() + "\t\t" + fixture_options + "\tfeatures.1,features.4\n");
  // V1 spikes for predictivity: the V1 simulator's counts to 24 Fashion-MNIST images (written by a first run), basis 30 others.
  const std::string shared = " --fashion-mnist test --limit 60 --attacks linf:0.1 --steps 5 --alpha-count 40 --fit-first 2 --fit-last 30"
                             " --units 20 --samples 30 --frequency-images 12 --frequency-steps 5 --device cpu --threads 1 --seed 5";
  const Outcome first = run_visalign(scratch, "cnn compare-models models/models.tsv --analyses predictivity,attack" + shared + " --out first");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_FALSE(std::filesystem::exists(scratch / "first/alpha_images"));  // only the eigenspectra need them
  {
    std::ofstream stimuli(scratch / "stimuli.tsv"), basis(scratch / "basis.tsv");
    stimuli << "file\n";
    basis << "file\n";
    const Outcome images = run_visalign(scratch, "cnn compare-models models/models.tsv --analyses eigenspectra" + shared + " -q --out images");
    ASSERT_EQ(images.exit_code, 0) << images.err;
    for (int i = 0; i < 40; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "images/alpha_images/fmnist_test_%05d.png", i);
      ASSERT_TRUE(std::filesystem::exists(scratch / name)) << name;
      (i < 20 ? stimuli : basis) << name << "\n";
    }
  }
  const Outcome v1 = run_visalign(scratch, "cnn v1-simulate --images stimuli.tsv --image-size 28 --simple-cells 12 --complex-cells 12 --repeats 4 "
                                           "--device cpu --threads 1 -q --out v1");
  ASSERT_EQ(v1.exit_code, 0) << v1.err;
  const std::string predictivity = " --spikes v1/spikes.npy --stimuli stimuli.tsv --basis-images basis.tsv --predictivity-options '--components 8'";

  const Outcome run = run_visalign(scratch, "cnn compare-models models/models.tsv" + shared + predictivity + " --out cmp");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::cout << run.out;
  EXPECT_NE(run.err.find("[2/2] fixture: frequency done"), std::string::npos) << run.err;  // a progress line per model and analysis
  const fmri::TsvTable comparison = fmri::read_tsv(scratch / "cmp/comparison.tsv");
  ASSERT_EQ(comparison.rows.size(), 2u);
  for (const char* column : {"model", "clean_accuracy", "adversarial_accuracy", "alpha", "sf_score", "v1_predictivity", "f_rev", "f_0.5", "layer"}) {
    EXPECT_GE(comparison.column_index(column), 0) << column;
  }

  // Each model's row against the single commands run by hand with the same arguments.
  const std::string global = " --device cpu --threads 1 --seed 5 -q";
  const std::map<std::string, std::string> model_arguments = {{"tiny", "--network net/network.pt"},
                                                              {"fixture", "--model " + fixture_file() + " " + fixture_options}};
  const std::map<std::string, std::string> model_layers = {{"tiny", "relu1"}, {"fixture", "features.1,features.4"}};
  for (const auto& [name, arguments] : model_arguments) {
    const auto row = record(scratch / "cmp/comparison.tsv", "model", name);
    const std::string out = "single_" + name;
    ASSERT_EQ(run_visalign(scratch, "cnn predictivity " + arguments + " --spikes v1/spikes.npy --images stimuli.tsv --basis-images basis.tsv "
                                    "--components 8 --layers " + model_layers.at(name) + global + " --out " + out + "/predictivity").exit_code, 0);
    ASSERT_EQ(run_visalign(scratch, "cnn attack " + arguments + " --fashion-mnist test --limit 60 --norm linf --epsilons 0,0.1 --steps 5" + global +
                                    " --out " + out + "/attack_linf").exit_code, 0);
    ASSERT_EQ(run_visalign(scratch, "cnn eigenspectra " + arguments + " --images cmp/alpha_images/images.tsv --layers " + model_layers.at(name) +
                                    " --fit-first 2 --fit-last 30" + global + " --out " + out + "/eigenspectra").exit_code, 0);
    ASSERT_EQ(run_visalign(scratch, "cnn tuning " + arguments + " --layers " + model_layers.at(name) + " --units 20 --samples 30" + global +
                                    " --out " + out + "/tuning").exit_code, 0);
    ASSERT_EQ(run_visalign(scratch, "cnn frequency " + arguments + " --fashion-mnist test --limit 12 --perturbation-images 12 --steps 5" + global +
                                    " --out " + out + "/frequency").exit_code, 0);
    // The most V1-like layer is the one with the largest median noise-corrected r; alpha and SF score are that layer's.
    const fmri::TsvTable layers = fmri::read_tsv(scratch / out / "predictivity/summary.tsv");
    std::string best_layer, best_r;
    for (const auto& layer_row : layers.rows) {
      const std::string r = layer_row[static_cast<std::size_t>(layers.column_index("median_noise_corrected_r"))];
      if (best_layer.empty() || std::stod(r) > std::stod(best_r)) {
        best_layer = layer_row[0];
        best_r = r;
      }
    }
    EXPECT_EQ(row.at("layer"), best_layer) << name;
    EXPECT_EQ(row.at("v1_predictivity"), best_r) << name;
    EXPECT_EQ(row.at("clean_accuracy"), record(scratch / out / "attack_linf/robustness.tsv", "epsilon", "0").at("accuracy")) << name;
    EXPECT_EQ(row.at("adversarial_accuracy"), record(scratch / out / "attack_linf/robustness.tsv", "epsilon", "0.1").at("accuracy")) << name;
    EXPECT_EQ(row.at("alpha"), record(scratch / out / "eigenspectra/summary.tsv", "layer", best_layer).at("alpha")) << name;
    EXPECT_EQ(row.at("sf_score"), record(scratch / out / "tuning/summary.tsv", "layer", best_layer).at("score_mean")) << name;
    EXPECT_EQ(row.at("f_rev"), record(scratch / out / "frequency/summary.tsv").at("f_rev")) << name;
    EXPECT_EQ(row.at("f_0.5"), record(scratch / out / "frequency/summary.tsv").at("f_0.5")) << name;
    EXPECT_GT(std::stod(row.at("clean_accuracy")), 0.3) << name;
    std::cout << name << ": layer " << best_layer << ", clean " << row.at("clean_accuracy") << ", adversarial " << row.at("adversarial_accuracy")
              << ", alpha " << row.at("alpha") << ", SF " << row.at("sf_score") << ", V1 r " << row.at("v1_predictivity") << "\n";
  }
  EXPECT_NE(slurp(scratch / "cmp/comparison.tsv.json").find("\"models\""), std::string::npos);
  for (const char* plot : {"adversarial_accuracy_vs_v1_predictivity.svg", "adversarial_accuracy_vs_alpha.svg", "adversarial_accuracy_vs_sf_score.svg",
                           "v1_predictivity_vs_sf_score.svg", "adversarial_accuracy_vs_f_rev.svg", "adversarial_accuracy_vs_f_0.5.svg"}) {
    const std::string svg = slurp(scratch / "cmp" / plot);
    EXPECT_NE(svg.find("<svg"), std::string::npos) << plot;
    EXPECT_NE(svg.find(">tiny<"), std::string::npos) << plot;     // points labelled by model
    EXPECT_NE(svg.find(">fixture<"), std::string::npos) << plot;
    if (std::string(plot).rfind("adversarial_accuracy", 0) == 0) {  // the attacks, on a line of their own under the figure's
      EXPECT_NE(svg.find(">PGD linf 0.1 (mean)<"), std::string::npos) << plot;
    }
  }
  // Without the spikes, predictivity is skipped with a note and no predictivity plot is drawn.
  EXPECT_NE(first.err.find("V1 predictivity skipped"), std::string::npos) << first.err;
  EXPECT_FALSE(std::filesystem::exists(scratch / "first/adversarial_accuracy_vs_v1_predictivity.svg"));

  // Adversarial accuracy over several attacks is their mean (seed 001); 'seed001' scales the seed's ImageNet budgets
  // to the 1 x 28 x 28 input (L-inf 1/1020, L2 0.15 sqrt(784 / 150528), L1 40 x 784 / 150528).
  const std::string attack_only = " --analyses attack --fashion-mnist test --limit 60 --steps 5 --device cpu --threads 1 --seed 5 -q";
  write_file(scratch / "models/one.tsv", "name\tnetwork\ntiny\t../net/network.pt\n");
  ASSERT_EQ(run_visalign(scratch, "cnn compare-models models/one.tsv --attacks linf:0.05,l2:0.5,l1:5" + attack_only + " --out three").exit_code, 0);
  const auto three = record(scratch / "three/comparison.tsv", "model", "tiny");
  const double mean = (std::stod(three.at("adversarial_accuracy_linf")) + std::stod(three.at("adversarial_accuracy_l2")) +
                       std::stod(three.at("adversarial_accuracy_l1"))) / 3;
  EXPECT_NEAR(std::stod(three.at("adversarial_accuracy")), mean, 1e-5);
  EXPECT_EQ(three.at("attacks"), "linf 0.05, l2 0.5, l1 5");
  ASSERT_EQ(run_visalign(scratch, "cnn attack --network net/network.pt --fashion-mnist test --limit 60 --norm l1 --epsilons 0,5 --steps 5"
                                  " --device cpu --threads 1 --seed 5 -q --out single_l1").exit_code, 0);
  EXPECT_EQ(three.at("adversarial_accuracy_l1"), record(scratch / "single_l1/robustness.tsv", "epsilon", "5").at("accuracy"));
  ASSERT_EQ(run_visalign(scratch, "cnn compare-models models/one.tsv" + attack_only + " --out seed001").exit_code, 0);
  EXPECT_EQ(record(scratch / "seed001/comparison.tsv", "model", "tiny").at("attacks"), "linf 0.00098, l2 0.0108, l1 0.208");
  const std::map<std::string, double> budgets = {{"linf", 1.0 / 1020}, {"l2", 0.15 * std::sqrt(784.0 / 150528)}, {"l1", 40.0 * 784 / 150528}};
  for (const auto& [norm, budget] : budgets) {  // what each single attack ran with
    const auto rows = tsv_records(scratch / ("seed001/tiny/attack_" + norm) / "robustness.tsv");
    ASSERT_EQ(rows.size(), 2u) << norm;
    EXPECT_NEAR(std::stod(rows[1].at("epsilon")), budget, 1e-5 * budget) << norm;
  }

  // Bad input: one line, exit code, nothing written (the scratch folder as it was).
  for (const char* attacks : {"linf", "l3:0.1", "linf:0", "linf:0.1,linf:0.2", "l2:x"}) {
    expect_clean_failure(scratch, "cnn compare-models models/one.tsv --attacks " + std::string(attacks) + attack_only + " --out bad", "--attacks",
                         std::string(attacks).find(",linf") != std::string::npos ? "given twice" : "NORM:EPSILON", 2);
  }
  write_file(scratch / "models/missing.tsv", "name\tnetwork\ntiny\t../net/network.pt\nlost\t../net/missing.pt\n");
  expect_clean_failure(scratch, "cnn compare-models models/missing.tsv" + shared + " --out bad", "missing.pt", "not found");
  write_file(scratch / "models/twice.tsv", "name\tnetwork\ntiny\t../net/network.pt\ntiny\t../net/network.pt\n");
  expect_clean_failure(scratch, "cnn compare-models models/twice.tsv" + shared + " --out bad", "twice.tsv", "duplicate model name 'tiny'");
  write_file(scratch / "models/layer.tsv", "name\tnetwork\tlayers\ntiny\t../net/network.pt\tconv9\n");
  expect_clean_failure(scratch, "cnn compare-models models/layer.tsv" + shared + " --out bad", "conv9", "relu1", 2);
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
