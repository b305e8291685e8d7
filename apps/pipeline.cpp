#include "apps/pipeline.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "surface/atomic_output.hpp"
#include "surface/mesh.hpp"

extern char** environ;

namespace visalign::apps {

namespace {

std::uint64_t hash_text(const std::string& text, std::uint64_t hash) {
  hash = surface::fnv1a64(text.data(), text.size(), hash);
  const char separator = '\0';
  return surface::fnv1a64(&separator, 1, hash);
}

std::uint64_t hash_number(std::uint64_t value, std::uint64_t hash) { return surface::fnv1a64(&value, sizeof value, hash); }

/// The size and modification time of a file, or of every file below a folder (by relative path).
std::uint64_t hash_input(const std::filesystem::path& input, std::uint64_t hash) {
  hash = hash_text(input.string(), hash);
  std::error_code error;
  const auto status = std::filesystem::status(input, error);
  if (error || !std::filesystem::exists(status)) return hash_text("missing", hash);
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(status)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(input)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(input);
  }
  for (const std::filesystem::path& file : files) {
    hash = hash_text(std::filesystem::relative(file, input.parent_path()).string(), hash);
    hash = hash_number(static_cast<std::uint64_t>(std::filesystem::file_size(file)), hash);
    hash = hash_number(static_cast<std::uint64_t>(std::filesystem::last_write_time(file).time_since_epoch().count()), hash);
  }
  return hash;
}

std::string hex(std::uint64_t key) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(key));
  return text;
}

/// The key a finished step folder recorded, or "" when it has none.
std::string recorded_key(const std::filesystem::path& folder) {
  const std::filesystem::path record = folder / "step.json";
  if (!std::filesystem::is_regular_file(record)) return "";
  try {
    std::FILE* file = std::fopen(record.c_str(), "rb");
    if (file == nullptr) return "";
    std::string bytes;
    char buffer[4096];
    for (std::size_t read; (read = std::fread(buffer, 1, sizeof buffer, file)) > 0;) bytes.append(buffer, read);
    std::fclose(file);
    return nlohmann::json::parse(bytes).at("key").get<std::string>();
  } catch (const std::exception&) {
    return "";
  }
}

std::string quoted(const std::string& argument) {
  if (!argument.empty() && argument.find_first_of(" \t\n'\"\\$`*?;&|<>(){}[]#~") == std::string::npos) return argument;
  std::string text = "'";
  for (const char c : argument) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return text + "'";
}

std::vector<std::string> with_folder(const std::vector<std::string>& arguments, const std::filesystem::path& folder) {
  std::vector<std::string> result;
  for (std::string argument : arguments) {
    for (std::size_t at; (at = argument.find("{out}")) != std::string::npos;) argument.replace(at, 5, folder.string());
    result.push_back(std::move(argument));
  }
  return result;
}

}  // namespace

