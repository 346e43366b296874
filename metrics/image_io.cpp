#include "metrics/image_io.h"

#include "core/error.h"
#include "core/image_list.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

std::vector<fs::path> list_images(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error("not a directory: " + dir.string() + " (expected a folder of images)");
  return list_image_files(dir);
}

}  // namespace egsde::metrics
