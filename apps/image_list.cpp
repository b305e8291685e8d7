#include "apps/image_list.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "fmri/tsv_table.hpp"
#include "surface/format_error.hpp"

namespace visalign::apps {

namespace {

bool is_image_file(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg";
}

}  // namespace

ImageList read_image_list(const std::filesystem::path& folder_or_tsv) {
  ImageList list;
  if (std::filesystem::is_directory(folder_or_tsv)) {
    for (const auto& entry : std::filesystem::directory_iterator(folder_or_tsv)) {
      if (entry.is_regular_file() && is_image_file(entry.path())) list.files.push_back(entry.path());
    }
    std::sort(list.files.begin(), list.files.end());
    if (list.files.empty()) throw std::runtime_error(folder_or_tsv.string() + ": no PNG or JPEG images in this folder");
    for (const auto& file : list.files) list.images.columns.push_back({file.stem().string(), "RE", 1, ""});
    return list;
  }
  const fmri::TsvTable table = fmri::read_tsv(folder_or_tsv);
  const int file_column = table.column_index("file");
  if (file_column < 0) throw surface::FormatError(folder_or_tsv.string(), "columns: expected a 'file' column");
  const int id_column = table.column_index("image_id"), type_column = table.column_index("image_type");
  const int category_column = table.column_index("category");
  int class_column = table.column_index("class");
  if (class_column < 0) class_column = table.column_index("imagenet_index");
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    const auto& cells = table.rows[row];
    const std::filesystem::path file = folder_or_tsv.parent_path() / cells[static_cast<std::size_t>(file_column)];
    if (!std::filesystem::is_regular_file(file)) {
      throw surface::FormatError(folder_or_tsv.string(), "row " + std::to_string(row + 1) + ": file " + file.string() + " does not exist");
    }
    list.files.push_back(file);
    list.images.columns.push_back({id_column >= 0 ? cells[static_cast<std::size_t>(id_column)] : file.stem().string(),
                                   type_column >= 0 ? cells[static_cast<std::size_t>(type_column)] : "RE", 1,
                                   category_column >= 0 ? cells[static_cast<std::size_t>(category_column)] : ""});
    if (class_column >= 0) {
      const std::string& cell = cells[static_cast<std::size_t>(class_column)];
      std::size_t used = 0;
      long long value = -1;
      try {
        value = std::stoll(cell, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != cell.size() || value < 0) {
        throw surface::FormatError(folder_or_tsv.string(), "row " + std::to_string(row + 1) + ", column " +
                                                               table.columns[static_cast<std::size_t>(class_column)] +
                                                               ": expected a class index (integer >= 0), found '" + cell + "'");
      }
      list.classes.push_back(value);
    }
  }
  if (list.files.empty()) throw surface::FormatError(folder_or_tsv.string(), "rows: expected at least one image, found none");
  return list;
}

}  // namespace visalign::apps
