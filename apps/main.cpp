// visalign: compare CNN representations with human and primate visual cortex.
// `visalign <group> <command> [options]`; `visalign --help` lists the commands.

#include <iostream>
#include <string>
#include <vector>

#include "apps/command_table.hpp"
#include "apps/commands.hpp"

namespace {

using visalign::apps::Command;

std::vector<Command> all_commands() {
  using namespace visalign::apps;
  return {surface_info_command(), surface_geodesic_command(), surface_neighborhoods_command(),
          surface_convert_command(), surface_icosphere_command(), fmri_info_command(), fmri_roi_command(),
          fmri_simulate_command(), rsa_select_command(), rsa_roi_command(), rsa_layers_command(),
          rsa_searchlight_command(), encoding_fit_command(),
          encoding_predictivity_command(), encoding_eigenspectrum_command(), study_command(),
          // The LibTorch commands run in visalign-cnn: only they pay LibTorch's start-up (seconds).
          command_in_program(cnn_layers_info(), "visalign-cnn"), command_in_program(cnn_activations_info(), "visalign-cnn"),
          command_in_program(cnn_adversarial_info(), "visalign-cnn"), command_in_program(cnn_attack_info(), "visalign-cnn"),
          command_in_program(cnn_train_info(), "visalign-cnn"), command_in_program(cnn_eigenspectra_info(), "visalign-cnn"),
          command_in_program(cnn_tuning_info(), "visalign-cnn"), command_in_program(cnn_frequency_info(), "visalign-cnn"),
          command_in_program(cnn_v1_simulate_info(), "visalign-cnn"),
          command_in_program(cnn_white_noise_info(), "visalign-cnn"),
          command_in_program(cnn_predictivity_info(), "visalign-cnn"),
          command_in_program(cnn_compare_models_info(), "visalign-cnn")};
}

void print_overview(const std::vector<Command>& commands) {
  std::cout << "visalign " << VISALIGN_VERSION
            << ": compare how CNNs and human and primate visual cortex represent images\n\n"
               "Usage: visalign <group> <command> [options]\n"
               "       visalign <group> <command> --help   (every option of a command)\n\n"
               "Commands:\n";
  std::string group;
  for (const Command& command : commands) {
    if (command.info.group != group) {
      group = command.info.group;
      std::cout << "  " << group << '\n';
    }
    std::string name = command.info.name.empty() ? "CONFIG.json" : command.info.name;  // a group that is the command
    name.resize(16, ' ');
    std::cout << "    " << name << command.info.summary << '\n';
  }
  std::cout << "\nGlobal options (after the command): --threads N, --seed N, -v/--verbose, -q/--quiet, -h/--help\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  const std::vector<Command> commands = all_commands();
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help") {
    print_overview(commands);
    return arguments.empty() ? 2 : 0;
  }
  if (arguments[0] == "--version") {
    std::cout << "visalign " << VISALIGN_VERSION << '\n';
    return 0;
  }
  return visalign::apps::run_command_from_table(commands, arguments);
}
