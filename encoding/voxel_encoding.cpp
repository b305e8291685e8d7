#include "encoding/voxel_encoding.hpp"

#include <stdexcept>

#include "encoding/sparsity_cross_validation.hpp"

namespace visalign::encoding {

namespace {

std::string shape(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + " x " + std::to_string(cols); }

void check_data(const VoxelEncodingData& data) {
  const Eigen::Index images = data.training_features.rows(), units = data.training_features.cols();
  const Eigen::Index vertices = data.training_responses.cols();
  if (images < 2 || units < 1) {
    throw std::invalid_argument("training features: expected at least 2 images x 1 unit, found " + shape(images, units));
  }
  if (data.training_responses.rows() != images) {
    throw std::invalid_argument("training responses: expected " + std::to_string(images) + " images (the rows of the training features), found " +
                                std::to_string(data.training_responses.rows()));
  }
  if (vertices < 1) throw std::invalid_argument("training responses: expected at least 1 vertex, found 0");
  if (!data.training_responses.allFinite()) throw std::invalid_argument("training responses: expected finite numbers, found NaN or Inf");
  if (!data.training_features.allFinite()) throw std::invalid_argument("training features: expected finite numbers, found NaN or Inf");
  if (data.test_features.size() != data.test_responses.size()) {
    throw std::invalid_argument("test sets: features and responses name different sets");
  }
  for (const auto& [name, features] : data.test_features) {
    const auto found = data.test_responses.find(name);
    if (found == data.test_responses.end()) throw std::invalid_argument("test set " + name + ": features without responses");
    const Eigen::MatrixXd& responses = found->second;
    if (features.cols() != units) {
      throw std::invalid_argument("test set " + name + " features: expected " + std::to_string(units) + " units (as the training features), found " +
                                  std::to_string(features.cols()));
    }
    if (responses.rows() != features.rows() || responses.cols() != vertices) {
      throw std::invalid_argument("test set " + name + " responses: expected " + shape(features.rows(), vertices) +
                                  " (test images x vertices), found " + shape(responses.rows(), responses.cols()));
    }
    if (features.rows() < 3) throw std::invalid_argument("test set " + name + ": expected at least 3 images, found " + std::to_string(features.rows()));
    if (!features.allFinite()) throw std::invalid_argument("test set " + name + " features: expected finite numbers, found NaN or Inf");
    if (!responses.allFinite()) throw std::invalid_argument("test set " + name + " responses: expected finite numbers, found NaN or Inf");
  }
}

}  // namespace

VoxelEncodingResult fit_voxel_encoding(const VoxelEncodingData& data, const VoxelEncodingOptions& options,
                                       const std::function<void(std::size_t, std::size_t)>& progress) {
  check_data(data);
  const auto vertices = static_cast<std::size_t>(data.training_responses.cols());
  VoxelEncodingResult result;
  const bool cross_validate = !options.sparsity_candidates.empty();
  const std::size_t steps = cross_validate ? 2 : 1;
  auto report = [&](std::size_t step) {
    return [&progress, step, steps](std::size_t done, std::size_t total) {
      if (progress && total > 0) progress(step * total + done, steps * total);
    };
  };
  if (cross_validate) {
    const SparsitySelection selection = select_sparsity_leave_one_out(data.training_features, data.training_responses,
                                                                      options.sparsity_candidates, options.pursuit, report(0));
    result.sparsity = selection.chosen;
    result.models = fit_sparse_models_with_sparsity(data.training_features, data.training_responses, result.sparsity,
                                                    options.pursuit, report(1));
  } else {
    result.sparsity.assign(vertices, options.pursuit.sparsity);
    result.models = fit_sparse_models(data.training_features, data.training_responses, options.pursuit, report(0));
  }
  for (const auto& [name, features] : data.test_features) {
    const Eigen::MatrixXd& measured = data.test_responses.at(name);
    Eigen::MatrixXd predicted = predict_sparse_models(result.models, features);
    result.accuracy[name] = test_prediction_accuracy(measured, predicted, options.accuracy);
    result.vertex_accuracy[name] = per_target_accuracy(measured, predicted);
    result.predictions[name] = std::move(predicted);
  }
  return result;
}

}  // namespace visalign::encoding
