// visalign-cnn: the cnn commands (LibTorch), run by `visalign cnn <command> ...`, which hands over
// to this program so that the other commands do not pay LibTorch's start-up.

#include <string>
#include <vector>

#include "apps/command_table.hpp"
#include "apps/commands.hpp"

int main(int argc, char** argv) {
  using namespace visalign::apps;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  return run_command_from_table({cnn_layers_command(), cnn_activations_command()}, arguments);
}
