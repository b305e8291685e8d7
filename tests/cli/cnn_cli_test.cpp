// `visalign cnn ...` with the real ImageNet SqueezeNet 1.1 (TorchScript): layers listed by name,
// activations of the 40 ImageNet stimuli written as NPY + a layer list that `rsa layers` reads, and
// bad input (not a TorchScript file, an unknown layer, a missing image).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

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

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
