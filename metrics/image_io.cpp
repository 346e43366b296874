#include "metrics/image_io.h"

#include <algorithm>
#include <cctype>
#include <set>


#include "core/error.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

namespace {
std::string lower_ext(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return e;
}
}  // namespace

bool is_image_file(const fs::path& path) {
  static const std::set<std::string> kExt = {".bmp", ".jpg", ".jpeg", ".pgm", ".png",
                                             ".ppm", ".tif", ".tiff", ".webp"};
  return kExt.count(lower_ext(path)) > 0;
}

std::vector<fs::path> list_images(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error("not a directory: " + dir.string() + " (expected a folder of images)");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

}  // namespace egsde::metrics
