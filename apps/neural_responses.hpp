#pragma once
// Neural responses with repeats as the encoding commands read them: an NPY file, its axis layout
// and (for 2-D files) the number of repeats.

#include <Eigen/Core>

#include <string>
#include <vector>

#include "apps/command.hpp"

namespace visalign::apps {

struct NeuralResponseInput {
  std::string file;
  std::string layout = "repeats,stimuli,neurons";
  int repeats = 0;
};

/// Declares --responses (required unless `required` is false), --layout and --repeats.
void declare_neural_responses(NeuralResponseInput& input, CommandDeclaration& declaration, bool required = true);

/// One matrix per repeat (stimuli x neurons), read and checked; recorded as a provenance input.
std::vector<Eigen::MatrixXd> read_neural_responses(const NeuralResponseInput& input, RunContext& context);

/// A 2-D NPY matrix (rows x columns) recorded as a provenance input; FormatError naming the file
/// for NaN/Inf values.
Eigen::MatrixXd read_finite_matrix(const std::string& file, RunContext& context);

}  // namespace visalign::apps
