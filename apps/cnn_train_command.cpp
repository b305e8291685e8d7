// visalign cnn train: trains a built-in network (the seed's small CNN, AlexNet or ResNet-18 in
// torchvision's layout, optionally behind a blur or PCA front end) on Fashion-MNIST, by standard or PGD
// adversarial training; a checkpoint after every epoch and a table of loss, accuracy and time per epoch.

#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "cnn/fourier_filters.hpp"
#include "cnn/labelled_images.hpp"
#include "cnn/network.hpp"
#include "cnn/network_training.hpp"
#include "fmri/tsv_table.hpp"

namespace visalign::apps {

namespace {

struct CnnTrainOptions {
  std::string architecture = "small";
  std::string front_end = "none";
  std::string small_widths = "20,50,500";
  std::string init;
  std::string fashion_mnist_folder = cnn::default_fashion_mnist_folder().string();
  std::int64_t train_limit = 0, test_limit = 0;
  int epochs = 5;
  int batch_size = 64;
  double learning_rate = 1e-3;
  std::string optimizer = "adam";
  double momentum = 0.9, weight_decay = 0.0;
  std::string adversarial_norm = "linf";
  double adversarial_epsilon = 0.0;
  int adversarial_steps = 7;
  std::string band_pass;  // "LOW,HIGH" in normalised frequency; empty: the images as they are
  std::string device = "auto";
  std::string out;
};

void declare(CnnTrainOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("architecture", po::value(&options.architecture)->default_value(options.architecture),
       "small (two conv + pool blocks and linear layers, seed 002), alexnet or resnet18 (torchvision's layouts)")
      ("front-end", po::value(&options.front_end)->default_value(options.front_end),
       "fixed input stage: none, blur:<sigma in pixels> (Gaussian), pca:<K> (projection on the first K principal "
       "components of the training images) or v1:<channels> (VOneNet style: a simulated V1 population, half simple and half "
       "complex cells with De Valois preferred frequencies, as a fixed Gabor convolution at every pixel; 28 px = 0.8 degrees, "
       "METHODS' 35 px per degree; population seed 0, bandwidth 1.4 octaves)")
      ("small-widths", po::value(&options.small_widths)->default_value(options.small_widths),
       "small CNN: conv1 channels, conv2 channels, hidden units (0 hidden units: one linear layer)")
      ("init", po::value(&options.init)->value_name("PT"),
       "start from the parameters of a TorchScript model with the same names (e.g. a scripted torchvision model)")
      ("fashion-mnist-folder", po::value(&options.fashion_mnist_folder)->default_value(options.fashion_mnist_folder),
       "the folder of the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)")
      ("train-limit", po::value(&options.train_limit)->default_value(0), "train on the first N training images (0: all 60000)")
      ("test-limit", po::value(&options.test_limit)->default_value(0), "test on the first N test images (0: all 10000)")
      ("epochs", po::value(&options.epochs)->default_value(options.epochs), "passes over the training images")
      ("batch-size", po::value(&options.batch_size)->default_value(options.batch_size), "images per update")
      ("learning-rate", po::value(&options.learning_rate)->default_value(options.learning_rate), "optimizer step size")
      ("optimizer", po::value(&options.optimizer)->default_value(options.optimizer), "adam or sgd (with --momentum)")
      ("momentum", po::value(&options.momentum)->default_value(options.momentum), "sgd momentum")
      ("weight-decay", po::value(&options.weight_decay)->default_value(options.weight_decay), "L2 penalty on the weights")
      ("adversarial-epsilon", po::value(&options.adversarial_epsilon)->default_value(0.0),
       "PGD adversarial training with this radius (0: standard training); random start, step 2.5 * epsilon / steps")
      ("adversarial-norm", po::value(&options.adversarial_norm)->default_value(options.adversarial_norm), "its bound: linf, l2 or l1")
      ("adversarial-steps", po::value(&options.adversarial_steps)->default_value(options.adversarial_steps), "its PGD steps")
      ("band-pass", po::value(&options.band_pass)->value_name("LOW,HIGH"),
       "train on band-passed images (seed 004): every training image keeps its Fourier coefficients with LOW < f <= HIGH and its "
       "mean brightness (f normalised to Nyquist, 0 <= LOW < HIGH <= sqrt 2); test accuracy is reported on the unfiltered and on "
       "band-passed test images")
      ("device", po::value(&options.device)->default_value(options.device), "auto (a CUDA GPU when there is one, else the CPU), cpu or cuda")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: network.pt (the checkpoint, rewritten after every epoch) and training.tsv (loss, accuracies, seconds per epoch)");
}

std::vector<std::int64_t> parse_widths(const std::string& text) {
  const std::vector<std::int64_t> widths = parse_integer_list(text, "small-widths");
  if (widths.size() != 3 || widths[0] < 1 || widths[1] < 1 || widths[2] < 0) {
    throw std::invalid_argument("--small-widths: expected three integers (conv1 channels >= 1, conv2 channels >= 1, hidden units >= 0), "
                                "found '" + text + "'");
  }
  return widths;
}

cnn::FrontEnd parse_front_end(const std::string& text, std::int64_t image_size) {
  cnn::FrontEnd front_end;
  const auto colon = text.find(':');
  front_end.kind = text.substr(0, colon);
  const std::string value = colon == std::string::npos ? "" : text.substr(colon + 1);
  std::size_t used = 0;
  double number = 0;
  try {
    number = value.empty() ? 0 : std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool parsed = !value.empty() && used == value.size();
  if (front_end.kind == "none" && value.empty()) return front_end;
  if (front_end.kind == "blur" && parsed && number > 0) {
    front_end.blur_sigma = number;
    return front_end;
  }
  if (front_end.kind == "pca" && parsed && number >= 1 && number == std::floor(number)) {
    front_end.pca_components = static_cast<int>(number);
    return front_end;
  }
  if (front_end.kind == "v1" && parsed && number >= 2 && number <= 4096 && number == std::floor(number)) {
    front_end.v1.simple_cells = static_cast<int>(number) / 2;
    front_end.v1.complex_cells = static_cast<int>(number) - front_end.v1.simple_cells;
    front_end.v1.image_size = static_cast<int>(image_size);
    front_end.v1.field_of_view = static_cast<double>(image_size) / 35.0;  // METHODS: 224 px = 6.4 degrees
    return front_end;
  }
  throw std::invalid_argument("--front-end: expected none, blur:<sigma > 0>, pca:<K >= 1> or v1:<channels 2..4096>, found '" + text + "'");
}

/// --band-pass LOW,HIGH: {low, high}, or {} when not given.
std::vector<double> parse_band(const std::string& text) {
  if (text.empty()) return {};
  const std::vector<double> band = parse_number_list(text, "band-pass");
  if (band.size() != 2 || !(band[0] >= 0 && band[0] < band[1] && band[1] <= cnn::largest_normalised_frequency())) {
    throw std::invalid_argument("--band-pass: expected LOW,HIGH with 0 <= LOW < HIGH <= sqrt(2) (normalised frequency, 1 = Nyquist), found '" +
                                text + "'");
  }
  return band;
}

void run(const CnnTrainOptions& options, RunContext& context) {
  const std::vector<double> band = parse_band(options.band_pass);
  cnn::NetworkSpec spec;
  spec.architecture = options.architecture;
  spec.front_end = parse_front_end(options.front_end, spec.height);
  spec.small_widths = parse_widths(options.small_widths);
  cnn::validate_network_spec(spec);
  cnn::TrainingOptions training_options;
  training_options.epochs = options.epochs;
  training_options.batch_size = options.batch_size;
  training_options.learning_rate = options.learning_rate;
  training_options.optimizer = options.optimizer;
  training_options.momentum = options.momentum;
  training_options.weight_decay = options.weight_decay;
  training_options.seed = context.global().seed;
  if (options.epochs < 1) throw std::invalid_argument("--epochs: expected >= 1, found " + std::to_string(options.epochs));
  if (options.batch_size < 1) throw std::invalid_argument("--batch-size: expected >= 1, found " + std::to_string(options.batch_size));
  if (!(options.learning_rate > 0)) throw std::invalid_argument("--learning-rate: expected > 0, found " + table_number(options.learning_rate));
  if (options.optimizer != "adam" && options.optimizer != "sgd") {
    throw std::invalid_argument("--optimizer: expected adam or sgd, found '" + options.optimizer + "'");
  }
  if (options.adversarial_epsilon < 0 || options.adversarial_epsilon > 1) {
    throw std::invalid_argument("--adversarial-epsilon: expected in [0, 1], found " + table_number(options.adversarial_epsilon));
  }
  if (options.adversarial_epsilon > 0) {
    if (options.adversarial_steps < 1) {
      throw std::invalid_argument("--adversarial-steps: expected >= 1, found " + std::to_string(options.adversarial_steps));
    }
    training_options.adversarial = true;
    training_options.attack.norm = cnn::parse_perturbation_norm(options.adversarial_norm);
    training_options.attack.epsilon = options.adversarial_epsilon;
    training_options.attack.steps = options.adversarial_steps;
    training_options.attack.step_size = 2.5 * options.adversarial_epsilon / options.adversarial_steps;
    training_options.attack.random_start = true;
  }
  const std::filesystem::path folder = options.out;
  cnn::LabelledImages training = cnn::read_fashion_mnist(options.fashion_mnist_folder, "train", options.train_limit);
  const cnn::LabelledImages test = cnn::read_fashion_mnist(options.fashion_mnist_folder, "test", options.test_limit);
  cnn::LabelledImages band_passed_test;
  if (!band.empty()) {
    // The images the network learns from (and the PCA front end is fitted on) are the band-passed ones.
    training.images = cnn::band_pass(training.images, band[0], band[1]);
    band_passed_test = test;
    band_passed_test.images = cnn::band_pass(test.images, band[0], band[1]);
    context.provenance().add_note("band_pass", nlohmann::json{{"low", band[0]}, {"high", band[1]}, {"mean_kept", true}});
  }
  context.provenance().add_input(options.fashion_mnist_folder);
  cnn::Network network =
      cnn::Network::create(spec, context.global().seed, options.device, context.global().threads, &training.images);
  if (!options.init.empty()) {
    network.load_parameters(options.init);
    context.provenance().add_input(options.init);
  }
  std::filesystem::create_directories(folder);
  context.check_output_location(folder / "network.pt");
  std::printf("%s: %lld parameters, on %s; %lld training and %lld test images\n", network.description().c_str(),
              static_cast<long long>(network.parameter_count()), network.device().c_str(),
              static_cast<long long>(training.images.count), static_cast<long long>(test.images.count));

  fmri::TsvTable table;
  table.columns = {"epoch", "loss", "training_accuracy", "test_accuracy", "seconds"};
  if (!band.empty()) table.columns.push_back("band_pass_test_accuracy");
  ProgressBar progress = context.progress("epoch 1");
  int shown_epoch = 1;
  cnn::train_network(
      network, training, test, training_options,
      [&](int epoch, std::size_t done, std::size_t total) {
        if (epoch != shown_epoch) {
          progress.finish();
          progress = context.progress("epoch " + std::to_string(epoch));
          shown_epoch = epoch;
        }
        progress.update(done, total);
      },
      [&](const cnn::EpochReport& report) {
        progress.finish();
        table.rows.push_back({std::to_string(report.epoch), table_number(report.loss), table_number(report.training_accuracy),
                              table_number(report.test_accuracy), table_number(report.seconds)});
        double band_accuracy = std::nan("");
        if (!band.empty()) {
          band_accuracy = cnn::classification_accuracy(network.classifier(), band_passed_test.images, band_passed_test.labels);
          table.rows.back().push_back(table_number(band_accuracy));
        }
        network.save(folder / "network.pt");  // every epoch: an interrupted run keeps its last epoch
        fmri::write_tsv(table, folder / "training.tsv");
        std::printf("epoch %d: loss %.4f, training accuracy %.4f, test accuracy %.4f, %.1f s\n", report.epoch, report.loss,
                    report.training_accuracy, report.test_accuracy, report.seconds);
        if (!band.empty()) std::printf("epoch %d: band-passed test accuracy %.4f\n", report.epoch, band_accuracy);
        std::fflush(stdout);
      });
  context.provenance().add_note("network", network.description());
  context.finished_output(folder / "network.pt");
  context.finished_output(folder / "training.tsv");
}

}  // namespace

Command cnn_train_command() {
  return make_command<CnnTrainOptions>(cnn_train_info(), declare, run);
}

}  // namespace visalign::apps
