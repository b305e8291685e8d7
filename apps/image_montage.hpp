#pragma once
// A contact sheet of image sets side by side (e.g. each RE image with its AN and AI images), as one PNG
// a person can look at.

#include <filesystem>
#include <vector>

#include "cnn/image_batch.hpp"

namespace visalign::apps {

/// One tile per image: for image i, the i-th image of every set in turn (a group), `groups_per_row` groups
/// per row, white gaps between groups. Tiles are shrunk by block averaging to at most `tile_size` pixels,
/// or enlarged by whole factors (nearest neighbour) when the images are much smaller. The sets must have
/// the same count, size and channels (1 or 3). Written atomically.
void write_image_montage(const std::filesystem::path& file, const std::vector<const cnn::ImageBatch*>& sets, int groups_per_row,
                         int tile_size = 112);

}  // namespace visalign::apps
