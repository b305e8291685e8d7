#pragma once
// Subcommands are declared, not parsed by hand: each one is an options struct, a function that
// declares every option with its description, and a run function. make_command turns the three
// into a Command that parses its arguments (global options included), prints --help, records
// provenance and runs.

#include <boost/program_options.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "apps/progress_bar.hpp"
#include "apps/provenance.hpp"

namespace visalign::apps {

namespace po = boost::program_options;

/// Options every subcommand accepts.
struct GlobalOptions {
  int threads = 1;
  std::uint64_t seed = 0;
  int verbosity = 1;  // 0 with --quiet, 2 with --verbose
};

/// What a subcommand declares: named options (each with a description) and which of them may
/// also be given by position.
struct CommandDeclaration {
  po::options_description options{"Options"};
  po::positional_options_description positional;
};

/// What a running subcommand gets besides its own options.
class RunContext {
 public:
  RunContext(GlobalOptions global, Provenance provenance) : global_(global), provenance_(std::move(provenance)) {}
  const GlobalOptions& global() const { return global_; }
  /// Quiets progress and messages (e.g. on MPI ranks other than 0).
  void set_verbosity(int verbosity) { global_.verbosity = verbosity; }
  Provenance& provenance() { return provenance_; }
  /// A progress bar on stderr (silent with --quiet).
  ProgressBar progress(const std::string& label) const { return ProgressBar(label, global_.verbosity > 0); }
  /// A line on stderr for --verbose runs.
  void detail(const std::string& message) const;
  /// Checks, before any long work, that an output can be written where it is asked for (its
  /// folder exists and is writable); throws std::runtime_error naming the output otherwise.
  void check_output_location(const std::filesystem::path& output) const;
  /// Records an output file: writes its provenance sidecar (<output>.json) and tells the user.
  void finished_output(const std::filesystem::path& output);
  /// Writes the provenance sidecar of an output without announcing it (for commands that write
  /// many files and summarise them).
  void record_output(const std::filesystem::path& output) { provenance_.write_sidecar(output); }

 private:
  GlobalOptions global_;
  Provenance provenance_;
};

struct CommandInfo {
  std::string group;        // e.g. "surface"
  std::string name;         // e.g. "neighborhoods"
  std::string summary;      // one line for the command list
  std::string description;  // paragraphs for --help
};

struct Command {
  CommandInfo info;
  /// Parses `arguments` (everything after "<group> <name>") and runs; returns the exit code.
  std::function<int(const std::vector<std::string>& arguments, const std::string& command_line)> main;
};

/// The type-erased core of make_command: parses, handles --help and global options, then calls run.
int run_declared_command(const CommandInfo& info, CommandDeclaration& declaration,
                         const std::vector<std::string>& arguments, const std::string& command_line,
                         const std::function<void(RunContext&)>& run);

template <typename Options>
Command make_command(CommandInfo info, void (*declare)(Options&, CommandDeclaration&),
                     void (*run)(const Options&, RunContext&)) {
  Command command;
  command.info = info;
  command.main = [info, declare, run](const std::vector<std::string>& arguments, const std::string& command_line) {
    Options options;
    CommandDeclaration declaration;
    declare(options, declaration);
    return run_declared_command(info, declaration, arguments, command_line,
                                [&](RunContext& context) { run(options, context); });
  };
  return command;
}

}  // namespace visalign::apps
