#include "apps/image_montage.hpp"

#include <algorithm>
#include <stdexcept>

namespace visalign::apps {

void write_image_montage(const std::filesystem::path& file, const std::vector<const cnn::ImageBatch*>& sets, int groups_per_row,
                         int tile_size) {
  if (sets.empty() || groups_per_row < 1 || tile_size < 1) throw std::invalid_argument("image montage: nothing to draw");
  const cnn::ImageBatch& first = *sets.front();
  for (const cnn::ImageBatch* set : sets) {
    if (set->count != first.count || set->channels != first.channels || set->height != first.height || set->width != first.width) {
      throw std::invalid_argument("image montage: the image sets differ in count, channels or size");
    }
  }
  const auto size = static_cast<int>(std::max(first.height, first.width));
  const int shrink = size > tile_size ? (size + tile_size - 1) / tile_size : 1;
  const int enlarge = size < tile_size ? std::max(1, tile_size / size) : 1;
  const int tile_height = static_cast<int>(first.height) / shrink * enlarge;
  const int tile_width = static_cast<int>(first.width) / shrink * enlarge;
  const int gap = std::max(2, tile_width / 16);
  const int set_count = static_cast<int>(sets.size());
  const int groups = static_cast<int>(first.count);
  const int columns = std::min(groups_per_row, std::max(groups, 1));
  const int rows = (groups + columns - 1) / columns;
  const int group_width = set_count * tile_width + gap;
  const int width = columns * group_width + gap, height = rows * (tile_height + gap) + gap;
  std::vector<float> rgb(static_cast<std::size_t>(width) * height * 3, 1.0f);
  const std::size_t plane = static_cast<std::size_t>(first.height) * first.width;
  for (int group = 0; group < groups; ++group) {
    const int top = gap + (group / columns) * (tile_height + gap);
    for (int s = 0; s < set_count; ++s) {
      const int left = gap + (group % columns) * group_width + s * tile_width;
      const float* image = sets[static_cast<std::size_t>(s)]->values.data() + static_cast<std::size_t>(group) * first.channels * plane;
      for (int y = 0; y < tile_height; ++y) {
        for (int x = 0; x < tile_width; ++x) {
          for (int c = 0; c < 3; ++c) {
            const std::size_t channel = first.channels == 1 ? 0 : static_cast<std::size_t>(c);
            // The block of source pixels this tile pixel covers (shrinking), or the one it repeats (enlarging).
            const int source_y = y / enlarge * shrink, source_x = x / enlarge * shrink;
            double sum = 0;
            for (int dy = 0; dy < shrink; ++dy) {
              for (int dx = 0; dx < shrink; ++dx) {
                sum += image[channel * plane + static_cast<std::size_t>(source_y + dy) * first.width + (source_x + dx)];
              }
            }
            rgb[(static_cast<std::size_t>(top + y) * width + (left + x)) * 3 + c] = static_cast<float>(sum / (shrink * shrink));
          }
        }
      }
    }
  }
  cnn::write_png(file, rgb, height, width);
}

}  // namespace visalign::apps
