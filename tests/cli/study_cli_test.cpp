// `visalign study`: a small study end to end (a briefly trained Fashion-MNIST CNN, its AN/AI images for 15
// test images, two simulated subjects who saw them), checked for its outputs (BIDS-derivative layout, GIFTI maps,
// tables, report), its planted answer (R(RE-AI) > R(RE-AN) in every ROI), its cache (a rerun runs nothing; a changed
// setting reruns only the steps that read it), a run killed mid-way (the rerun finishes, keeps the finished steps and
// gives the same outputs as an uninterrupted run), the report in headless Chromium, and bad configurations (each
// stops before any step with one line naming the field).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_runner.hpp"
#include "tests/scratch_directory.hpp"

#ifdef VISALIGN_HAVE_CNN

extern char** environ;

namespace visalign {
namespace {

using testing::ScratchDirectory;

/// The inputs of a small study, made once for the suite: net/network.pt, stimuli/stimuli.tsv (15 RE images of
/// classes 0, 1 and 2 with their AN and AI images) and subjects sub-01, sub-02 who saw them (order 4, the built-in
/// representations: the AI images of a briefly trained CNN are far from their RE images, so the V1 simulator's
/// responses to them would not keep AI close to RE as the planted answer needs).
class StudyCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(fashion_mnist_test_images)) return;
    inputs_ = new ScratchDirectory("StudyCli-inputs");
    const ScratchDirectory& s = *inputs_;
    const std::vector<std::string> commands = {
        "cnn train --small-widths 8,16,0 --train-limit 2000 --test-limit 200 --epochs 1 --device cpu --threads 2 --seed 3 -q --out net",
        "cnn adversarial --network net/network.pt --fashion-mnist test --classes 0,1,2 --per-class 5 --max-iterations 200 --device cpu "
        "--threads 2 -q --out stimuli",
        "fmri simulate --stimuli stimuli/stimuli.tsv --order 4 --radius 40 --snr 4 --subject sub-01 --seed 1 -q "
        "--out subjects/sub-01",
        "fmri simulate --stimuli stimuli/stimuli.tsv --order 4 --radius 40 --snr 4 --subject sub-02 --seed 2 -q "
        "--out subjects/sub-02"};
    for (const std::string& command : commands) {
      const Outcome made = run_visalign(s, command);
      if (made.exit_code != 0) {
        std::cerr << "StudyCli inputs: visalign " << command << " failed:\n" << made.err;
        delete inputs_;
        inputs_ = nullptr;
        return;
      }
    }
  }
  static void TearDownTestSuite() {
    delete inputs_;
    inputs_ = nullptr;
  }
  void SetUp() override {
    VISALIGN_REQUIRE_FASHION_MNIST();
    ASSERT_NE(inputs_, nullptr) << "the study's inputs could not be made (see above)";
  }

  /// The configuration of the small study with `changes` merged in (null values remove keys), written to `name`.
  std::filesystem::path config(const std::string& name, const nlohmann::json& changes = nlohmann::json::object()) const {
    const std::filesystem::path in = inputs_->path();
    nlohmann::json document = {
        {"format", "visalign-study-1"},
        {"name", "small study"},
        {"output", (scratch.path() / (name + "-output")).string()},
        {"threads", 2},
        {"seed", 5},
        {"subjects", {(in / "subjects/sub-01/manifest.json").string(), (in / "subjects/sub-02/manifest.json").string()}},
        {"rois", {"V1", "V2", "LO"}},
        {"vertex_selection", {{"per_hemisphere", 15}, {"radius_mm", 6}}},
        {"cnn", {{"network", (in / "net/network.pt").string()}, {"device", "cpu"}}},
        {"stimuli", {{"images", (in / "stimuli/stimuli.tsv").string()}}},
        {"rsa", {{"permutations", 50}, {"bootstraps", 50}}},
        {"searchlight", {{"permutations", 20}}},
        {"encoding", {{"permutations", 20}, {"subsamples", 20}, {"sparsity", 2}, {"layers", {"relu1", "relu2", "fc"}}}}};
    document.merge_patch(changes);
    const std::filesystem::path file = scratch / (name + ".json");
    std::ofstream(file) << document.dump(2);
    return file;
  }

  static ScratchDirectory* inputs_;
  ScratchDirectory scratch;
};

