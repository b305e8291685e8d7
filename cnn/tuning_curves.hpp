#pragma once
// Spatial-frequency and orientation tuning of model units from their responses to the Gabor set
// (METHODS.md section 2, "Spatial-frequency tuning"; seed 001, Methods "Spatial frequency tuning"): the
// representative unit of each channel of a convolutional layer, tuning curves, the units that are tuned at
// all, and their preferred frequency and orientation. Pure Eigen, no LibTorch.

#include <Eigen/Core>

#include <cstddef>
#include <vector>

#include "cnn/gabor_stimuli.hpp"
#include "cnn/layer_info.hpp"

namespace visalign::cnn {

/// The representative unit of every channel of a convolutional layer whose output for one image is
/// C x H x W (units in C order, as activations() returns them): the unit at (floor(H / 2), floor(W / 2)) of
/// channel c, index c * H * W + (H / 2) * W + W / 2 (integer division). All the units of a channel share one
/// filter, and the patch sits at the image centre, so this unit sees it best (seed 001). For an even H (or W)
/// the centre lies between two rows and this is the lower (right) one of them, as in the seed. A C x 1 x 1
/// output (e.g. after global pooling) has its one unit per channel.
/// std::invalid_argument "layer <name> has no spatial centre (shape ...): spatial-frequency tuning needs a
/// convolutional layer" for a shape that is not C x H x W (a fully connected layer's [C], or another rank),
/// and for non-positive sizes.
std::vector<Eigen::Index> centre_unit_indices(const LayerInfo& layer);

/// Tuning of units to the Gabor set.
struct TuningCurves {
  std::vector<double> frequencies_cycles_per_image;   // per frequency index of the set
  std::vector<double> frequencies_cycles_per_degree;  // per frequency index
  std::vector<double> orientations_deg;               // per orientation index
  /// units x frequencies: the mean response over all orientations and phases of each frequency.
  Eigen::MatrixXd frequency_curves;
  /// units x orientations: the mean response over all phases and frequencies of each orientation.
  Eigen::MatrixXd orientation_curves;
  /// Per unit: max - min of its frequency curve (NaN when the unit gave a non-finite response).
  Eigen::VectorXd peak_to_peak;
  /// Per unit: peak_to_peak > flat_tolerance * max |response| over the stimuli (tolerance 0: peak_to_peak > 0, the
  /// seed's rule; a unit that answers every frequency alike, e.g. a dead ReLU, has no preferred frequency).
  /// Units with a non-finite response are not tuned.
  std::vector<char> tuned;
  /// Per unit: the index of the largest value of its frequency (orientation) curve; the FIRST such index
  /// when several are equal (numpy.argmax), i.e. the lowest frequency (orientation) among ties. Meaningful
  /// only for tuned units.
  std::vector<std::size_t> preferred_frequency_index, preferred_orientation_index;
  std::size_t tuned_units = 0, dropped_units = 0;
};

/// Tuning curves from responses (stimuli x units, rows in the order of `stimuli`), accumulated in double.
/// The stimuli need not be a full grid, but every frequency and orientation index from 0 to the largest one
/// must occur, with the same frequency values wherever an index occurs. std::invalid_argument naming the
/// sizes otherwise, for no stimuli, or for a negative or non-finite flat_tolerance.
///
/// flat_tolerance: METHODS keeps every unit whose curve is not exactly flat (0). A LINEAR unit (a convolution
/// before its ReLU) answers the mean over evenly spaced phases with the same value at every frequency (the
/// phases cancel), so its curve is flat up to float rounding (peak-to-peak ~1e-7 of its values) and its
/// "preferred frequency" is rounding noise; a tolerance of 1e-4 (of the unit's largest |response| to a single
/// stimulus, which the phases do not cancel) drops such units.
TuningCurves tuning_curves(const Eigen::Ref<const Eigen::MatrixXf>& responses, const std::vector<GaborStimulus>& stimuli,
                           double flat_tolerance = 0.0);

/// The preferred frequencies (cycles/degree) of the tuned units, in unit order.
std::vector<double> preferred_cycles_per_degree(const TuningCurves& tuning);

}  // namespace visalign::cnn
