#include "encoding/best_layer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace visalign::encoding {

BestLayerAssignment assign_best_layers(const Eigen::Ref<const Eigen::MatrixXd>& accuracy) {
  if (accuracy.rows() < 1) throw std::invalid_argument("best layer: expected at least one layer, found 0");
  BestLayerAssignment assignment;
  assignment.best_layer.assign(static_cast<std::size_t>(accuracy.cols()), -1);
  assignment.proportion = Eigen::VectorXd::Zero(accuracy.rows());
  for (Eigen::Index vertex = 0; vertex < accuracy.cols(); ++vertex) {
    std::int32_t best = -1;
    for (Eigen::Index layer = 0; layer < accuracy.rows(); ++layer) {
      const double value = accuracy(layer, vertex);
      if (std::isfinite(value) && (best < 0 || value > accuracy(best, vertex))) best = static_cast<std::int32_t>(layer);
    }
    assignment.best_layer[static_cast<std::size_t>(vertex)] = best;
    if (best >= 0) {
      assignment.proportion(best) += 1;
      ++assignment.assigned;
    }
  }
  if (assignment.assigned > 0) assignment.proportion /= static_cast<double>(assignment.assigned);
  return assignment;
}

double mean_proportion(const BestLayerAssignment& assignment, const std::vector<std::int32_t>& layers) {
  if (layers.empty()) throw std::invalid_argument("layer group: expected at least one layer, found none");
  double sum = 0;
  for (const std::int32_t layer : layers) {
    if (layer < 0 || layer >= assignment.proportion.size()) {
      throw std::invalid_argument("layer group: layer " + std::to_string(layer) + " outside 0.." +
                                  std::to_string(assignment.proportion.size() - 1));
    }
    sum += assignment.proportion(layer);
  }
  return sum / static_cast<double>(layers.size());
}

namespace {
std::int32_t quarter(std::int32_t layer_count) {
  if (layer_count < 2) throw std::invalid_argument("layer groups: expected at least 2 layers, found " + std::to_string(layer_count));
  return std::max<std::int32_t>(1, layer_count / 4);
}
}  // namespace

std::vector<std::int32_t> low_level_layers(std::int32_t layer_count) {
  std::vector<std::int32_t> layers;
  for (std::int32_t layer = 0; layer < quarter(layer_count); ++layer) layers.push_back(layer);
  return layers;
}

std::vector<std::int32_t> high_level_layers(std::int32_t layer_count) {
  std::vector<std::int32_t> layers;
  for (std::int32_t layer = layer_count - quarter(layer_count); layer < layer_count; ++layer) layers.push_back(layer);
  return layers;
}

}  // namespace visalign::encoding
