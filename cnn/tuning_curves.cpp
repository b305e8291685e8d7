#include "cnn/tuning_curves.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace visalign::cnn {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? " x " : "") + std::to_string(shape[i]);
  return text.empty() ? "scalar" : text;
}

// Means of the responses (stimuli x units) over the stimuli of each group: units x groups, summed in double.
Eigen::MatrixXd group_means(const Eigen::Ref<const Eigen::MatrixXf>& responses, const std::vector<std::size_t>& group_of_stimulus,
                            std::size_t groups) {
  Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(responses.cols(), static_cast<Eigen::Index>(groups));
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(groups));
  for (std::size_t s = 0; s < group_of_stimulus.size(); ++s) {
    const auto group = static_cast<Eigen::Index>(group_of_stimulus[s]);
    sums.col(group) += responses.row(static_cast<Eigen::Index>(s)).transpose().cast<double>();
    counts(group) += 1.0;
  }
  return sums * counts.cwiseInverse().asDiagonal();
}

// Indices of the values, each index from 0 to the largest present; std::invalid_argument otherwise.
std::size_t group_count(const std::vector<std::size_t>& groups, const char* what) {
  const std::size_t count = *std::max_element(groups.begin(), groups.end()) + 1;
  std::vector<char> seen(count, 0);
  for (const std::size_t group : groups) seen[group] = 1;
  const auto missing = std::find(seen.begin(), seen.end(), 0);
  if (missing != seen.end()) {
    throw std::invalid_argument(std::string("tuning curves: expected stimuli of every ") + what + " index 0.." + std::to_string(count - 1) +
                                ", found none of index " + std::to_string(missing - seen.begin()));
  }
  return count;
}

std::size_t first_largest(const Eigen::Ref<const Eigen::RowVectorXd>& curve) {
  Eigen::Index best = 0;
  for (Eigen::Index i = 1; i < curve.size(); ++i) {
    if (curve(i) > curve(best)) best = i;  // strictly larger: the first index wins ties
  }
  return static_cast<std::size_t>(best);
}

}  // namespace

std::vector<Eigen::Index> centre_unit_indices(const LayerInfo& layer) {
  const std::vector<std::int64_t>& shape = layer.shape;
  const bool positive = std::all_of(shape.begin(), shape.end(), [](std::int64_t size) { return size > 0; });
  if (shape.size() != 3 || !positive) {
    throw std::invalid_argument("layer " + layer.name + " has no spatial centre (shape " + shape_text(shape) +
                                "): spatial-frequency tuning needs a convolutional layer");
  }
  const std::int64_t height = shape[1], width = shape[2];
  std::vector<Eigen::Index> units(static_cast<std::size_t>(shape[0]));
  for (std::int64_t c = 0; c < shape[0]; ++c) {
    units[static_cast<std::size_t>(c)] = static_cast<Eigen::Index>(c * height * width + (height / 2) * width + width / 2);
  }
  return units;
}

TuningCurves tuning_curves(const Eigen::Ref<const Eigen::MatrixXf>& responses, const std::vector<GaborStimulus>& stimuli,
                           double flat_tolerance) {
  if (!(flat_tolerance >= 0.0) || !std::isfinite(flat_tolerance)) {
    throw std::invalid_argument("tuning curves: expected a flat tolerance >= 0, found " + std::to_string(flat_tolerance));
  }
  if (stimuli.empty()) throw std::invalid_argument("tuning curves: expected some stimuli, found none");
  if (responses.rows() != static_cast<Eigen::Index>(stimuli.size())) {
    throw std::invalid_argument("tuning curves: expected one response row per stimulus (" + std::to_string(stimuli.size()) +
                                "), found " + std::to_string(responses.rows()) + " rows");
  }
  std::vector<std::size_t> frequency_of(stimuli.size()), orientation_of(stimuli.size());
  for (std::size_t s = 0; s < stimuli.size(); ++s) {
    frequency_of[s] = stimuli[s].frequency_index;
    orientation_of[s] = stimuli[s].orientation_index;
  }
  TuningCurves tuning;
  const std::size_t frequencies = group_count(frequency_of, "frequency"), orientations = group_count(orientation_of, "orientation");
  tuning.frequencies_cycles_per_image.assign(frequencies, std::nan(""));
  tuning.frequencies_cycles_per_degree.assign(frequencies, std::nan(""));
  tuning.orientations_deg.assign(orientations, std::nan(""));
  for (const GaborStimulus& stimulus : stimuli) {
    double& per_image = tuning.frequencies_cycles_per_image[stimulus.frequency_index];
    double& per_degree = tuning.frequencies_cycles_per_degree[stimulus.frequency_index];
    if (!std::isnan(per_image) && (per_image != stimulus.cycles_per_image || per_degree != stimulus.cycles_per_degree)) {
      throw std::invalid_argument("tuning curves: frequency index " + std::to_string(stimulus.frequency_index) +
                                  " stands for different frequencies in different stimuli");
    }
    per_image = stimulus.cycles_per_image;
    per_degree = stimulus.cycles_per_degree;
    tuning.orientations_deg[stimulus.orientation_index] = stimulus.orientation_deg;
  }

  tuning.frequency_curves = group_means(responses, frequency_of, frequencies);
  tuning.orientation_curves = group_means(responses, orientation_of, orientations);
  const Eigen::Index units = responses.cols();
  tuning.peak_to_peak.resize(units);
  tuning.tuned.assign(static_cast<std::size_t>(units), 0);
  tuning.preferred_frequency_index.assign(static_cast<std::size_t>(units), 0);
  tuning.preferred_orientation_index.assign(static_cast<std::size_t>(units), 0);
  for (Eigen::Index u = 0; u < units; ++u) {
    const auto curve = tuning.frequency_curves.row(u);
    // A non-finite response makes its curve non-finite; NaN then marks the unit as not tuned.
    tuning.peak_to_peak(u) = curve.allFinite() ? curve.maxCoeff() - curve.minCoeff() : std::nan("");
    const std::size_t unit = static_cast<std::size_t>(u);
    const double scale = static_cast<double>(responses.col(u).cwiseAbs().maxCoeff());  // NaN: untuned anyway
    tuning.tuned[unit] = tuning.peak_to_peak(u) > flat_tolerance * scale ? 1 : 0;
    tuning.preferred_frequency_index[unit] = first_largest(curve);
    tuning.preferred_orientation_index[unit] = first_largest(tuning.orientation_curves.row(u));
    (tuning.tuned[unit] ? tuning.tuned_units : tuning.dropped_units) += 1;
  }
  return tuning;
}

std::vector<double> preferred_cycles_per_degree(const TuningCurves& tuning) {
  std::vector<double> preferred;
  for (std::size_t unit = 0; unit < tuning.tuned.size(); ++unit) {
    if (tuning.tuned[unit]) preferred.push_back(tuning.frequencies_cycles_per_degree[tuning.preferred_frequency_index[unit]]);
  }
  return preferred;
}

}  // namespace visalign::cnn
