// A sample grid PNG: one row per source image, one column per image folder (source, then each
// method's translations), each cell resized to a fixed size with Pillow's bicubic filter, the
// column titles drawn above. A missing image is a grey cell, never a silent gap.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace egsde::report {

struct GridColumn {
  std::string title;             // "SDEdit"
  std::filesystem::path folder;  // images are looked up here by source file name
  std::vector<std::filesystem::path> files;  // or, when not empty, row r's image is files[r] (nested sources)
};

struct SampleGrid {
  std::vector<std::string> names;   // image file names, one row each
  std::vector<GridColumn> columns;
  int cell = 128;                   // cell width = height in pixels
};

// Writes the grid atomically to `file`; returns how many cells had no image.
std::size_t write_sample_grid(const SampleGrid& grid, const std::filesystem::path& file);

}  // namespace egsde::report