ScratchDirectory* StudyCli::inputs_ = nullptr;

/// Every derivative file below `folder` (not the steps, not the sidecars, not the report) with its bytes.
std::map<std::string, std::string> derivative_files(const std::filesystem::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    const std::string relative = std::filesystem::relative(entry.path(), folder).string();
    if (!entry.is_regular_file() || relative.rfind("steps", 0) == 0 || entry.path().extension() == ".json" || relative == "report.html") continue;
    files[relative] = slurp(entry.path());
  }
  return files;
}

TEST_F(StudyCli, RunsTheStudyAndItsPlantedAnswerComesOut) {
  const std::filesystem::path file = config("study");
  const Outcome run = run_visalign(scratch, "study " + file.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::filesystem::path out = scratch / "study-output";
  EXPECT_EQ(run.out, (out / "report.html").string() + "\n");  // the report's path, and nothing else on stdout
  EXPECT_NE(run.err.find("study [1/"), std::string::npos) << run.err;  // a line per step

  // The BIDS-derivative layout.
  const nlohmann::json description = nlohmann::json::parse(slurp(out / "dataset_description.json"));
  EXPECT_EQ(description.at("DatasetType"), "derivative");
  for (const char* s : {"sub-01", "sub-02"}) {
    const std::string subject = s;
    for (const char* table : {"_desc-roirsa_similarity", "_desc-encoding_accuracy", "_desc-bestlayer_proportion", "_desc-selection_vertices"}) {
      EXPECT_TRUE(std::filesystem::exists(out / subject / (subject + table + ".tsv"))) << subject << table;
      EXPECT_TRUE(std::filesystem::exists(out / subject / (subject + table + ".json"))) << subject << table;
    }
    for (const char* hemi : {"L", "R"}) {
      for (const char* map : {"REAN_sim", "REAI_sim", "AIminusAN_sim", "REAN_p", "REAI_p", "REAN_q", "REAI_q", "reliability_sim"}) {
        const std::filesystem::path gifti =
            out / subject / (std::string("hemi-") + hemi) / (subject + "_hemi-" + hemi + "_desc-" + map + ".func.gii");
        ASSERT_TRUE(std::filesystem::exists(gifti)) << gifti;
        EXPECT_NE(slurp(gifti).find("<GIFTI"), std::string::npos) << gifti;
      }
    }
    // The planted answer: R(RE-AI) above R(RE-AN) in every ROI (mean over presentations, both hemispheres).
    std::map<std::string, std::map<std::string, double>> similarity;
    for (const auto& row : tsv_records(out / subject / (subject + "_desc-roirsa_similarity.tsv"))) {
      if (row.at("hemispheres") == "both" && row.at("presentation") == "mean") similarity[row.at("roi")][row.at("measure")] = std::stod(row.at("value"));
    }
    for (const char* roi : {"V1", "V2", "LO"}) {
      EXPECT_GT(similarity[roi]["RE-AI"], similarity[roi]["RE-AN"]) << subject << " " << roi;
      std::cout << subject << " " << roi << ": R(RE-AN) " << similarity[roi]["RE-AN"] << ", R(RE-AI) " << similarity[roi]["RE-AI"] << "\n";
    }
  }
  for (const char* table : {"cnn/desc-layers_similarity.tsv", "cnn/desc-layers_trends.tsv", "cnn/stimuli.tsv", "group/desc-roirsa_stats.tsv",
                            "group/desc-encoding_stats.tsv", "group/desc-bestlayer_proportion.tsv"}) {
    EXPECT_TRUE(std::filesystem::exists(out / table)) << table;
  }
  EXPECT_EQ(tsv_records(out / "group/desc-roirsa_stats.tsv").size(), 3u);  // one row per ROI

  // The report: self-contained (no address it would load), with every figure.
  const std::string report = slurp(out / "report.html");
  for (const char* section : {"id=\"stimuli\"", "id=\"roi-rsa\"", "id=\"maps\"", "id=\"cnn\"", "id=\"encoding\"", "id=\"best-layer\"", "id=\"provenance\"",
                              "data:image/png;base64,", "<svg"}) {
    EXPECT_NE(report.find(section), std::string::npos) << section;
  }
  for (const char* external : {"src=\"http", "href=\"http", "src=\"//", "@import", "url(http"}) EXPECT_EQ(report.find(external), std::string::npos) << external;
  EXPECT_NE(report.find("Figure 4"), std::string::npos);

  // A rerun runs nothing; a changed RSA setting reruns the steps that read it and the in-process steps after them.
  const Outcome again = run_visalign(scratch, "study " + file.string() + " --dry-run");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("; 0 of "), std::string::npos) << again.out;
  const std::filesystem::path changed = config("study", {{"rsa", {{"permutations", 60}}}});
  const Outcome plan = run_visalign(scratch, "study " + changed.string() + " --dry-run");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  std::cout << plan.out;
  for (const char* step : {"cnn_rsa ", "roi_rsa_sub-01 ", "roi_rsa_sub-02 "}) {
    const std::size_t at = plan.out.find(step);
    ASSERT_NE(at, std::string::npos) << step;
    EXPECT_NE(plan.out.substr(at, plan.out.find('\n', at) - at).find("runs: its inputs or settings changed"), std::string::npos) << step;
  }
  for (const char* step : {"activations ", "disks_sub-01_lh ", "selection_sub-01 ", "searchlight_sub-01 ", "encoding_sub-02 "}) {
    const std::size_t at = plan.out.find(step);
    ASSERT_NE(at, std::string::npos) << step;
    EXPECT_NE(plan.out.substr(at, plan.out.find('\n', at) - at).find("done earlier"), std::string::npos) << step;
  }
}

