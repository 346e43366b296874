#include "datasets/fashion_mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/atomic_write.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "core/suggest.h"

namespace egsde {
namespace {

namespace fs = std::filesystem;

std::string gunzip(const fs::path& path) {
  if (!fs::exists(path))
    throw Error("Fashion-MNIST file " + path.string() +
                " is missing; install Debian's dataset-fashion-mnist package (scripts/install-deps.sh does)");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error("cannot open " + path.string());
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  const bool bad = n < 0;
  gzclose(f);
  if (bad) throw Error("cannot decompress " + path.string() + " (corrupt gzip); reinstall dataset-fashion-mnist");
  return out;
}

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
         uint32_t(uint8_t(s[at + 3]));
}

// IDX: magic 0x00000800 | ndim, then ndim big-endian sizes, then uint8 data.
torch::Tensor read_idx_u8(const fs::path& path, int64_t ndim) {
  const std::string raw = gunzip(path);
  if (raw.size() < 4 + 4 * static_cast<size_t>(ndim) || be32(raw, 0) != (0x800u | static_cast<uint32_t>(ndim)))
    throw Error(path.string() + " is not a uint8 IDX file with " + std::to_string(ndim) + " dimensions");
  std::vector<int64_t> sizes;
  size_t count = 1;
  for (int64_t d = 0; d < ndim; ++d) {
    sizes.push_back(be32(raw, 4 + 4 * static_cast<size_t>(d)));
    count *= static_cast<size_t>(sizes.back());
  }
  const size_t off = 4 + 4 * static_cast<size_t>(ndim);
  if (raw.size() != off + count) throw Error(path.string() + " is truncated (IDX size mismatch)");
  auto t = torch::empty(sizes, torch::kUInt8);
  std::copy(raw.begin() + static_cast<std::ptrdiff_t>(off), raw.end(), reinterpret_cast<char*>(t.data_ptr<uint8_t>()));
  return t;
}

std::string fnv_hex(const std::string& bytes) { return hex_digits(fnv1a64(bytes, kEgsdeDigestBasis)); }

}  // namespace

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"tshirt_top", "trouser", "pullover", "dress", "coat",
                                                 "sandal",     "shirt",   "sneaker",  "bag",   "ankle_boot"};
  return names;
}

int fashion_mnist_class(const std::string& name) {
  const auto& names = fashion_mnist_classes();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end())
    throw Error("unknown Fashion-MNIST class '" + name + "'; did you mean '" + nearest(name, names) + "'?");
  return static_cast<int>(it - names.begin());
}

FashionMnistSplit read_fashion_mnist(const std::string& split, const fs::path& dir) {
  if (split != "train" && split != "test") throw Error("Fashion-MNIST split '" + split + "': use train or test");
  const std::string stem = split == "train" ? "train" : "t10k";
  FashionMnistSplit s;
  s.images = read_idx_u8(dir / (stem + "-images-idx3-ubyte.gz"), 3);
  s.labels = read_idx_u8(dir / (stem + "-labels-idx1-ubyte.gz"), 1).to(torch::kInt64);
  if (s.images.size(0) != s.labels.size(0) || s.images.size(1) != 28 || s.images.size(2) != 28)
    throw Error("Fashion-MNIST " + split + " in " + dir.string() + ": images and labels do not match (28x28 expected)");
  return s;
}

torch::Tensor fashion_mnist_rgb32(const torch::Tensor& image28) {
  auto padded = torch::constant_pad_nd(image28, {2, 2, 2, 2}, 0);  // [32, 32]
  return padded.unsqueeze(2).expand({32, 32, 3}).contiguous();
}

PrepareReport prepare_fashion_mnist(const fs::path& out, const std::vector<std::string>& splits,
                                    const std::vector<std::string>& classes, const fs::path& dir) {
  std::vector<int> wanted;
  for (const auto& c : classes) wanted.push_back(fashion_mnist_class(c));
  if (wanted.empty())
    for (int c = 0; c < 10; ++c) wanted.push_back(c);
  const fs::path manifest_path = out / "manifest.json";
  nlohmann::json manifest = fs::exists(manifest_path) ? read_json_file(manifest_path) : nlohmann::json::object();
  if (!manifest.contains("files")) manifest["files"] = nlohmann::json::object();
  PrepareReport report;
  for (const auto& split : splits) {
    const auto data = read_fashion_mnist(split, dir);
    const auto labels = data.labels.accessor<int64_t, 1>();
    for (int64_t i = 0; i < data.images.size(0); ++i) {
      const int label = static_cast<int>(labels[i]);
      if (std::find(wanted.begin(), wanted.end(), label) == wanted.end()) continue;
      char name[32];
      std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(i));
      const std::string rel = split + "/" + fashion_mnist_classes()[static_cast<size_t>(label)] + "/" + name;
      const std::string png = encode_image(fashion_mnist_rgb32(data.images[i]), name);
      const std::string digest = fnv_hex(png);
      const fs::path file = out / rel;
      if (manifest["files"].value(rel, "") == digest && fs::exists(file)) {
        ++report.unchanged;
        continue;
      }
      fs::create_directories(file.parent_path());
      write_file_atomic(file, png);
      manifest["files"][rel] = digest;
      ++report.written;
    }
  }
  manifest["source"] = dir.string() + " (Debian dataset-fashion-mnist)";
  manifest["format"] = "32x32 RGB PNG: 28x28 padded by 2 black pixels, gray replicated; name = index in split";
  manifest["digest"] = "FNV-1a 64 of the PNG bytes";
  if (report.written > 0 || !fs::exists(manifest_path)) write_json_file(manifest_path, manifest);
  return report;
}

}  // namespace egsde
