// visalign: compare CNN representations with human and primate visual cortex.
// `visalign <group> <command> [options]`; `visalign --help` lists the commands.

#include <iostream>
#include <string>
#include <vector>

#include "apps/commands.hpp"

namespace {

using visalign::apps::Command;

std::vector<Command> all_commands() {
  using namespace visalign::apps;
  return {surface_info_command(), surface_geodesic_command(), surface_neighborhoods_command(),
          surface_convert_command(), surface_icosphere_command(), fmri_info_command(), fmri_roi_command(),
          fmri_simulate_command(), rsa_select_command(), rsa_roi_command(), rsa_layers_command(),
          rsa_searchlight_command(), encoding_fit_command(),
          encoding_predictivity_command(), encoding_eigenspectrum_command()};
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
    std::string name = command.info.name;
    name.resize(16, ' ');
    std::cout << "    " << name << command.info.summary << '\n';
  }
  std::cout << "\nGlobal options (after the command): --threads N, --seed N, -v/--verbose, -q/--quiet, -h/--help\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  std::string command_line = "visalign";
  for (const std::string& argument : arguments) command_line += " " + argument;

  const std::vector<Command> commands = all_commands();
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" || arguments[0] == "help") {
    print_overview(commands);
    return arguments.empty() ? 2 : 0;
  }
  if (arguments[0] == "--version") {
    std::cout << "visalign " << VISALIGN_VERSION << '\n';
    return 0;
  }
  const std::string group = arguments[0];
  const std::string name = arguments.size() > 1 ? arguments[1] : "";
  bool group_exists = false;
  for (const Command& command : commands) {
    if (command.info.group != group) continue;
    group_exists = true;
    if (command.info.name == name) {
      return command.main(std::vector<std::string>(arguments.begin() + 2, arguments.end()), command_line);
    }
  }
  if (group_exists) {
    std::cerr << "visalign " << group << ": usage error: " << (name.empty() ? "no command given" : "unknown command '" + name + "'")
              << "; commands:";
    for (const Command& command : commands) {
      if (command.info.group == group) std::cerr << ' ' << command.info.name;
    }
    std::cerr << '\n';
  } else {
    std::cerr << "visalign: usage error: unknown command group '" << group << "' (see 'visalign --help')\n";
  }
  return 2;
}
