// Image decoding and PIL-compatible resizing, bit for bit. Expected pixels come from
// scripts/fixtures/make_metric_fixtures.py: PIL Image.open(p).convert('RGB') of images it wrote in
// many encodings (decode/), PIL Image.resize outputs (resize/, listed in resize.json) and the
// official datasets.imageresize2tensor (resize/eval48_*.npy).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "metrics/image_io.h"
#include "core/pil_resize.h"
#include "metrics/transforms.h"

using namespace egsde;
using namespace egsde::metrics;
namespace fs = std::filesystem;

namespace {

int64_t differing(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes()) return -1;
  return (a != b).sum().item<int64_t>();
}

TEST(MetricsImageIo, DecodesLikePil) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(test::fixture("metrics/decode"))) {
    const auto p = entry.path();
    if (p.extension() == ".npy") continue;
    const std::string ext = p.extension().string().substr(1);
    const auto expected = read_npy(p.parent_path() / (p.stem().string() + "_" + ext + ".npy"));
    const auto got = read_image_rgb(p);
    EXPECT_EQ(differing(got, expected), 0) << p.filename() << " sizes " << got.sizes() << " vs " << expected.sizes();
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(MetricsImageIo, ResizesLikePil) {
  const auto cases = read_json_file(test::fixture("metrics/resize/resize.json"));
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    const auto img = read_image_rgb(test::fixture("metrics/decode/" + c["file"].get<std::string>()));
    const auto expected = read_npy(test::fixture("metrics/resize/" + c["name"].get<std::string>() + ".npy"));
    const auto filter = c["filter"] == "bicubic" ? PilFilter::Bicubic : PilFilter::Bilinear;
    const int w = c["w"], h = c["h"];
    if (c.value("float", false)) {
      const auto plane = img.select(2, c["channel"].get<int>()).to(torch::kFloat32).contiguous();
      const auto got = pil_resize_float(plane, w, h, filter);
      ASSERT_EQ(got.sizes(), expected.sizes()) << c["name"];
      EXPECT_EQ((got - expected).abs().max().item<float>(), 0.0f) << c["name"];
    } else {
      EXPECT_EQ(differing(pil_resize(img, w, h, filter), expected), 0) << c["name"];
    }
  }
}

TEST(MetricsImageIo, EvalTensorMatchesOfficialImageresize2tensor) {
  for (const std::string stem : {"q75_420", "q95_444"}) {
    const auto expected = read_npy(test::fixture("metrics/resize/eval48_" + stem + ".npy"));
    const auto got = eval_tensor(read_image_rgb(test::fixture("metrics/decode/" + stem + ".jpg")), 48);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_TRUE(torch::equal(got, expected)) << stem;
  }
}

TEST(MetricsImageIo, ShorterSideLikeTorchvision) {
  EXPECT_EQ(shorter_side_size(300, 200, 256), (std::pair<int, int>{384, 256}));
  EXPECT_EQ(shorter_side_size(200, 333, 256), (std::pair<int, int>{256, 426}));
  EXPECT_EQ(shorter_side_size(512, 512, 256), (std::pair<int, int>{256, 256}));
}

// egsde's one listing (core/image_list.h): recursive, sorted by path, the official extensions
// case-sensitively (.JPG counts, .Jpg and .webp do not).
TEST(MetricsImageIo, ListsImagesSortedAndSkipsOthers) {
  const auto dir = test::temp_dir("list_images");
  const auto img = torch::zeros({4, 4, 3}, torch::kUInt8);
  fs::create_directories(dir / "sub");
  for (const char* n : {"b.png", "a.JPG", "c.jpeg", "B.png", "sub/d.png"}) write_image(dir / n, img);
  fs::copy_file(dir / "b.png", dir / "e.Jpg");
  fs::copy_file(dir / "b.png", dir / "f.webp");
  std::ofstream(dir / "notes.txt") << "x";
  const auto files = list_images(dir);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::relative(f, dir).string());
  EXPECT_EQ(names, (std::vector<std::string>{"B.png", "a.JPG", "b.png", "c.jpeg", "sub/d.png"}));
  fs::remove_all(dir);
}

TEST(MetricsImageIo, CorruptOrMissingImageIsOneLineError) {
  const auto dir = test::temp_dir("corrupt");
  std::ofstream(dir / "bad.jpg") << "not a jpeg";
  for (const auto& p : {dir / "bad.jpg", dir / "missing.png"}) {
    try {
      read_image_rgb(p);
      FAIL() << "expected an error for " << p;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p.filename().string()), std::string::npos);
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  fs::remove_all(dir);
}

}  // namespace
