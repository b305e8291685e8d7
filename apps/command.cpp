#include "apps/command.hpp"

#include <cstdlib>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "apps/error_report.hpp"

namespace visalign::apps {

void RunContext::detail(const std::string& message) const {
  if (global_.verbosity >= 2) std::cerr << message << '\n';
}

void RunContext::check_output_location(const std::filesystem::path& output) const {
  const std::filesystem::path folder = output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw std::runtime_error(output.string() + ": output folder '" + folder.string() + "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw std::runtime_error(output.string() + ": output folder '" + folder.string() + "' is not writable");
  }
}

void RunContext::finished_output(const std::filesystem::path& output) {
  provenance_.write_sidecar(output);
  // A step of `visalign study` (VISALIGN_STUDY_STEP set) leaves the list of its files to the study.
  if (global_.verbosity > 0 && std::getenv("VISALIGN_STUDY_STEP") == nullptr) std::cerr << "wrote " << output.string() << " (+ .json provenance)\n";
}

namespace {

po::options_description global_option_descriptions(GlobalOptions& global, bool& help, bool& quiet, bool& verbose) {
  po::options_description options("Global options");
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  options.add_options()
      ("help,h", po::bool_switch(&help), "show this help and exit")
      ("threads", po::value(&global.threads)->default_value(static_cast<int>(hardware)),
       "worker threads for parallel steps (results do not depend on it)")
      ("seed", po::value(&global.seed)->default_value(20261122),
       "seed of every random draw; the same seed gives the same results")
      ("verbose,v", po::bool_switch(&verbose), "print details of each step")
      ("quiet,q", po::bool_switch(&quiet), "print nothing but errors and requested results (no progress bars)");
  return options;
}

void print_help(const CommandInfo& info, const CommandDeclaration& declaration, const po::options_description& global) {
  const std::string name = info.name.empty() ? info.group : info.group + " " + info.name;
  std::cout << "visalign " << name << ": " << info.summary << "\n\n";
  std::cout << "Usage: visalign " << name;
  for (unsigned i = 0; i < declaration.positional.max_total_count() && i < 8; ++i) {
    const std::string& name = declaration.positional.name_for_position(i);
    if (i > 0 && name == declaration.positional.name_for_position(i - 1)) {
      std::cout << " ...";  // repeatable
      break;
    }
    std::cout << " <" << name << '>';
  }
  std::cout << " [options]\n\n";
  if (!info.description.empty()) std::cout << info.description << "\n\n";
  std::cout << declaration.options << '\n' << global << '\n';
}

}  // namespace

int run_declared_command(const CommandInfo& info, CommandDeclaration& declaration,
                         const std::vector<std::string>& arguments, const std::string& command_line,
                         const std::function<void(RunContext&)>& run) {
  GlobalOptions global;
  bool help = false, quiet = false, verbose = false;
  const po::options_description global_options = global_option_descriptions(global, help, quiet, verbose);
  po::options_description all;
  all.add(declaration.options).add(global_options);
  const std::string prefix = "visalign " + info.group + (info.name.empty() ? "" : " " + info.name);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(all).positional(declaration.positional).run(), values);
    if (values.count("help") != 0 && values["help"].as<bool>()) {
      print_help(info, declaration, global_options);
      return 0;
    }
    po::notify(values);
    if (global.threads < 1) throw po::validation_error(po::validation_error::invalid_option_value, "threads");
  } catch (const po::error& error) {
    std::cerr << prefix << ": usage error: " << error.what() << " (see '" << prefix << " --help')\n";
    return 2;
  }
  global.verbosity = quiet ? 0 : (verbose ? 2 : 1);
  try {
    RunContext context(global, Provenance::start(command_line, info.group + (info.name.empty() ? "" : " " + info.name), values, global.seed,
                                                 global.threads));
    run(context);
    return 0;
  } catch (const std::invalid_argument& error) {
    // Wrong values of options are usage errors too.
    std::cerr << prefix << ": error: " << describe_exception_chain(error) << '\n';
    return 2;
  } catch (const std::exception& error) {
    std::cerr << prefix << ": error: " << describe_exception_chain(error) << '\n';
    return 1;
  }
}

}  // namespace visalign::apps
