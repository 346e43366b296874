#include "core/image_io.h"

#ifndef EGSDE_GPU_LEAN
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#endif

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <mutex>
#include <vector>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/pil_resize.h"

namespace egsde {
namespace {

std::string lower_extension(const std::string& name) {
  std::string ext = std::filesystem::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

#ifndef EGSDE_GPU_LEAN
// libpng and libjpeg print their warnings and errors on stderr themselves ("libpng warning:
// tEXt: CRC error", "Premature end of JPEG file"); OpenCV leaves their
// handlers as they are. So each decode runs with fd 2 pointed at a temp file, one decode at a
// time, and what it printed comes back as text ("" when nothing). What another thread writes
// on stderr during those milliseconds lands in the text too; egsde's own threads do not print
// while they decode.
std::string capture_stderr(const std::function<void()>& decode) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  static std::FILE* tmp = std::tmpfile();
  const int saved = tmp ? ::dup(2) : -1;
  if (saved < 0) {  // no temp file or descriptor: decode with stderr as it is
    decode();
    return "";
  }
  const int fd = ::fileno(tmp);
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0 || ::dup2(fd, 2) < 0) {
    ::close(saved);
    decode();
    return "";
  }
  auto restore = [&] {
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
  };
  try {
    decode();
  } catch (...) {
    restore();
    throw;
  }
  restore();
  std::string text(static_cast<size_t>(std::max<off_t>(::lseek(fd, 0, SEEK_END), 0)), '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  // one line: "a\nb\n" → "a; b"
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && (part.back() == '\r' || part.back() == ' ')) part.pop_back();
    if (part.rfind("libpng warning: ", 0) == 0) part = "libpng: " + part.substr(16);  // egsde says "warning"
    if (!part.empty()) line += (line.empty() ? "" : "; ") + part;
    start = end + 1;
  }
  return line;
}
#endif

#ifdef EGSDE_GPU_LEAN
[[noreturn]] void no_image_files(const std::string& what) {
  throw Error("cannot " + what + ": this egsde is the tensor-level build (EGSDE_GPU_LEAN=ON, no OpenCV); "
              "build without EGSDE_GPU_LEAN to read or write image files");
}
#endif

}  // namespace

torch::Tensor read_image_rgb(const std::filesystem::path& path, std::string* note) {
  if (note) note->clear();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error("cannot read image " + path.string() + ": no such file");
#ifdef EGSDE_GPU_LEAN
  no_image_files("read image " + path.string());
#else
  // Our errors name the file; OpenCV's own warnings would only add lines.
  static const bool quiet = (cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR), true);
  (void)quiet;
  // IMREAD_UNCHANGED: no EXIF rotation, channels as stored (we convert like PIL below).
  cv::Mat m;
  const std::string decoder = capture_stderr([&] {
    try {
      m = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception&) {
      m = cv::Mat();
    }
  });
  if (m.empty())
    throw Error("cannot decode image " + path.string() + ": not a readable JPEG/PNG/BMP/TIFF/WebP file" +
                (decoder.empty() ? "" : " (" + decoder + ")") + "; re-save it or remove it from the folder");
  if (m.depth() != CV_8U) throw Error("image " + path.string() + " has more than 8 bits per channel; convert it to 8-bit first");
  cv::Mat rgb;
  switch (m.channels()) {
    case 1:
      cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
      if (note) *note = "grayscale converted to RGB";
      break;
    case 3:
      cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      cv::cvtColor(m, rgb, cv::COLOR_BGRA2RGB);
      if (note) *note = "alpha channel dropped";
      break;
    default:
      throw Error("image " + path.string() + " has " + std::to_string(m.channels()) + " channels; expected 1, 3 or 4");
  }
  if (!decoder.empty()) {
    if (note) *note = note->empty() ? decoder : decoder + "; " + *note;
    else std::cerr << "egsde: warning: " << path.string() << ": " << decoder << "\n";
  }
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
#endif
}

torch::Tensor resize_shorter_side(const torch::Tensor& rgb_u8, int64_t image_size) {
  const int h = static_cast<int>(rgb_u8.size(0)), w = static_cast<int>(rgb_u8.size(1));
  const auto [ow, oh] = shorter_side_size(w, h, static_cast<int>(image_size));
  // torchvision's Resize hands the image on untouched when the size already matches.
  return (ow == w && oh == h) ? rgb_u8 : pil_resize(rgb_u8, ow, oh, PilFilter::Bicubic);
}

torch::Tensor source_tensor(const torch::Tensor& rgb_u8, int64_t image_size) {
  const torch::Tensor img = resize_shorter_side(rgb_u8, image_size);
  // ToTensor: HWC uint8 → CHW float / 255; rescale: 2·X − 1.0
  const auto x = img.permute({2, 0, 1}).contiguous().to(torch::kFloat32).div(255);
  return 2 * x - 1.0;
}

torch::Tensor to_image_u8(const torch::Tensor& y) {
  // inverse_rescale: clamp((X + 1)/2, 0, 1); save_image: mul(255).add_(0.5).clamp_(0, 255) → uint8
  auto x = torch::clamp((y.to(torch::kCPU, torch::kFloat32) + 1.0) / 2.0, 0.0, 1.0);
  x = x.mul(255).add_(0.5).clamp_(0, 255);
  return x.permute({1, 2, 0}).to(torch::kUInt8).contiguous();
}

std::string encode_image(const torch::Tensor& rgb_u8, const std::string& name, int jpeg_quality) {
  const std::string ext = lower_extension(name);
  const bool jpeg = ext == ".jpg" || ext == ".jpeg";
  if (!jpeg && ext != ".png" && ext != ".bmp" && ext != ".ppm" && ext != ".tif" && ext != ".tiff" && ext != ".webp")
    throw Error("cannot write " + name + ": unsupported image extension '" + ext + "' (use .png or .jpg)");
#ifdef EGSDE_GPU_LEAN
  (void)rgb_u8;
  (void)jpeg_quality;
  no_image_files("write " + name);
#else
  std::vector<int> params;
  if (jpeg) params = {cv::IMWRITE_JPEG_QUALITY, jpeg_quality};
  else if (ext == ".png") params = {cv::IMWRITE_PNG_COMPRESSION, 6};  // Pillow's default level
  auto img = rgb_u8.contiguous();
  cv::Mat rgb(static_cast<int>(img.size(0)), static_cast<int>(img.size(1)), CV_8UC3, img.data_ptr<uint8_t>());
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<unsigned char> buf;
  if (!cv::imencode(ext == ".jpeg" ? ".jpg" : ext, bgr, buf, params)) throw Error("cannot encode " + name);
  return std::string(buf.begin(), buf.end());
#endif
}

void write_image(const std::filesystem::path& path, const torch::Tensor& rgb_u8, int jpeg_quality) {
  write_file_atomic(path, encode_image(rgb_u8, path.filename().string(), jpeg_quality));
}

}  // namespace egsde