int run_program(const std::filesystem::path& program, const std::vector<std::string>& arguments, const std::filesystem::path& stdout_file,
                const std::filesystem::path& stderr_file) {
  std::vector<std::string> all = {program.string()};
  all.insert(all.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : all) argv.push_back(argument.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  if (!stderr_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  pid_t child = 0;
  const int failed = posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error(program.string() + ": cannot run: " + std::strerror(failed));
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(program.string() + ": waiting for it failed: " + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

std::string shell_command_line(const std::filesystem::path& program, const std::vector<std::string>& arguments) {
  std::string line = quoted(program.string());
  for (const std::string& argument : arguments) line += " " + quoted(argument);
  return line;
}

Pipeline::Pipeline(std::filesystem::path work_folder, std::filesystem::path program, bool quiet)
    : work_(std::move(work_folder)), program_(std::move(program)), quiet_(quiet) {}

void Pipeline::add(PipelineStep step) {
  if (step.arguments.empty() == !step.in_process) {
    throw std::invalid_argument("pipeline step " + step.name + ": expected exactly one of a command line and in-process work");
  }
  for (const PipelineStep& earlier : steps_) {
    if (earlier.name == step.name) throw std::invalid_argument("pipeline step " + step.name + ": the name is taken");
  }
  for (const std::string& name : step.after) {
    if (std::none_of(steps_.begin(), steps_.end(), [&](const PipelineStep& earlier) { return earlier.name == name; })) {
      throw std::invalid_argument("pipeline step " + step.name + ": reads step " + name + ", which does not come before it");
    }
  }
  step.inputs.erase(std::remove(step.inputs.begin(), step.inputs.end(), std::filesystem::path()), step.inputs.end());
  steps_.push_back(std::move(step));
}

std::vector<StepPlan> Pipeline::plan() const {
  std::vector<StepPlan> plans;
  std::map<std::string, std::uint64_t> keys;
  for (const PipelineStep& step : steps_) {
    // A new version of visalign may compute a step differently: its version is part of every key.
    std::uint64_t key = hash_text(step.name, hash_text(VISALIGN_VERSION, 14695981039346656037ull));
    for (const std::string& argument : step.arguments) key = hash_text(argument, key);
    for (const std::string& setting : step.settings) key = hash_text(setting, key);
    for (const std::filesystem::path& input : step.inputs) key = hash_input(input, key);
    for (const std::string& name : step.after) key = hash_number(keys.at(name), key);
    keys[step.name] = key;
    StepPlan plan;
    plan.name = step.name;
    plan.title = step.title;
    plan.key = key;
    const std::string recorded = recorded_key(folder(step.name));
    plan.cached = recorded == hex(key);
    if (!plan.cached) {
      std::filesystem::path partial = folder(step.name);
      partial += ".partial";
      plan.reason = !recorded.empty() ? "its inputs or settings changed"
                    : std::filesystem::exists(partial) ? "unfinished (interrupted earlier)"
                                                       : "not run yet";
    }
    if (!step.arguments.empty()) plan.command = shell_command_line("visalign", with_folder(step.arguments, folder(step.name)));
    plans.push_back(std::move(plan));
  }
  return plans;
}

void Pipeline::run(const std::function<void(const std::string&)>& log) const {
  const std::vector<StepPlan> plans = plan();
  std::filesystem::create_directories(work_);
  setenv("VISALIGN_STUDY_STEP", "1", 1);  // the steps do not list the files they write (see RunContext::finished_output)
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const PipelineStep& step = steps_[i];
    const StepPlan& plan = plans[i];
    const std::string counter = "[" + std::to_string(i + 1) + "/" + std::to_string(steps_.size()) + "] ";
    if (plan.cached) {
      log(counter + step.title + ": done earlier, inputs unchanged");
      continue;
    }
    const std::filesystem::path final_folder = folder(step.name);
    std::filesystem::path partial = final_folder;
    partial += ".partial";
    std::filesystem::remove_all(partial);
    std::filesystem::create_directories(partial);
    log(counter + step.title + " (" + plan.reason + ")");
    const auto start = std::chrono::steady_clock::now();
    std::string command;
    if (!step.arguments.empty()) {
      std::vector<std::string> arguments = with_folder(step.arguments, partial);
      if (quiet_) arguments.push_back("-q");
      command = shell_command_line(program_, arguments);
      const int code = run_program(program_, arguments, partial / "log.txt");
      if (code != 0) {
        throw std::runtime_error("step " + step.name + " (" + step.title + ") failed with exit code " + std::to_string(code) +
                                 " (its message is above; its output so far: " + partial.string() + "): " + command);
      }
    } else {
      step.in_process(partial);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json record = {{"step", step.name}, {"title", step.title}, {"key", hex(plan.key)}, {"seconds", seconds},
                             {"inputs", nlohmann::json::array()}, {"after", step.after}};
    if (!command.empty()) record["command"] = command;
    for (const auto& input : step.inputs) record["inputs"].push_back(input.string());
    surface::write_bytes_atomically(partial / "step.json", record.dump(2) + "\n");
    std::filesystem::remove_all(final_folder);
    std::filesystem::rename(partial, final_folder);
    char text[64];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    log(counter + step.title + ": finished in " + text);
  }
}

}  // namespace visalign::apps
