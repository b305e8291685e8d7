#include "apps/command_table.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace visalign::apps {

int run_command_from_table(const std::vector<Command>& commands, const std::vector<std::string>& arguments) {
  std::string command_line = "visalign";
  for (const std::string& argument : arguments) command_line += " " + argument;
  const std::string group = arguments.empty() ? "" : arguments[0];
  const std::string name = arguments.size() > 1 ? arguments[1] : "";
  bool group_exists = false;
  for (const Command& command : commands) {
    if (command.info.group != group) continue;
    group_exists = true;
    if (command.info.name.empty()) {  // a group that is itself the command (`visalign study CONFIG`)
      return command.main(std::vector<std::string>(arguments.begin() + 1, arguments.end()), command_line);
    }
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

Command command_in_program(CommandInfo info, const std::string& program) {
  Command command;
  command.info = info;
  command.main = [info, program](const std::vector<std::string>& arguments, const std::string&) {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path path = self.parent_path() / program;
    if (error || !std::filesystem::exists(path)) {
      std::cerr << "visalign " << info.group << " " << info.name << ": error: " << path.string()
                << ": not found; the " << info.group << " commands need " << program
                << " beside visalign (built with LibTorch: see the README)\n";
      return 1;
    }
    std::vector<std::string> all = {path.string(), info.group, info.name};
    all.insert(all.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& argument : all) argv.push_back(argument.data());
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    std::cerr << "visalign " << info.group << " " << info.name << ": error: " << path.string() << ": cannot run: " << std::strerror(errno) << '\n';
    return 1;
  };
  return command;
}

}  // namespace visalign::apps
