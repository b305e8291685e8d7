#include "fmri/json_fields.hpp"

#include <cmath>

#include "surface/file_bytes.hpp"
#include "surface/format_error.hpp"

namespace visalign::fmri {

nlohmann::json read_json_document(const std::filesystem::path& path) {
  const std::vector<char> bytes = surface::read_file_bytes(path);
  try {
    return nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::parse_error& error) {
    throw surface::FormatError(path.string(), std::string("JSON: ") + error.what());
  }
}

void JsonFields::fail(const std::string& field, const std::string& problem) const {
  throw surface::FormatError(path_.string(), field + ": " + problem);
}

const nlohmann::json& JsonFields::member(const nlohmann::json& object, const std::string& key, const std::string& field) const {
  if (!object.contains(key)) fail(field + "." + key, "required, missing");
  return object.at(key);
}

void JsonFields::only_known_keys(const nlohmann::json& object, const std::set<std::string>& known, const std::string& field) const {
  for (const auto& [key, value] : object.items()) {
    if (known.count(key) == 0) {
      std::string listing;
      for (const auto& name : known) listing += (listing.empty() ? "" : ", ") + name;
      fail(field + "." + key, "unknown key (expected one of " + listing + ")");
    }
  }
}

std::string JsonFields::text(const nlohmann::json& value, const std::string& field) const {
  if (!value.is_string()) fail(field, "expected a string, found " + value.dump());
  return value.get<std::string>();
}

bool JsonFields::boolean(const nlohmann::json& value, const std::string& field) const {
  if (!value.is_boolean()) fail(field, "expected true or false, found " + value.dump());
  return value.get<bool>();
}

std::int64_t JsonFields::integer(const nlohmann::json& value, const std::string& field, std::int64_t minimum) const {
  if (!value.is_number_integer() || value.get<std::int64_t>() < minimum) {
    fail(field, "expected an integer >= " + std::to_string(minimum) + ", found " + value.dump());
  }
  return value.get<std::int64_t>();
}

double JsonFields::number(const nlohmann::json& value, const std::string& field, double low, double high) const {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < low || value.get<double>() > high) {
    char range[96];
    std::snprintf(range, sizeof range, "expected a number in [%g, %g], found ", low, high);
    fail(field, range + value.dump());
  }
  return value.get<double>();
}

std::vector<std::string> JsonFields::texts(const nlohmann::json& value, const std::string& field) const {
  if (!value.is_array() || value.empty()) fail(field, "expected a non-empty array of strings, found " + value.dump());
  std::vector<std::string> items;
  for (std::size_t i = 0; i < value.size(); ++i) items.push_back(text(value[i], field + "[" + std::to_string(i) + "]"));
  return items;
}

std::filesystem::path JsonFields::path(const nlohmann::json& value, const std::string& field) const {
  const std::filesystem::path relative = text(value, field);
  return relative.is_absolute() ? relative : folder_ / relative;
}

std::filesystem::path JsonFields::existing_file(const nlohmann::json& value, const std::string& field) const {
  const std::filesystem::path resolved = path(value, field);
  if (!std::filesystem::exists(resolved)) {
    fail(field, "file " + value.get<std::string>() + " does not exist (looked for " + resolved.string() + ")");
  }
  return resolved;
}

}  // namespace visalign::fmri
