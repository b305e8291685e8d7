#include "apps/layer_activations.hpp"

#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "fmri/json_fields.hpp"
#include "fmri/npy.hpp"
#include "surface/atomic_output.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

LayerList read_layer_list(const std::filesystem::path& file, RunContext& context, std::size_t minimum_images) {
  LayerList list;
  list.file = file;
  context.provenance().add_input(file);
  const nlohmann::json document = fmri::read_json_document(file);
  const std::filesystem::path folder = file.parent_path();
  if (!document.contains("images") || !document["images"].is_string()) {
    throw surface::FormatError(file.string(), "images: expected the path of the images table");
  }
  if (!document.contains("layers") || !document["layers"].is_array() || document["layers"].empty()) {
    throw surface::FormatError(file.string(), "layers: expected a list of {name, activations}");
  }
  list.images_file = folder / document["images"].get<std::string>();
  context.provenance().add_input(list.images_file);
  list.images = fmri::read_design(list.images_file);
  fmri::check_design(list.images, static_cast<std::int64_t>(list.images.columns.size()), list.images_file.string());
  if (list.images.image_ids().size() < minimum_images) {
    throw surface::FormatError(list.images_file.string(), "images: expected at least " + std::to_string(minimum_images) +
                                                              " images, found " + std::to_string(list.images.image_ids().size()));
  }
  for (std::size_t i = 0; i < document["layers"].size(); ++i) {
    const auto& entry = document["layers"][i];
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("activations") ||
        !entry["activations"].is_string()) {
      throw surface::FormatError(file.string(), "layers[" + std::to_string(i) + "]: expected {\"name\": ..., \"activations\": ...}");
    }
    list.layers.push_back({entry["name"].get<std::string>(), folder / entry["activations"].get<std::string>(), {}});
  }
  for (LayerActivations& layer : list.layers) {
    context.provenance().add_input(layer.file);
    layer.activations = fmri::npy_matrix(fmri::read_npy(layer.file), layer.file.string()).cast<float>();
    if (layer.activations.rows() != static_cast<Eigen::Index>(list.images.columns.size())) {
      throw surface::FormatError(layer.file.string(), "rows: expected " + std::to_string(list.images.columns.size()) +
                                                          " images (as in " + list.images_file.string() + "), found " +
                                                          std::to_string(layer.activations.rows()));
    }
    if (!layer.activations.allFinite()) {
      throw surface::FormatError(layer.file.string(), "activations: expected finite numbers, found NaN or Inf");
    }
  }
  return list;
}

std::vector<Eigen::Index> layer_rows_of(const LayerList& layers, const std::string& image_type, const std::vector<std::string>& image_ids) {
  std::map<std::string, Eigen::Index> row_of_image;
  for (std::size_t row = 0; row < layers.images.columns.size(); ++row) {
    const fmri::DesignColumn& column = layers.images.columns[row];
    if (column.image_type == image_type && column.presentation == layers.images.presentations().front()) {
      row_of_image.emplace(column.image_id, static_cast<Eigen::Index>(row));
    }
  }
  std::vector<Eigen::Index> rows;
  for (const std::string& id : image_ids) {
    const auto found = row_of_image.find(id);
    if (found == row_of_image.end()) {
      throw std::runtime_error(layers.images_file.string() + ": image " + id + " (" + image_type +
                               ") of the subject's design has no row in the layer activations");
    }
    rows.push_back(found->second);
  }
  return rows;
}

void write_layer_list_subset(const std::filesystem::path& list, const std::vector<std::string>& names, const std::filesystem::path& destination) {
  const nlohmann::json document = fmri::read_json_document(list);
  const std::filesystem::path folder = std::filesystem::absolute(list).parent_path();
  nlohmann::json subset = document;
  subset["images"] = (folder / document.at("images").get<std::string>()).string();
  subset["layers"] = nlohmann::json::array();
  for (const std::string& name : names) {
    bool found = false;
    for (const auto& entry : document.at("layers")) {
      if (entry.value("name", "") != name) continue;
      nlohmann::json copied = entry;
      copied["activations"] = (folder / entry.at("activations").get<std::string>()).string();
      subset["layers"].push_back(copied);
      found = true;
    }
    if (!found) throw surface::FormatError(list.string(), "layers: no layer named \"" + name + "\"");
  }
  surface::write_bytes_atomically(destination, subset.dump(2) + "\n");
}

}  // namespace visalign::apps
