// `visalign cnn ...` with the real ImageNet SqueezeNet 1.1 (TorchScript): layers listed by name,
// activations of the 40 ImageNet stimuli written as NPY + a layer list that `rsa layers` reads, AI
// images; a small CNN trained on Fashion-MNIST (Debian dataset-fashion-mnist), its AN/AI images read
// back from the saved PNGs, its PGD robustness; and bad input (not a TorchScript file, an unknown
// layer, a missing image, a wrong channel count, --device cuda without a GPU, conflicting options).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "fmri/npy.hpp"
#include "fmri/tsv_table.hpp"
#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"
#include "tests/test_data.hpp"

#ifdef VISALIGN_HAVE_CNN

namespace visalign {
namespace {

using testing::ScratchDirectory;

std::string squeezenet() { return testing::shared_data("cnn/squeezenet1_1.pt").string(); }
std::string imagenet40() { return testing::shared_data("stimuli/imagenet40").string(); }

/// A small CNN trained briefly on 3000 Fashion-MNIST images: <scratch>/net/network.pt.
void train_small_network(const ScratchDirectory& scratch) {
  const Outcome train = run_visalign(scratch, "cnn train --small-widths 8,16,0 --train-limit 3000 --test-limit 500 --epochs 2 "
                                              "--device cpu --threads 2 --seed 3 --out net");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  std::cout << train.out;
}

TEST(CnnCli, LayersOfSqueezeNet) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  ScratchDirectory scratch;
  const Outcome layers = run_visalign(scratch, "cnn layers " + squeezenet() + " --device cpu");
  ASSERT_EQ(layers.exit_code, 0) << layers.err;
  std::cout << layers.out;
  EXPECT_NE(layers.out.find("features.0"), std::string::npos);
  EXPECT_NE(layers.out.find("features.12"), std::string::npos);
  EXPECT_NE(layers.out.find("1000"), std::string::npos);
}

TEST(CnnCli, ActivationsFeedLayerRsa) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  VISALIGN_REQUIRE_FILE(imagenet40() + "/stimuli.tsv");
  ScratchDirectory scratch;
  const Outcome run = run_visalign(scratch, "cnn activations " + squeezenet() + " --images " + imagenet40() +
                                                "/stimuli.tsv --layers features.0,features.12,output --device cpu --out acts");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto index = nlohmann::json::parse(slurp(scratch / "acts/layers.json"));
  ASSERT_EQ(index["layers"].size(), 3u);
  const auto output = fmri::npy_matrix(fmri::read_npy(scratch / "acts/output.npy"), "output.npy");
  EXPECT_EQ(output.rows(), 40);
  EXPECT_EQ(output.cols(), 1000);
  EXPECT_EQ(fmri::read_tsv(scratch / "acts/images.tsv").rows.size(), 40u);
  // Top-1 against the stimuli table's ImageNet indices.
  const auto stimuli = fmri::read_tsv(imagenet40() + "/stimuli.tsv");
  int correct = 0;
  for (Eigen::Index i = 0; i < output.rows(); ++i) {
    Eigen::Index best = 0;
    output.row(i).maxCoeff(&best);
    correct += std::to_string(best) == stimuli.rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(stimuli.column_index("imagenet_index"))];
  }
  std::cout << "SqueezeNet 1.1 top-1 on the 40 ImageNet stimuli (cnn activations): " << correct << "/40\n";
  EXPECT_GE(correct, 20);
  // The layer list is what rsa layers reads: 12 of the images posing as 4 image ids x (RE, AN, AI).
  {
    std::ofstream table(scratch / "typed.tsv");
    table << "file\timage_id\timage_type\n";
    const char* types[] = {"RE", "AN", "AI"};
    for (int i = 0; i < 12; ++i) {
      table << imagenet40() << "/" << stimuli.rows[static_cast<std::size_t>(i)][0] << "\timage" << i % 4 << "\t" << types[i / 4] << "\n";
    }
  }
  const Outcome typed = run_visalign(scratch, "cnn activations " + squeezenet() + " --images typed.tsv --layers features.12,output "
                                              "--device cpu -q --out typed");
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  const Outcome rsa = run_visalign(scratch, "rsa layers typed/layers.json --out layers_rsa.tsv --permutations 10 --bootstraps 5 -q");
  EXPECT_EQ(rsa.exit_code, 0) << rsa.err;
  EXPECT_EQ(fmri::read_tsv(scratch / "layers_rsa.tsv").rows.size(), 2u * 5);
}

