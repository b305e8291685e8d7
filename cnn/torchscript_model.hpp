#pragma once
// TorchScript models (saved by torch.jit.save / torch.jit.trace) run with LibTorch: layer names,
// layer shapes and layer activations as Eigen matrices. LibTorch stays inside torchscript_model.cpp.

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cnn/classifier.hpp"
#include "cnn/image_batch.hpp"
#include "cnn/layer_info.hpp"

namespace visalign::cnn {

/// Not for concurrent calls on one object (layers() and activations() cache a check per input size).
class TorchScriptModel {
 public:
  /// Loads a TorchScript file in eval mode. device: "auto" (cuda if available, else cpu), "cpu" or "cuda"
  /// (std::runtime_error if CUDA is not available). threads: torch::set_num_threads (a process-wide
  /// setting of LibTorch's intra-op pool). std::runtime_error "<file>: ..." for a missing file or one
  /// that is not TorchScript; std::invalid_argument for an unknown device or threads < 1.
  static TorchScriptModel load(const std::filesystem::path& file, const std::string& device = "auto", int threads = 1);

  TorchScriptModel(TorchScriptModel&&) noexcept;
  TorchScriptModel& operator=(TorchScriptModel&&) noexcept;
  ~TorchScriptModel();

  /// "cpu" or "cuda".
  std::string device() const;

  /// The layers in order: the children of the model's top-level Sequential containers ("features.0",
  /// ..., "classifier.3"), top-level children that are not Sequential under their own name ("avgpool",
  /// "fc"), then "output" (the model's forward result). The walk runs the top-level children in order,
  /// flattening (torch.flatten(x, 1)) before a child whose first module is a Linear and for the final
  /// output, as torchvision's forward functions do. The walk is checked against forward() on an input of
  /// the given size: if the model has no children or the walk does not reproduce forward() (a model
  /// whose forward does more than chain its children), only "output" is listed and walk_note() says why.
  /// Shapes are those of one image of channels x height x width.
  std::vector<LayerInfo> layers(std::int64_t channels, std::int64_t height, std::int64_t width) const;

  /// Empty when the layer walk reproduced forward() in the last layers() call; otherwise the reason
  /// why only "output" is available.
  std::string walk_note() const;

  /// Activations of the named layers (names from layers(); "output" is always available), run in
  /// batches of batch_size images. Result per requested layer, in the order given: images x units
  /// floats, units = the flattened (C order) per-image output. progress(done, total) is called after
  /// each batch. std::invalid_argument for an unknown layer name (naming it and listing the available
  /// layers), an empty name list, batch_size < 1 or an image batch whose values do not match its shape.
  std::vector<Eigen::MatrixXf> activations(const ImageBatch& images, const std::vector<std::string>& layer_names,
                                           int batch_size = 50,
                                           const std::function<void(std::size_t, std::size_t)>& progress = {}) const;

  /// The model as a classifier of [0, 1] pixels: (pixels - mean[c]) / std[c] per channel, then forward()
  /// (flattened to images x classes). The classifier shares the loaded model. std::invalid_argument for
  /// mean/std of different lengths, empty, or a non-positive std.
  Classifier classifier(const std::vector<float>& mean, const std::vector<float>& std,
                        const std::string& description = "TorchScript model") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  explicit TorchScriptModel(std::unique_ptr<Impl> impl);
};

}  // namespace visalign::cnn
