#include "encoding/neural_predictivity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "encoding/pls_regression.hpp"
#include "encoding/prediction_accuracy.hpp"
#include "encoding/principal_components.hpp"
#include "encoding/train_test_splits.hpp"

namespace visalign::encoding {

PredictivityRegression parse_predictivity_regression(const std::string& name) {
  if (name == "pls") return PredictivityRegression::pls;
  if (name == "ridge") return PredictivityRegression::ridge;
  throw std::invalid_argument("regression: expected pls or ridge, found '" + name + "'");
}

namespace {

std::string shape(const Eigen::MatrixXd& matrix) { return std::to_string(matrix.rows()) + " x " + std::to_string(matrix.cols()); }

void check_data(const NeuralPredictivityData& data) {
  if (data.repeats.empty()) throw std::invalid_argument("responses: expected at least 1 repeat, found none");
  const Eigen::Index stimuli = data.repeats.front().rows(), neurons = data.repeats.front().cols();
  for (std::size_t r = 0; r < data.repeats.size(); ++r) {
    if (data.repeats[r].rows() != stimuli || data.repeats[r].cols() != neurons) {
      throw std::invalid_argument("responses: repeat " + std::to_string(r) + " is " + shape(data.repeats[r]) + ", repeat 0 is " +
                                  shape(data.repeats.front()));
    }
  }
  if (neurons < 1) throw std::invalid_argument("responses: expected at least 1 neuron, found 0");
  if (data.features.rows() != stimuli) {
    throw std::invalid_argument("features: expected " + std::to_string(stimuli) + " stimuli (the responses' stimuli), found " +
                                std::to_string(data.features.rows()));
  }
  if (data.features.cols() < 1) throw std::invalid_argument("features: expected at least 1 feature, found 0");
  if (!data.features.allFinite()) throw std::invalid_argument("features: expected finite numbers, found NaN or Inf");
  if (data.pca_basis) {
    if (data.pca_basis->cols() != data.features.cols()) {
      throw std::invalid_argument("PCA basis images: expected " + std::to_string(data.features.cols()) + " features, found " +
                                  std::to_string(data.pca_basis->cols()));
    }
    if (!data.pca_basis->allFinite()) throw std::invalid_argument("PCA basis images: expected finite numbers, found NaN or Inf");
  }
  if (data.training_features.has_value() != data.training_responses.has_value()) {
    throw std::invalid_argument("training set: expected both features and responses, found only one");
  }
  if (data.training_features) {
    if (data.training_features->cols() != data.features.cols()) {
      throw std::invalid_argument("training features: expected " + std::to_string(data.features.cols()) + " features, found " +
                                  std::to_string(data.training_features->cols()));
    }
    if (data.training_responses->rows() != data.training_features->rows() || data.training_responses->cols() != neurons) {
      throw std::invalid_argument("training responses: expected " + std::to_string(data.training_features->rows()) + " x " +
                                  std::to_string(neurons) + " (training stimuli x neurons), found " + shape(*data.training_responses));
    }
    if (!data.training_features->allFinite() || !data.training_responses->allFinite()) {
      throw std::invalid_argument("training set: expected finite numbers, found NaN or Inf");
    }
    if (data.training_features->rows() < 3) throw std::invalid_argument("training set: expected at least 3 stimuli, found " +
                                                                        std::to_string(data.training_features->rows()));
  } else if (stimuli < 4) {
    throw std::invalid_argument("responses: expected at least 4 stimuli for train/test splits, found " + std::to_string(stimuli));
  }
}


/// Pearson r per neuron over the stimuli where its measured response exists (NaN if fewer than 3 or no variance).
Eigen::VectorXd per_target_accuracy_finite(const Eigen::MatrixXd& measured, const Eigen::MatrixXd& predicted) {
  Eigen::VectorXd accuracy(measured.cols());
  for (Eigen::Index j = 0; j < measured.cols(); ++j) {
    std::vector<double> a, b;
    for (Eigen::Index i = 0; i < measured.rows(); ++i) {
      if (std::isfinite(measured(i, j))) {
        a.push_back(measured(i, j));
        b.push_back(predicted(i, j));
      }
    }
    accuracy(j) = a.size() < 3 ? NAN
                               : per_target_accuracy(Eigen::Map<const Eigen::MatrixXd>(a.data(), static_cast<Eigen::Index>(a.size()), 1),
                                                     Eigen::Map<const Eigen::MatrixXd>(b.data(), static_cast<Eigen::Index>(b.size()), 1))(0);
  }
  return accuracy;
}

Eigen::MatrixXd rows_of(const Eigen::MatrixXd& matrix, const std::vector<std::int32_t>& rows) {
  Eigen::MatrixXd result(static_cast<Eigen::Index>(rows.size()), matrix.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) result.row(static_cast<Eigen::Index>(i)) = matrix.row(rows[i]);
  return result;
}

/// Fits on (features, responses) and predicts `test_features`; a neuron with a missing mean
/// response at a training stimulus has that stimulus replaced by the neuron's mean (it cannot be left out
/// of a shared-design regression); such gaps are rare (all repeats missing).
Eigen::MatrixXd fit_and_predict(const Eigen::MatrixXd& features, Eigen::MatrixXd responses, const Eigen::MatrixXd& test_features,
                                const NeuralPredictivityOptions& options, int& pls_components_used) {
  fill_missing_with_column_means(responses);
  if (options.regression == PredictivityRegression::ridge) {
    return predict_ridge(fit_ridge_cross_validated(features, responses, options.ridge), test_features);
  }
  PlsOptions pls;
  pls.components = static_cast<int>(std::min<Eigen::Index>({static_cast<Eigen::Index>(options.pls_components), features.rows() - 1, features.cols()}));
  if (pls.components < 1) throw std::invalid_argument("PLS: the training set supports no component");
  pls_components_used = pls.components;
  return predict_pls(fit_pls(features, responses, pls), test_features);
}

}  // namespace

NeuralPredictivity compute_neural_predictivity(const NeuralPredictivityData& data, const NeuralPredictivityOptions& options,
                                               const std::function<void(std::size_t, std::size_t)>& progress) {
  check_data(data);
  if (options.pls_components < 1) throw std::invalid_argument("PLS components: expected >= 1, found " + std::to_string(options.pls_components));
  if (options.pca_components < 0) throw std::invalid_argument("PCA components: expected >= 0, found " + std::to_string(options.pca_components));
  NeuralPredictivity result;
  const Eigen::MatrixXd responses = mean_over_repeats(data.repeats);
  const Eigen::Index neurons = responses.cols();

  // Features, reduced by PCA when asked (the basis never sees the neural responses).
  Eigen::MatrixXd features = data.features;
  std::optional<Eigen::MatrixXd> training_features = data.training_features;
  if (options.pca_components > 0) {
    const Eigen::MatrixXd& basis_images = data.pca_basis ? *data.pca_basis : (data.training_features ? *data.training_features : data.features);
    PcaOptions pca_options;
    pca_options.components = static_cast<int>(std::min<Eigen::Index>({static_cast<Eigen::Index>(options.pca_components),
                                                                       basis_images.rows(), basis_images.cols()}));
    if (pca_options.components < basis_images.cols()) {
      const PrincipalComponents pca = fit_pca(basis_images, pca_options);
      features = project(pca, features);
      if (training_features) training_features = project(pca, *training_features);
      result.pca_components_used = pca_options.components;
    }
  }

  if (training_features) {
    const Eigen::MatrixXd predicted = fit_and_predict(*training_features, *data.training_responses, features, options, result.pls_components_used);
    result.split_accuracy = per_target_accuracy_finite(responses, predicted).transpose();
    if (progress) progress(1, 1);
  } else {
    const std::vector<TrainTestSplit> splits =
        train_test_splits(static_cast<std::int32_t>(responses.rows()), options.splits, options.train_fraction, options.seed);
    result.split_accuracy.resize(static_cast<Eigen::Index>(splits.size()), neurons);
    for (std::size_t s = 0; s < splits.size(); ++s) {
      const Eigen::MatrixXd predicted = fit_and_predict(rows_of(features, splits[s].train), rows_of(responses, splits[s].train),
                                                        rows_of(features, splits[s].test), options, result.pls_components_used);
      result.split_accuracy.row(static_cast<Eigen::Index>(s)) = per_target_accuracy_finite(rows_of(responses, splits[s].test), predicted).transpose();
      if (progress) progress(s + 1, splits.size());
    }
  }
  result.accuracy.resize(neurons);
  for (Eigen::Index j = 0; j < neurons; ++j) {
    double sum = 0;
    int count = 0;
    for (Eigen::Index s = 0; s < result.split_accuracy.rows(); ++s) {
      if (std::isfinite(result.split_accuracy(s, j))) {
        sum += result.split_accuracy(s, j);
        ++count;
      }
    }
    result.accuracy(j) = count > 0 ? sum / count : NAN;
  }
  SplitHalfOptions reliability_options = options.reliability;
  result.reliability = split_half_reliability(data.repeats, reliability_options);
  result.noise_corrected = noise_corrected_predictivity(result.accuracy, result.reliability.spearman_brown);
  result.median_accuracy = median_of_finite(result.accuracy);
  result.median_noise_corrected = median_of_finite(result.noise_corrected);
  for (Eigen::Index j = 0; j < neurons; ++j) {
    if (!std::isfinite(result.noise_corrected(j))) ++result.neurons_undefined;
  }
  return result;
}

}  // namespace visalign::encoding
