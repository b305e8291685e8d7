#pragma once
// Reading the fields of a JSON document that people write by hand (subject manifests, study
// configurations): every problem is a FormatError naming the file and the JSON path of the field
// ("hemispheres.lh.betas: file func/lh.betas.func.gii does not exist"), and paths are relative to the
// document's folder.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace visalign::fmri {

/// The document parsed; FormatError naming the file for unreadable bytes or invalid JSON.
nlohmann::json read_json_document(const std::filesystem::path& path);

class JsonFields {
 public:
  explicit JsonFields(const std::filesystem::path& path) : path_(path), folder_(std::filesystem::absolute(path).parent_path()) {}

  /// Throws FormatError "<file>: <field>: <problem>".
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const;

  /// object[key], or FormatError "<field>.<key>: required, missing".
  const nlohmann::json& member(const nlohmann::json& object, const std::string& key, const std::string& field) const;
  /// FormatError naming the first key of `object` that is not in `known`, listing the known ones.
  void only_known_keys(const nlohmann::json& object, const std::set<std::string>& known, const std::string& field) const;

  std::string text(const nlohmann::json& value, const std::string& field) const;
  bool boolean(const nlohmann::json& value, const std::string& field) const;
  /// An integer >= minimum (a JSON number without a fraction).
  std::int64_t integer(const nlohmann::json& value, const std::string& field, std::int64_t minimum) const;
  /// A finite number in [low, high].
  double number(const nlohmann::json& value, const std::string& field, double low, double high) const;
  /// A non-empty array of strings, or FormatError naming the element.
  std::vector<std::string> texts(const nlohmann::json& value, const std::string& field) const;
  /// A path relative to the document's folder (or absolute), resolved; must exist.
  std::filesystem::path existing_file(const nlohmann::json& value, const std::string& field) const;
  /// A path relative to the document's folder (or absolute), resolved; need not exist.
  std::filesystem::path path(const nlohmann::json& value, const std::string& field) const;

  const std::filesystem::path& file() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path folder_;
};

}  // namespace visalign::fmri
