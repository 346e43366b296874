// Pairing translated with source images (metrics/pairing.h): the official L2 pairs by name
// (stem before the first '.', source "<stem>.jpg"), MSE/PSNR/SSIM by sorted order. Synthetic
// folders; expected behaviour from tool/eval_score.py and tool/mse_psnr_ssim_mssim.py.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "metrics/image_io.h"
#include "metrics/pairing.h"

using namespace egsde;
using namespace egsde::metrics;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p) { write_image(p, torch::zeros({8, 8, 3}, torch::kUInt8)); }

struct Dirs {
  fs::path root = test::temp_dir("pairing"), tr = root / "tr", src = root / "src";
  Dirs() {
    fs::create_directories(tr);
    fs::create_directories(src);
  }
  ~Dirs() { fs::remove_all(root); }
};

std::string error_of(const Dirs& d) {
  try {
    pair_images(d.tr, d.src);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(MetricsPairing, ByNameAnyExtensionPrefersJpg) {
  Dirs d;
  for (const char* n : {"a.png", "b.png"}) touch(d.tr / n);
  for (const char* n : {"a.jpg", "a.png", "b.png"}) touch(d.src / n);
  const auto p = pair_images(d.tr, d.src);
  ASSERT_EQ(p.by_name.size(), 2u);
  EXPECT_EQ(p.by_name[0].filename(), "a.jpg");
  EXPECT_EQ(p.by_name[1].filename(), "b.png");
  // sorted order pairs b.png with a.png: the two pairings disagree -> a warning
  EXPECT_EQ(p.by_order[1].filename(), "a.png");
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("differs"), std::string::npos);
}

TEST(MetricsPairing, AgreeingPairingsGiveNoWarning) {
  Dirs d;
  for (const char* n : {"x1.png", "x2.png"}) touch(d.tr / n);
  for (const char* n : {"x1.jpg", "x2.jpg"}) touch(d.src / n);
  EXPECT_TRUE(pair_images(d.tr, d.src).warnings.empty());
}

TEST(MetricsPairing, MissingPartnersAreListedInOneError) {
  Dirs d;
  for (const char* n : {"a.png", "lost1.png", "lost2.png"}) touch(d.tr / n);
  for (const char* n : {"a.jpg", "b.jpg", "c.jpg"}) touch(d.src / n);
  const auto msg = error_of(d);
  EXPECT_NE(msg.find("lost1.png"), std::string::npos);
  EXPECT_NE(msg.find("lost2.png"), std::string::npos);
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(MetricsPairing, EmptyFolderIsAnError) {
  Dirs d;
  touch(d.src / "a.jpg");
  EXPECT_NE(error_of(d).find("no images"), std::string::npos);
}

TEST(MetricsPairing, FewerSourcesThanTranslatedIsAnError) {
  Dirs d;
  for (const char* n : {"a.png", "a.1.png"}) touch(d.tr / n);  // both have official stem "a"
  touch(d.src / "a.jpg");
  EXPECT_NE(error_of(d).find("sorted order"), std::string::npos);
}

}  // namespace
