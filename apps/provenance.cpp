#include "apps/provenance.hpp"

#include <boost/any.hpp>

#include <ctime>
#include <vector>

#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {

nlohmann::json parameter_value(const boost::any& value) {
  if (const auto* text = boost::any_cast<std::string>(&value)) return *text;
  if (const auto* number = boost::any_cast<int>(&value)) return *number;
  if (const auto* number = boost::any_cast<unsigned>(&value)) return *number;
  if (const auto* number = boost::any_cast<std::int64_t>(&value)) return *number;
  if (const auto* number = boost::any_cast<std::uint64_t>(&value)) return *number;
  if (const auto* number = boost::any_cast<double>(&value)) return *number;
  if (const auto* flag = boost::any_cast<bool>(&value)) return *flag;
  if (const auto* list = boost::any_cast<std::vector<std::string>>(&value)) return *list;
  if (const auto* list = boost::any_cast<std::vector<int>>(&value)) return *list;
  if (const auto* list = boost::any_cast<std::vector<double>>(&value)) return *list;
  return "(unrecorded type)";
}

}  // namespace

std::string iso8601_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &local);
  return text;
}

Provenance Provenance::start(const std::string& command_line, const std::string& command,
                             const boost::program_options::variables_map& parameters, std::uint64_t seed, int threads) {
  Provenance provenance;
  auto& record = provenance.record_;
  record["tool"] = "visalign";
  record["version"] = VISALIGN_VERSION;
  record["command"] = command;
  record["command_line"] = command_line;
  record["working_directory"] = std::filesystem::current_path().string();
  record["start_time"] = iso8601_now();
  record["seed"] = seed;
  record["threads"] = threads;
  record["inputs"] = nlohmann::json::array();
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [name, value] : parameters) {
    if (name == "help") continue;
    values[name] = parameter_value(value.value());
  }
  record["parameters"] = values;
  return provenance;
}

void Provenance::add_input(const std::filesystem::path& input) {
  std::error_code error;
  const auto size = std::filesystem::file_size(input, error);
  nlohmann::json entry = {{"path", std::filesystem::absolute(input).string()}};
  if (!error) entry["size_bytes"] = size;
  record_["inputs"].push_back(entry);
}

void Provenance::add_note(const std::string& key, const nlohmann::json& value) { record_["results"][key] = value; }

nlohmann::json Provenance::sidecar_for(const std::filesystem::path& output) const {
  nlohmann::json sidecar = record_;
  sidecar["output"] = output.filename().string();
  sidecar["end_time"] = iso8601_now();
  return sidecar;
}

void Provenance::write_sidecar(const std::filesystem::path& output) const {
  surface::write_bytes_atomically(sidecar_path(output), sidecar_for(output).dump(2) + "\n");
}

std::filesystem::path sidecar_path(const std::filesystem::path& output) {
  std::filesystem::path sidecar = output;
  sidecar += ".json";
  return sidecar;
}

}  // namespace visalign::apps
