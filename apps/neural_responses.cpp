#include "apps/neural_responses.hpp"

#include <cmath>

#include "fmri/npy.hpp"
#include "fmri/response_repeats.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

void declare_neural_responses(NeuralResponseInput& input, CommandDeclaration& declaration, bool required) {
  auto* file = po::value(&input.file)->value_name("NPY");
  if (required) file->required();
  declaration.options.add_options()
      ("responses", file,
       "neural responses with repeats: a 3-D array (repeats, stimuli and neurons in the order --layout gives) or a 2-D "
       "array of (stimulus, repeat) rows x neurons; NaN marks a missing trial")
      ("layout", po::value(&input.layout)->default_value(input.layout),
       "axes of --responses in file order, e.g. repeats,neurons,stimuli (macaque V1 file) or stimuli,repeats,neurons "
       "(2-D, rows stimulus-major)")
      ("repeats", po::value(&input.repeats)->default_value(input.repeats),
       "repeats per stimulus, for a 2-D --responses array");
}

std::vector<Eigen::MatrixXd> read_neural_responses(const NeuralResponseInput& input, RunContext& context) {
  const fmri::ResponseLayout layout = fmri::parse_response_layout(input.layout);
  context.provenance().add_input(input.file);
  return fmri::response_repeats(fmri::read_npy(input.file), layout, input.repeats, input.file);
}

Eigen::MatrixXd read_finite_matrix(const std::string& file, RunContext& context) {
  context.provenance().add_input(file);
  Eigen::MatrixXd matrix = fmri::npy_matrix(fmri::read_npy(file), file);
  for (Eigen::Index j = 0; j < matrix.cols(); ++j) {
    for (Eigen::Index i = 0; i < matrix.rows(); ++i) {
      if (!std::isfinite(matrix(i, j))) {
        throw surface::FormatError(file, "values: expected finite numbers, found " + std::to_string(matrix(i, j)) + " at row " +
                                             std::to_string(i) + ", column " + std::to_string(j));
      }
    }
  }
  return matrix;
}

}  // namespace visalign::apps
