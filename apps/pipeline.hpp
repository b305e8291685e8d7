#pragma once
// A pipeline of steps cached by their inputs, as `visalign study` runs them: each step is a visalign
// command line run as a child process (or work done in this process) that writes one folder,
// <work>/<step>/. A step runs in <work>/<step>.partial/ and the folder is renamed to its name only when
// the step has finished, with step.json recording its key, so a step is never half-written: after a
// crash the unfinished step is redone from scratch and the finished ones are kept. The key hashes visalign's
// version, the command line, the size and modification time of every input file (all the files below an input
// folder) and the keys of the steps it reads: a changed setting or input redoes that step and every
// step after it that reads its output, and nothing else.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace visalign::apps {

struct PipelineStep {
  std::string name;   // the folder under the work folder, e.g. "roi_rsa_sub-01"
  std::string title;  // for messages, e.g. "ROI RSA, sub-01"
  /// The visalign command line (without the program); "{out}" in an argument stands for the step's folder.
  std::vector<std::string> arguments;
  /// Or the work itself, done in this process into the folder it is given.
  std::function<void(const std::filesystem::path& folder)> in_process;
  /// What the step reads besides other steps' folders: files, or folders (every file below them).
  std::vector<std::filesystem::path> inputs;
  /// Steps whose folders it reads (they must come earlier).
  std::vector<std::string> after;
  /// Words that change the key of an in-process step when its settings change (its arguments, in effect).
  std::vector<std::string> settings;
};

struct StepPlan {
  std::string name, title;
  std::uint64_t key = 0;
  bool cached = false;  // a finished folder with this key exists
  std::string reason;   // why it runs: "not run yet", "its inputs or settings changed", "an earlier step runs"
  std::string command;  // the command line as a person would type it ("" for in-process steps)
};

class Pipeline {
 public:
  /// `program`: the visalign executable the command-line steps run; `quiet`: pass -q to them.
  Pipeline(std::filesystem::path work_folder, std::filesystem::path program, bool quiet);

  /// std::invalid_argument for a repeated name, an `after` that names no earlier step, or a step with both or
  /// neither of arguments and in_process.
  void add(PipelineStep step);

  /// <work>/<name>: where a finished step's output is.
  std::filesystem::path folder(const std::string& name) const { return work_ / name; }

  /// Every step with its key and whether it would run (nothing is run or written).
  std::vector<StepPlan> plan() const;

  /// Runs the steps that are not cached, in order; `log` gets a line when each starts and finishes.
  /// std::runtime_error naming the step when a command fails (its own message is above, on stderr); the
  /// failed step's .partial folder is left for inspection and removed by the next run.
  void run(const std::function<void(const std::string&)>& log) const;

  std::size_t size() const { return steps_.size(); }

 private:
  std::filesystem::path work_, program_;
  bool quiet_ = false;
  std::vector<PipelineStep> steps_;
};

/// Runs `program arguments...` as a child process with stdout going to `stdout_file` and stderr to
/// `stderr_file` (appended; "" keeps this process's); returns its exit code (128 + signal when it was killed).
int run_program(const std::filesystem::path& program, const std::vector<std::string>& arguments, const std::filesystem::path& stdout_file,
                const std::filesystem::path& stderr_file = {});

/// The command line as a shell would take it (arguments quoted where needed).
std::string shell_command_line(const std::filesystem::path& program, const std::vector<std::string>& arguments);

}  // namespace visalign::apps