TEST(CnnCli, BadInputIsAClearError) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  ScratchDirectory scratch;
  std::ofstream(scratch / "not_a_model.pt") << "this is not a TorchScript archive";
  expect_clean_failure(scratch, "cnn layers not_a_model.pt --device cpu", "not_a_model.pt", "TorchScript");
  const Outcome unknown = run_visalign(scratch, "cnn activations " + squeezenet() + " --images " + imagenet40() +
                                                    " --layers features.99 --device cpu --out acts");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("features.99"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("features.0"), std::string::npos) << unknown.err;  // the error lists the layers
  std::ofstream(scratch / "broken.png") << "not a PNG";
  std::ofstream(scratch / "list.tsv") << "file\nbroken.png\n";
  const Outcome broken = run_visalign(scratch, "cnn activations " + squeezenet() + " --images list.tsv --device cpu --out acts2");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("broken.png"), std::string::npos) << broken.err;
}

TEST(CnnCli, TrainAdversarialImagesAndAttackOnFashionMnist) {
  VISALIGN_REQUIRE_FASHION_MNIST();
  ScratchDirectory scratch;
  train_small_network(scratch);
  const auto epochs = tsv_records(scratch / "net/training.tsv");
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_GT(std::stod(epochs.back().at("test_accuracy")), 0.6);
  EXPECT_GT(std::stod(epochs.back().at("seconds")), 0.0);
  EXPECT_TRUE(std::filesystem::exists(scratch / "net/network.pt.json"));  // provenance
  // A checkpoint is a LibTorch archive without code: as a TorchScript model it is one clear line, not a trace.
  expect_clean_failure(scratch, "cnn layers net/network.pt --device cpu", "net/network.pt", "no forward method");

  // AN and AI images from the trained network run (whether a briefly trained network can reach p >= 0.99 for
  // every image is its own matter: a warning and reached = no say when it cannot).
  const Outcome from_network = run_visalign(scratch, "cnn adversarial --network net/network.pt --fashion-mnist test --classes 0,1 "
                                                     "--per-class 1 --limit 100 --max-iterations 50 --device cpu --out from_network");
  ASSERT_EQ(from_network.exit_code, 0) << from_network.err;
  EXPECT_EQ(tsv_records(scratch / "from_network/stimuli.tsv").size(), 6u);
  // The network's layers and activations to the saved images: its output agrees with the predictions recorded.
  const Outcome layers = run_visalign(scratch, "cnn layers --network net/network.pt --device cpu");
  ASSERT_EQ(layers.exit_code, 0) << layers.err;
  EXPECT_NE(layers.out.find("relu1"), std::string::npos) << layers.out;
  const Outcome network_acts = run_visalign(scratch, "cnn activations --network net/network.pt --images from_network/stimuli.tsv "
                                                     "--layers relu1,fc --device cpu -q --out network_acts");
  ASSERT_EQ(network_acts.exit_code, 0) << network_acts.err;
  {
    const auto scores = fmri::npy_matrix(fmri::read_npy(scratch / "network_acts/fc.npy"), "fc.npy");
    const auto rows = tsv_records(scratch / "from_network/stimuli.tsv");
    ASSERT_EQ(scores.rows(), static_cast<Eigen::Index>(rows.size()));
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
      Eigen::Index best = 0;
      scores.row(i).maxCoeff(&best);
      EXPECT_EQ(std::to_string(best), rows[static_cast<std::size_t>(i)].at("predicted")) << i;
    }
    EXPECT_EQ(fmri::npy_matrix(fmri::read_npy(scratch / "network_acts/relu1.npy"), "relu1.npy").cols(), 8 * 24 * 24);
  }

  // AN and AI images for 2 test images of each of 5 classes, made with a small Fashion-MNIST CNN in TorchScript
  // (tests/fixtures/pgd_small_cnn.pt, 94% test accuracy: every image can reach p >= 0.99).
  const std::string fixture_model = std::string(VISALIGN_FIXTURES_DIR) + "/pgd_small_cnn.pt --grey --mean 0 --std 1";
  const Outcome made = run_visalign(scratch, "cnn adversarial --model " + fixture_model + " --fashion-mnist test --classes 0,1,2,3,4 "
                                             "--per-class 2 --limit 1000 --device cpu --threads 1 --seed 5 --out stimuli");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::cout << made.out;
  const auto rows = tsv_records(scratch / "stimuli/stimuli.tsv");
  ASSERT_EQ(rows.size(), 30u);
  EXPECT_TRUE(std::filesystem::exists(scratch / "stimuli/overview.png"));
  // Every AN/AI image as saved (8-bit PNG) is classified as its class with p >= 0.99: read back by `cnn attack`
  // at epsilon 0 (the clean accuracy against the TSV's class column) from a list of only those images.
  std::ofstream list(scratch / "stimuli/made.tsv");
  list << "file\timage_id\tclass\n";
  int made_count = 0;
  for (const auto& row : rows) {
    if (row.at("image_type") == "RE") continue;
    EXPECT_EQ(row.at("reached"), "yes") << row.at("file");
    EXPECT_GE(std::stod(row.at("class_probability")), 0.99) << row.at("file");
    EXPECT_EQ(row.at("predicted"), row.at("class")) << row.at("file");
    if (row.at("image_type") == "AI") {
      const auto re = std::find_if(rows.begin(), rows.end(),
                                   [&](const auto& r) { return r.at("image_id") == row.at("image_id") && r.at("image_type") == "RE"; });
      ASSERT_NE(re, rows.end());
      EXPECT_NE(row.at("class"), re->at("class")) << "the AI target is another class";
    }
    list << row.at("file") << "\t" << row.at("image_id") << "_" << row.at("image_type") << "\t" << row.at("class") << "\n";
    ++made_count;
  }
  list.close();
  EXPECT_EQ(made_count, 20);
  const Outcome reread = run_visalign(scratch, "cnn attack --model " + fixture_model + " --images stimuli/made.tsv --resize 0 --crop 0 --epsilons 0 "
                                               "--device cpu --out reread");
  ASSERT_EQ(reread.exit_code, 0) << reread.err;
  EXPECT_NE(reread.out.find("accuracy 1 (20 of 20)"), std::string::npos) << reread.out;

  // PGD robustness: accuracy falls (never rises) with epsilon, for each norm; minimal epsilons and saved images.
  for (const std::string norm : {"linf", "l2", "l1"}) {
    const std::string epsilons = norm == "linf" ? "0,0.02,0.05,0.1,0.2" : norm == "l2" ? "0,0.5,1,2,4" : "0,2,5,10,20";
    const Outcome attack = run_visalign(scratch, "cnn attack --network net/network.pt --fashion-mnist test --limit 200 --norm " + norm +
                                                 " --epsilons " + epsilons + " --device cpu --threads 1 --out attack_" + norm +
                                                 (norm == "linf" ? " --minimal 0.3 --save-epsilon 0.1" : ""));
    ASSERT_EQ(attack.exit_code, 0) << attack.err;
    std::cout << attack.out;
    const auto points = tsv_records(scratch / ("attack_" + norm + "/robustness.tsv"));
    ASSERT_EQ(points.size(), 5u);
    for (std::size_t i = 1; i < points.size(); ++i) {
      EXPECT_LE(std::stod(points[i].at("accuracy")), std::stod(points[i - 1].at("accuracy"))) << norm << " epsilon " << points[i].at("epsilon");
    }
    EXPECT_LT(std::stod(points.back().at("accuracy")), 0.5 * std::stod(points.front().at("accuracy"))) << norm;
  }
  EXPECT_EQ(tsv_records(scratch / "attack_linf/minimal_epsilons.tsv").size(), 200u);
  EXPECT_EQ(tsv_records(scratch / "attack_linf/attack.tsv").size(), 200u);

  // Bad input: a checkpoint that is not one, both or neither model option, an unknown AI target rule.
  std::ofstream(scratch / "fake.pt") << "not a checkpoint";
  expect_clean_failure(scratch, "cnn attack --network fake.pt --fashion-mnist test --limit 10 --device cpu --out x", "fake.pt", "checkpoint");
  expect_clean_failure(scratch, "cnn attack --fashion-mnist test --limit 10 --device cpu --out x", "--model", "--network", 2);
  expect_clean_failure(scratch, "cnn adversarial --network net/network.pt --fashion-mnist test --limit 10 --target nearest --device cpu --out y",
                       "nearest", "other-category", 2);
}

