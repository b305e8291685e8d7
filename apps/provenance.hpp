#pragma once
// Provenance sidecars: every output file gets <output>.json recording the tool version, the full
// command line, the inputs (with sizes), every parameter, the random seed, the thread count and
// the start and end times.

#include <boost/program_options/variables_map.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace visalign::apps {

class Provenance {
 public:
  /// Records the start time and the parsed parameters of a command.
  static Provenance start(const std::string& command_line, const std::string& command,
                          const boost::program_options::variables_map& parameters, std::uint64_t seed, int threads);

  /// Records an input file (path and size in bytes) read by the command.
  void add_input(const std::filesystem::path& input);
  /// Adds a result figure worth keeping beside the output (e.g. a surface checksum).
  void add_note(const std::string& key, const nlohmann::json& value);

  /// The sidecar's content for `output`, with the end time set to now.
  nlohmann::json sidecar_for(const std::filesystem::path& output) const;
  /// Writes <output>.json atomically.
  void write_sidecar(const std::filesystem::path& output) const;

 private:
  nlohmann::json record_;
};

/// The sidecar path of an output: the output's name with ".json" appended.
std::filesystem::path sidecar_path(const std::filesystem::path& output);

/// Local time now as ISO 8601 with offset.
std::string iso8601_now();

}  // namespace visalign::apps
