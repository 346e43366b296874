#include "metrics/image_io.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/atomic_write.h"
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

ImageU8 read_image_rgb(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw Error("cannot read image " + path.string() + ": no such file");
  // IMREAD_IGNORE_ORIENTATION: PIL's Image.open does not rotate by the EXIF orientation tag.
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (bgr.empty()) {
    throw Error("cannot decode image " + path.string() + ": not a readable JPEG/PNG/BMP/TIFF/WebP file; "
                "re-save it or remove it from the folder");
  }
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  auto out = torch::empty({rgb.rows, rgb.cols, 3}, torch::kUInt8);
  for (int r = 0; r < rgb.rows; ++r) {
    std::memcpy(out.data_ptr<uint8_t>() + static_cast<size_t>(r) * rgb.cols * 3, rgb.ptr<uint8_t>(r),
                static_cast<size_t>(rgb.cols) * 3);
  }
  return out;
}

void write_image_rgb(const fs::path& path, const ImageU8& image, int jpeg_quality) {
  TORCH_CHECK(image.dim() == 3 && image.size(2) == 3 && image.scalar_type() == torch::kUInt8,
              "write_image_rgb wants [H, W, 3] uint8");
  auto img = image.contiguous();
  cv::Mat rgb(static_cast<int>(img.size(0)), static_cast<int>(img.size(1)), CV_8UC3, img.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  const std::string ext = lower_ext(path);
  std::vector<int> params;
  if (ext == ".jpg" || ext == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, jpeg_quality};
  std::vector<uchar> bytes;
  if (!cv::imencode(ext.empty() ? ".png" : ext, bgr, bytes, params)) {
    throw Error("cannot encode image " + path.string() + ": unsupported extension '" + ext + "' (use .png or .jpg)");
  }
  write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

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