TEST(CnnCli, AdversarialImagesOfImageNetStimuli) {
  VISALIGN_REQUIRE_FILE(squeezenet());
  VISALIGN_REQUIRE_FILE(imagenet40() + "/stimuli.tsv");
  ScratchDirectory scratch;
  // Four of the stimuli (two dogs, two birds) and their AI images toward a class of the other category.
  const fmri::TsvTable stimuli = fmri::read_tsv(imagenet40() + "/stimuli.tsv");
  std::ofstream list(scratch / "four.tsv");
  list << "file\timage_id\tcategory\tclass\n";
  int taken = 0;
  for (const auto& row : stimuli.rows) {
    const std::string category = row[static_cast<std::size_t>(stimuli.column_index("category"))];
    if ((category == "dog" || category == "bird") && taken < 4 && (category == "dog" ? taken < 2 : taken >= 2)) {
      list << imagenet40() << "/" << row[0] << "\t" << row[2] << "\t" << category << "\t"
           << row[static_cast<std::size_t>(stimuli.column_index("imagenet_index"))] << "\n";
      ++taken;
    }
  }
  list.close();
  ASSERT_EQ(taken, 4);
  const Outcome made = run_visalign(scratch, "cnn adversarial --model " + squeezenet() +
                                             " --images four.tsv --sets AI --device cpu --threads 2 --out ai");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::cout << made.out;
  for (const auto& row : tsv_records(scratch / "ai/stimuli.tsv")) {
    if (row.at("image_type") != "AI") continue;
    EXPECT_GE(std::stod(row.at("class_probability")), 0.99);
    EXPECT_LE(std::stod(row.at("linf")), 20.5 / 255.0);  // a small perturbation
  }
  // The saved AI images, read back through the model's own preprocessing (224 x 224 already: no resampling).
  const Outcome acts = run_visalign(scratch, "cnn activations " + squeezenet() + " --images ai/stimuli.tsv --layers output --resize 224 "
                                             "--crop 224 --device cpu --out acts");
  ASSERT_EQ(acts.exit_code, 0) << acts.err;
  const auto output = fmri::npy_matrix(fmri::read_npy(scratch / "acts/output.npy"), "output.npy");
  const auto rows = tsv_records(scratch / "ai/stimuli.tsv");
  ASSERT_EQ(output.rows(), static_cast<Eigen::Index>(rows.size()));
  for (Eigen::Index i = 0; i < output.rows(); ++i) {
    if (rows[static_cast<std::size_t>(i)].at("image_type") != "AI") continue;
    Eigen::Index best = 0;
    output.row(i).maxCoeff(&best);
    EXPECT_EQ(std::to_string(best), rows[static_cast<std::size_t>(i)].at("class"));
  }

  // Bad input: Fashion-MNIST's grey images for an RGB model; CUDA asked for where there is none.
  VISALIGN_REQUIRE_FASHION_MNIST();
  expect_clean_failure(scratch, "cnn adversarial --model " + squeezenet() + " --fashion-mnist test --limit 10 --device cpu --out x",
                       "1 channel", "expects 3", 2);
  const Outcome cuda = run_visalign(scratch, "cnn layers " + squeezenet() + " --device cuda");
  if (cuda.exit_code != 0) {
    EXPECT_NE(cuda.err.find("CUDA is not available"), std::string::npos) << cuda.err;
  }
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
