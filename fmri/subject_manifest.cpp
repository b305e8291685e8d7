#include "fmri/subject_manifest.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "fmri/json_fields.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::fmri {

namespace {

constexpr const char* kFormat = "visalign-subject-1";

class ManifestReader : public JsonFields {
 public:
  using JsonFields::JsonFields;

  RoiSource roi(const nlohmann::json& value, const std::string& field) const {
    RoiSource source;
    if (value.is_string()) {
      source.kind = RoiSource::Kind::label;
      source.file = existing_file(value, field);
      return source;
    }
    if (!value.is_object()) fail(field, "expected a label path or an object, found " + value.dump());
    only_known_keys(value, {"label", "annotation", "region", "localizer", "mask", "expression"}, field);
    if (value.contains("label")) {
      source.kind = RoiSource::Kind::label;
      source.file = existing_file(value.at("label"), field + ".label");
    } else if (value.contains("annotation")) {
      source.kind = RoiSource::Kind::annotation;
      source.file = existing_file(value.at("annotation"), field + ".annotation");
      source.region = text(member(value, "region", field), field + ".region");
    } else if (value.contains("localizer")) {
      source.kind = RoiSource::Kind::localizer;
      source.localizer = text(value.at("localizer"), field + ".localizer");
      if (value.contains("mask")) source.mask = text(value.at("mask"), field + ".mask");
    } else if (value.contains("expression")) {
      source.kind = RoiSource::Kind::expression;
      source.expression = text(value.at("expression"), field + ".expression");
    } else {
      fail(field, "expected one of the keys label, annotation (+ region), localizer (+ mask), expression");
    }
    return source;
  }

  LocalizerSource localizer(const nlohmann::json& value, const std::string& field) const {
    if (!value.is_object()) fail(field, "expected an object, found " + value.dump());
    only_known_keys(value, {"betas", "design", "preferred", "baseline", "p"}, field);
    LocalizerSource source;
    source.betas = existing_file(member(value, "betas", field), field + ".betas");
    source.design = existing_file(member(value, "design", field), field + ".design");
    source.contrast.preferred = text(member(value, "preferred", field), field + ".preferred");
    source.contrast.baseline = text(member(value, "baseline", field), field + ".baseline");
    if (value.contains("p")) {
      const auto& p = value.at("p");
      if (!p.is_number() || p.get<double>() <= 0 || p.get<double>() >= 1) {
        fail(field + ".p", "expected a threshold between 0 and 1, found " + p.dump());
      }
      source.contrast.p_threshold = p.get<double>();
    }
    return source;
  }

  HemisphereFiles hemisphere(const std::string& name, const nlohmann::json& value, const std::string& field) const {
    if (!value.is_object()) fail(field, "expected an object, found " + value.dump());
    only_known_keys(value, {"white", "pial", "inflated", "flat_patch", "betas", "design", "rois", "localizers", "npy_orientation"}, field);
    HemisphereFiles files;
    files.name = name;
    files.white = existing_file(member(value, "white", field), field + ".white");
    files.betas = existing_file(member(value, "betas", field), field + ".betas");
    files.design = existing_file(member(value, "design", field), field + ".design");
    if (value.contains("pial")) files.pial = existing_file(value.at("pial"), field + ".pial");
    if (value.contains("inflated")) files.inflated = existing_file(value.at("inflated"), field + ".inflated");
    if (value.contains("flat_patch")) files.flat_patch = existing_file(value.at("flat_patch"), field + ".flat_patch");
    if (value.contains("npy_orientation")) files.npy_orientation = text(value.at("npy_orientation"), field + ".npy_orientation");
    if (value.contains("localizers")) {
      const auto& localizers = value.at("localizers");
      if (!localizers.is_object()) fail(field + ".localizers", "expected an object");
      for (const auto& [key, spec] : localizers.items()) files.localizers[key] = localizer(spec, field + ".localizers." + key);
    }
    if (value.contains("rois")) {
      const auto& rois = value.at("rois");
      if (!rois.is_object()) fail(field + ".rois", "expected an object");
      for (const auto& [key, spec] : rois.items()) {
        files.rois[key] = roi(spec, field + ".rois." + key);
        const RoiSource& added = files.rois[key];
        if (added.kind == RoiSource::Kind::localizer && files.localizers.count(added.localizer) == 0) {
          fail(field + ".rois." + key + ".localizer", "no localizer named '" + added.localizer + "' in " + field + ".localizers");
        }
      }
    }
    return files;
  }

};

std::string relative_to(const std::filesystem::path& file, const std::filesystem::path& folder) {
  return std::filesystem::relative(file, folder).generic_string();
}

}  // namespace

