#pragma once
// The best layer per vertex (core study, supplementary figure S1): for every vertex, the CNN layer
// whose encoding model predicts its responses best, and the proportion of a ROI's vertices that
// each layer wins.

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace visalign::encoding {

struct BestLayerAssignment {
  std::vector<std::int32_t> best_layer;  // per vertex: index of the layer with the highest accuracy; -1 if none is finite
  Eigen::VectorXd proportion;            // per layer: share of the assigned vertices it wins (sums to 1 unless none is assigned)
  std::int64_t assigned = 0;             // vertices with at least one finite accuracy
};

/// accuracy: layers x vertices (e.g. each vertex's Pearson r over the test images, per layer's
/// model). NaN entries never win; ties go to the earlier layer. std::invalid_argument if there
/// are no layers.
BestLayerAssignment assign_best_layers(const Eigen::Ref<const Eigen::MatrixXd>& accuracy);

/// Mean proportion over a group of layers (e.g. layers 1-2, or 7-8 of AlexNet).
double mean_proportion(const BestLayerAssignment& assignment, const std::vector<std::int32_t>& layers);

/// The low-level and high-level layer groups of a network of `layer_count` layers compared in the
/// study: the first and the last quarter of the layers, at least one each (8 layers: 1-2 and 7-8).
std::vector<std::int32_t> low_level_layers(std::int32_t layer_count);
std::vector<std::int32_t> high_level_layers(std::int32_t layer_count);

}  // namespace visalign::encoding
