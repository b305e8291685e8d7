// Times cnn::pgd_attack: untargeted L-inf PGD (10 steps, eps 2/255, step 2 * eps / steps, no random start)
// on the images of a folder (preprocessed as cnn/image_batch: shorter side 256, centre crop 224, [0, 1]
// pixels), classified by a TorchScript ImageNet model that normalises with ImageNet's mean and std; the
// labels are the model's clean predictions. Only the attack (pgd_attack: the PGD steps, the final
// probabilities and the norms) is timed, after loading and one untimed warm-up forward pass.
// Prints "<seconds> <images> <successes>". Used by tests/bench/pgd_attack.sh.
//
// Usage: bench_pgd_attack MODEL IMAGE_FOLDER [threads (2)] [batch (40)] [images (0: all)] [--default-malloc]
// Without --default-malloc, glibc malloc is tuned at start-up as the visalign program does
// (mallopt M_MMAP_MAX 0, M_TRIM_THRESHOLD 2^31 - 1, M_TOP_PAD 1e9; ARCHITECTURE.md), which is what running
// python with MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000 MALLOC_TOP_PAD_=1000000000.

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/pgd_attack.hpp"
#include "cnn/torchscript_model.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  const bool default_malloc = std::find(arguments.begin(), arguments.end(), "--default-malloc") != arguments.end();
  arguments.erase(std::remove(arguments.begin(), arguments.end(), "--default-malloc"), arguments.end());
  if (!default_malloc) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());  // mallopt takes an int: 2.1e9 (the python side: 1e11)
    mallopt(M_TOP_PAD, 1'000'000'000);
  }
  if (arguments.size() < 2) {
    std::fprintf(stderr, "usage: bench_pgd_attack MODEL IMAGE_FOLDER [threads (2)] [batch (40)] [images (0: all)] [--default-malloc]\n");
    return 2;
  }
  try {
    namespace cnn = visalign::cnn;
    const int threads = arguments.size() > 2 ? std::stoi(arguments[2]) : 2;
    const int batch = arguments.size() > 3 ? std::stoi(arguments[3]) : 40;
    const int limit = arguments.size() > 4 ? std::stoi(arguments[4]) : 0;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(arguments[1])) {
      std::string extension = entry.path().extension().string();
      std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
      if (extension == ".png" || extension == ".jpg" || extension == ".jpeg") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    if (limit > 0 && static_cast<std::size_t>(limit) < files.size()) files.resize(static_cast<std::size_t>(limit));
    cnn::Preprocessing pixels_only;
    pixels_only.mean = {0.0f, 0.0f, 0.0f};
    pixels_only.std = {1.0f, 1.0f, 1.0f};
    const cnn::ImageBatch images = cnn::load_images(files, pixels_only);
    const cnn::TorchScriptModel model = cnn::TorchScriptModel::load(arguments[0], "cpu", threads);
    const cnn::Classifier classifier = model.classifier({0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, "bench");
    const std::vector<std::int64_t> labels = cnn::predicted_classes(classifier.probabilities(images, batch));  // also the warm-up
    cnn::PgdOptions options;
    options.norm = cnn::PerturbationNorm::linf;
    options.epsilon = 2.0 / 255.0;
    options.steps = 10;
    options.batch_size = batch;
    const auto start = std::chrono::steady_clock::now();
    const cnn::AttackResult result = cnn::pgd_attack(classifier, images, labels, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%.4f %lld %lld\n", seconds, static_cast<long long>(images.count),
                static_cast<long long>(std::count(result.success.begin(), result.success.end(), true)));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_pgd_attack: %s\n", error.what());
    return 1;
  }
  return 0;
}