SubjectManifest read_subject_manifest(const std::filesystem::path& path) {
  const nlohmann::json document = read_json_document(path);
  const ManifestReader reader(path);
  if (!document.is_object()) reader.fail("top level", "expected a JSON object");
  reader.only_known_keys(document, {"format", "subject", "hemispheres"}, "top level");
  if (document.contains("format") && document.at("format") != kFormat) {
    reader.fail("format", std::string("expected \"") + kFormat + "\", found " + document.at("format").dump());
  }
  SubjectManifest manifest;
  manifest.file = std::filesystem::absolute(path);
  manifest.subject = reader.text(reader.member(document, "subject", "top level"), "subject");
  const auto& hemispheres = reader.member(document, "hemispheres", "top level");
  if (!hemispheres.is_object() || hemispheres.empty()) reader.fail("hemispheres", "expected an object with lh and/or rh");
  for (const auto& [name, value] : hemispheres.items()) {
    if (name != "lh" && name != "rh") reader.fail("hemispheres." + name, "expected lh or rh");
    manifest.hemispheres.push_back(reader.hemisphere(name, value, "hemispheres." + name));
  }
  return manifest;
}

void write_subject_manifest(const SubjectManifest& manifest, const std::filesystem::path& path) {
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  nlohmann::json document;
  document["format"] = kFormat;
  document["subject"] = manifest.subject;
  document["hemispheres"] = nlohmann::json::object();
  for (const HemisphereFiles& files : manifest.hemispheres) {
    nlohmann::json hemisphere;
    hemisphere["white"] = relative_to(files.white, folder);
    if (!files.pial.empty()) hemisphere["pial"] = relative_to(files.pial, folder);
    if (!files.inflated.empty()) hemisphere["inflated"] = relative_to(files.inflated, folder);
    if (!files.flat_patch.empty()) hemisphere["flat_patch"] = relative_to(files.flat_patch, folder);
    hemisphere["betas"] = relative_to(files.betas, folder);
    hemisphere["design"] = relative_to(files.design, folder);
    if (files.npy_orientation != "vertices-by-columns") hemisphere["npy_orientation"] = files.npy_orientation;
    for (const auto& [name, localizer] : files.localizers) {
      hemisphere["localizers"][name] = {{"betas", relative_to(localizer.betas, folder)},
                                        {"design", relative_to(localizer.design, folder)},
                                        {"preferred", localizer.contrast.preferred},
                                        {"baseline", localizer.contrast.baseline},
                                        {"p", localizer.contrast.p_threshold}};
    }
    for (const auto& [name, roi] : files.rois) {
      switch (roi.kind) {
        case RoiSource::Kind::label:
          hemisphere["rois"][name] = relative_to(roi.file, folder);
          break;
        case RoiSource::Kind::annotation:
          hemisphere["rois"][name] = {{"annotation", relative_to(roi.file, folder)}, {"region", roi.region}};
          break;
        case RoiSource::Kind::localizer:
          hemisphere["rois"][name] = {{"localizer", roi.localizer}};
          if (!roi.mask.empty()) hemisphere["rois"][name]["mask"] = roi.mask;
          break;
        case RoiSource::Kind::expression:
          hemisphere["rois"][name] = {{"expression", roi.expression}};
          break;
      }
    }
    document["hemispheres"][files.name] = hemisphere;
  }
  surface::write_bytes_atomically(path, document.dump(2) + "\n");
}

}  // namespace visalign::fmri