TEST_F(StudyCli, KilledMidwayTheRerunFinishesWithTheSameOutputs) {
  // The reference: the same study without interruption.
  const Outcome reference = run_visalign(scratch, "study " + config("reference").string() + " -q");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;

  // Kill the study (its whole process group) once the ROI RSA of the first subject has finished.
  const std::filesystem::path file = config("killed");
  const std::filesystem::path out = scratch / "killed-output";
  std::vector<std::string> arguments = {VISALIGN_EXECUTABLE, "study", file.string(), "-q"};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, argv[0], nullptr, &attributes, argv.data(), environ), 0);
  posix_spawnattr_destroy(&attributes);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (!std::filesystem::exists(out / "steps/roi_rsa_sub-01/step.json") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(-child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(std::filesystem::exists(out / "steps/roi_rsa_sub-01/step.json")) << "the study did not get that far in 300 s";
  EXPECT_FALSE(std::filesystem::exists(out / "report.html"));

  const Outcome rerun = run_visalign(scratch, "study " + file.string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("ROI RSA, sub-01 (rsa roi): done earlier"), std::string::npos) << rerun.err;
  EXPECT_NE(rerun.err.find("CNN activations (cnn activations): done earlier"), std::string::npos) << rerun.err;
  EXPECT_NE(rerun.err.find("ROI RSA, sub-02 (rsa roi) ("), std::string::npos) << rerun.err;  // run now
  for (const auto& entry : std::filesystem::directory_iterator(out / "steps")) {
    EXPECT_EQ(entry.path().extension(), "") << "left unfinished: " << entry.path();  // no .partial folder remains
  }
  // The same outputs as the uninterrupted run.
  const auto expected = derivative_files(scratch / "reference-output"), found = derivative_files(out);
  ASSERT_EQ(found.size(), expected.size());
  for (const auto& [name, bytes] : expected) {
    ASSERT_EQ(found.count(name), 1u) << name;
    EXPECT_TRUE(found.at(name) == bytes) << name << " differs";
  }
}

TEST_F(StudyCli, ReportRendersInHeadlessChromium) {
  const std::filesystem::path chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) {
    if (testing::running_under_ci()) FAIL() << "missing " << chromium << " (Debian package chromium)";
    GTEST_SKIP() << "missing " << chromium << " (install the Debian package chromium)";
  }
  const Outcome run = run_visalign(scratch, "study " + config("shown", {{"encoding", {{"enabled", false}}}}).string() + " -q");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::filesystem::path shot = scratch / "report.png";
  const std::string command = "'" + chromium.string() + "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                              "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
                              "--user-data-dir='" + (scratch / "chromium-profile").string() + "' --window-size=1400,2400 --screenshot='" +
                              shot.string() + "' 'file://" + (scratch / "shown-output/report.html").string() + "' > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ASSERT_TRUE(std::filesystem::exists(shot));
  // A page that rendered: a PNG of the window's size with far more than one colour.
  const std::string png = slurp(shot);
  ASSERT_GT(png.size(), 24u);
  ASSERT_EQ(png.substr(1, 3), "PNG");
  auto big_endian = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>(png[at])) << 24) | (static_cast<unsigned>(static_cast<unsigned char>(png[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>(png[at + 2])) << 8) | static_cast<unsigned>(static_cast<unsigned char>(png[at + 3]));
  };
  EXPECT_EQ(big_endian(16), 1400u);
  EXPECT_EQ(big_endian(20), 2400u);
  EXPECT_GT(png.size(), 100000u) << "a nearly blank page compresses to little";
  std::cout << "report screenshot: " << png.size() << " bytes\n";
}

