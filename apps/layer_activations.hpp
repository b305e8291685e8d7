#pragma once
// CNN layer activations as the RSA and encoding commands read them: a layer list JSON
//   {"images": "images.tsv", "layers": [{"name": "conv1", "activations": "conv1.npy"}, ...]}
// in network order, paths relative to the JSON; each NPY is images x units with one row per row
// of images.tsv (a design table: image_id, image_type, presentation 1). Everything is read and
// checked before any analysis starts.

#include <Eigen/Core>

#include <filesystem>
#include <string>
#include <vector>

#include "apps/command.hpp"
#include "fmri/design.hpp"

namespace visalign::apps {

struct LayerActivations {
  std::string name;
  std::filesystem::path file;
  Eigen::MatrixXf activations;  // images (rows of the images table) x units
};

struct LayerList {
  std::filesystem::path file, images_file;
  fmri::Design images;                 // one column per activation row
  std::vector<LayerActivations> layers;
};

/// Reads the layer list, its images table and every layer (recorded as provenance inputs).
/// FormatError naming the file and field for a malformed list, a missing field, fewer than
/// `minimum_images` images or activations whose rows do not match the images table.
LayerList read_layer_list(const std::filesystem::path& file, RunContext& context, std::size_t minimum_images = 3);

/// The rows of `layers.images` for `image_type` (presentation 1), ordered as `image_ids`;
/// std::runtime_error naming the layer list when an image is missing there.
std::vector<Eigen::Index> layer_rows_of(const LayerList& layers, const std::string& image_type, const std::vector<std::string>& image_ids);

/// Writes a layer list of some of the layers of `list` (in the order of `names`), its paths made absolute;
/// FormatError naming `list` for a name it does not have.
void write_layer_list_subset(const std::filesystem::path& list, const std::vector<std::string>& names, const std::filesystem::path& destination);

}  // namespace visalign::apps
