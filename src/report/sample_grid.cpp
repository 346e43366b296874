#include "report/sample_grid.h"

#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/image_io.h"
#include "core/pil_resize.h"

namespace egsde::report {
namespace fs = std::filesystem;

namespace {

// Font scale (at most 0.5) at which `text` fits in a cell with a small margin.
double fit_scale(const std::string& text, int cell) {
  int base = 0;
  const int width = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.5, 1, &base).width;
  return width + 6 <= cell ? 0.5 : std::max(0.25, 0.5 * (cell - 6) / width);
}

}  // namespace

std::size_t write_sample_grid(const SampleGrid& grid, const fs::path& file) {
  if (grid.names.empty() || grid.columns.empty())
    throw Error("no sample images for " + file.string() + "; the runs have no source images");
  const int cell = grid.cell, gap = 2, header = 24;
  const int cols = static_cast<int>(grid.columns.size()), rows = static_cast<int>(grid.names.size());
  const int width = cols * cell + (cols + 1) * gap, height = header + rows * cell + (rows + 1) * gap;
  torch::Tensor canvas = torch::full({height, width, 3}, 255, torch::kUInt8);
  cv::Mat mat(height, width, CV_8UC3, canvas.data_ptr<uint8_t>());  // shares the tensor's memory

  for (int c = 0; c < cols; ++c) {
    const std::string& title = grid.columns[static_cast<std::size_t>(c)].title;
    const double scale = fit_scale(title, cell);
    int base = 0;
    const cv::Size size = cv::getTextSize(title, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base);
    const int x = gap + c * (cell + gap) + std::max(0, (cell - size.width) / 2);
    cv::putText(mat, title, cv::Point(x, header - 7), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  std::size_t missing = 0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const GridColumn& column = grid.columns[static_cast<std::size_t>(c)];
      const auto row = static_cast<std::size_t>(r);
      const fs::path path = row < column.files.size() ? column.files[row] : column.folder / grid.names[row];
      const int x = gap + c * (cell + gap), y = header + gap + r * (cell + gap);
      torch::Tensor tile;
      std::error_code ec;
      if (fs::is_regular_file(path, ec)) {
        try {
          tile = pil_resize(read_image_rgb(path), cell, cell, PilFilter::Bicubic);
        } catch (const Error&) {
          tile = torch::Tensor();  // unreadable: shown as missing
        }
      }
      if (!tile.defined()) {
        ++missing;
        canvas.index({torch::indexing::Slice(y, y + cell), torch::indexing::Slice(x, x + cell)}).fill_(200);
        cv::putText(mat, "missing", cv::Point(x + 3, y + cell / 2), cv::FONT_HERSHEY_SIMPLEX, fit_scale("missing", cell),
                    cv::Scalar(90, 90, 90), 1, cv::LINE_AA);
        continue;
      }
      canvas.index_put_({torch::indexing::Slice(y, y + cell), torch::indexing::Slice(x, x + cell)}, tile);
    }
  }
  write_image(file, canvas);
  return missing;
}

}  // namespace egsde::report