TEST_F(StudyCli, BadConfigurationsStopBeforeAnyStep) {
  const std::filesystem::path in = inputs_->path();
  struct Case {
    nlohmann::json changes;
    std::string field, fragment;
  };
  std::ofstream(scratch / "not_a_model.pt") << "not a model";
  const std::filesystem::path other_stimuli = scratch / "other.tsv";
  {
    // The same stimuli with one image renamed: the subjects saw other images.
    std::string text = slurp(in / "stimuli/stimuli.tsv");
    const std::string id = tsv_records(in / "stimuli/stimuli.tsv").front().at("image_id");
    for (std::size_t at; (at = text.find(id + "\t")) != std::string::npos;) text.replace(at, id.size(), "renamed_image");
    std::ofstream(other_stimuli) << text;
    std::filesystem::create_directories(scratch / "images");
    for (const auto& entry : std::filesystem::directory_iterator(in / "stimuli/images")) {
      std::filesystem::copy_file(entry.path(), scratch / "images" / entry.path().filename());
    }
  }
  const std::vector<Case> cases = {
      {{{"subjects", {(in / "subjects/sub-01/manifest.json").string(), (scratch / "missing/manifest.json").string()}}}, "subjects[1]",
       "does not exist"},
      {{{"rois", {"V1", "V9"}}}, "rois", "ROI 'V9' is not defined for sub-01"},
      {{{"cnn", {{"network", nullptr}, {"model", (scratch / "not_a_model.pt").string()}}}}, "cnn.model", "the model does not load"},
      {{{"cnn", {{"layers", {"relu1", "conv7"}}}}}, "cnn.layers", "unknown layer \"conv7\""},
      {{{"stimuli", {{"images", other_stimuli.string()}}}}, "subjects[0]", "differ"},
      {{{"rsa", {{"permutations", 0}}}}, "rsa.permutations", "expected an integer >= 1, found 0"},
      {{{"rsa", {{"comparison", "kendall-tau-a"}}}}, "rsa.comparison", "the searchlight compares RDMs by spearman or pearson"},
      {{{"vertex_selection", {{"disk_surface", "sphere"}}}}, "vertex_selection.disk_surface", "expected flat, midthickness or white"},
      {{{"searchlights", true}}, "top level.searchlights", "unknown key"},
      {{{"encoding", {{"layers", {"fc9"}}}}}, "encoding.layers", "unknown layer \"fc9\""},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::filesystem::path file = config("bad" + std::to_string(i), cases[i].changes);
    expect_clean_failure(scratch, "study " + file.string(), cases[i].field + ": ", cases[i].fragment);
    EXPECT_FALSE(std::filesystem::exists(scratch / ("bad" + std::to_string(i) + "-output"))) << cases[i].field;
  }
  expect_clean_failure(scratch, "study missing.json", "missing.json", "");
}

}  // namespace
}  // namespace visalign

#endif  // VISALIGN_HAVE_CNN
