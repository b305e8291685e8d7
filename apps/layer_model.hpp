#pragma once
// A model whose layers the model-versus-V1 analyses read (eigenspectra, tuning, V1 predictivity, the
// model comparison): a TorchScript model (with its input normalisation) or a network checkpoint of
// `cnn train`, both taking [0, 1] pixels of one input size, with its classifier for the analyses that
// need decisions.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/classifier_input.hpp"
#include "apps/command.hpp"
#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/layer_info.hpp"

namespace visalign::apps {

class LayerModel {
 public:
  /// Exactly one of --model and --network (std::invalid_argument otherwise); the file is recorded as a
  /// provenance input. A TorchScript model takes channels (3, or 1 with --grey) x crop x crop pixels,
  /// normalised inside by --mean/--std; a network takes its checkpoint's size.
  static LayerModel load(const ClassifierInputOptions& options, RunContext& context);
  LayerModel(LayerModel&&) noexcept;
  LayerModel& operator=(LayerModel&&) noexcept;
  ~LayerModel();

  std::int64_t channels() const;
  std::int64_t height() const;
  std::int64_t width() const;
  std::string description() const;  // "TorchScript squeezenet1_1.pt" / the network's description
  std::string device() const;       // where it runs: "cpu", "cuda:0"
  /// Images per forward pass of activations() (default 50 for TorchScript models, 200 for networks).
  void set_batch_size(int images);
  /// The layers with one input image's output shape.
  std::vector<cnn::LayerInfo> layers() const;
  /// std::invalid_argument naming `option` and listing the layers when a name is not one of them.
  void require_layers(const std::vector<std::string>& names, const std::string& option) const;
  /// The layers a comma-separated --layers value names (checked as require_layers does), or every layer when
  /// it is empty.
  std::vector<std::string> chosen_layers(const std::string& layers_option, const std::string& option) const;
  /// Units (the product of the output shape) of each named layer; require_layers' error for an unknown name.
  std::vector<std::int64_t> unit_counts(const std::vector<std::string>& names, const std::string& option) const;
  /// Activations (images x units per layer, in the order asked) to [0, 1] pixels of the input size.
  std::vector<Eigen::MatrixXf> activations(const cnn::ImageBatch& pixels, const std::vector<std::string>& names,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {}) const;
  const cnn::Classifier& classifier() const;
  /// How image files become this model's [0, 1] input: shorter side resized (a TorchScript model: --resize,
  /// as `cnn activations` reads them; a network: to its input size), centre crop to the input size, grey
  /// for one channel, no normalisation (the model normalises).
  cnn::Preprocessing file_preprocessing() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  explicit LayerModel(std::unique_ptr<Impl> impl);
};

/// Consecutive groups [first, last) of layers whose activations to `images` images fit `memory_gib`
/// together (float); a layer larger than the budget forms a group alone. std::invalid_argument for a
/// budget that is not > 0.
std::vector<std::pair<std::size_t, std::size_t>> layer_groups_within_budget(const std::vector<std::int64_t>& units, std::int64_t images,
                                                                            double memory_gib);

/// Reads the activations of `layers` to `images` in the groups of layer_groups_within_budget (one pass of the
/// images per group, with a progress bar) and hands each layer's activations (images x units) to `use` with
/// the layer's index in `layers`, in order; the activations are freed after the call.
void for_each_layer_activations(const LayerModel& model, const cnn::ImageBatch& images, const std::vector<std::string>& layers,
                                double memory_gib, RunContext& context,
                                const std::function<void(std::size_t, Eigen::MatrixXf&)>& use);

}  // namespace visalign::apps
