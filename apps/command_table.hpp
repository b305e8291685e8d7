#pragma once
// Finding and running a subcommand in a table of commands: `<program> <group> <command> [options]`.

#include <string>
#include <vector>

#include "apps/command.hpp"

namespace visalign::apps {

/// Runs the command that arguments[0] (group) and arguments[1] (name) name; prints a usage error
/// listing the group's commands (exit 2) when there is none.
int run_command_from_table(const std::vector<Command>& commands, const std::vector<std::string>& arguments);

/// A command that runs in another program installed beside this one (e.g. the LibTorch commands in
/// visalign-cnn, so that only they pay LibTorch's start-up): the same info, and running it replaces
/// this process with `<this program's folder>/<program> <arguments as given>`.
Command command_in_program(CommandInfo info, const std::string& program);

}  // namespace visalign::apps
