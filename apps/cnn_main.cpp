// visalign-cnn: the cnn commands (LibTorch), run by `visalign cnn <command> ...`, which hands over
// to this program so that the other commands do not pay LibTorch's start-up.

#include <malloc.h>

#include <string>
#include <vector>

#include "apps/command_table.hpp"
#include "apps/commands.hpp"

int main(int argc, char** argv) {
  // glibc's default malloc returns LibTorch's large buffers to the system after every batch and takes page
  // faults to get them back (SqueezeNet on the CPU: 40 images/s by default, 72 with these settings in PyTorch).
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  using namespace visalign::apps;
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  std::vector<Command> commands = {cnn_layers_command(), cnn_activations_command(), cnn_adversarial_command(), cnn_attack_command(),
                                cnn_train_command(), cnn_eigenspectra_command(), cnn_tuning_command(), cnn_frequency_command(),
                                cnn_v1_simulate_command(), cnn_white_noise_command(), cnn_predictivity_command()};
  // compare-models runs the analysis commands above through the same table.
  commands.push_back(cnn_compare_models_command(commands));
  return run_command_from_table(commands, arguments);
}
