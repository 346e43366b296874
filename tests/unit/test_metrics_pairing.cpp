// Pairing translated with source images (metrics/pairing.h): by name (stem before the first '.',
// source "<stem>.jpg"), as the official L2 pairs; the official sorted-order pairing of
// MSE/PSNR/SSIM is kept for a warning when it differs. Synthetic folders; expected behaviour from
// tool/eval_score.py and tool/mse_psnr_ssim_mssim.py.
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
  EXPECT_NE(p.warnings[0].find("sorted order"), std::string::npos);
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

TEST(MetricsPairing, TwoTranslatedImagesOfOneSourceAreAnError) {
  Dirs d;
  for (const char* n : {"a.png", "a.1.png"}) touch(d.tr / n);  // both have official stem "a"
  touch(d.src / "a.jpg");
  const auto msg = error_of(d);
  EXPECT_NE(msg.find("a.1.png and a.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("both pair with"), std::string::npos) << msg;
}

// Issue 19: 2 translated images of 4 sources are paired by name (b with b, d with d, where the
// sorted order would give a and b) and a note says 2 of the 4 are evaluated.
TEST(MetricsPairing, ASubsetIsPairedByNameWithANote) {
  Dirs d;
  for (const char* n : {"b.png", "d.png"}) touch(d.tr / n);
  for (const char* n : {"a.jpg", "b.jpg", "c.jpg", "d.jpg"}) touch(d.src / n);
  const auto p = pair_images(d.tr, d.src);
  EXPECT_EQ(p.by_name[0].filename(), "b.jpg");
  EXPECT_EQ(p.by_name[1].filename(), "d.jpg");
  EXPECT_EQ(p.sources, 4u);
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("2 of the 4 source images"), std::string::npos) << p.notes[0];
  ASSERT_EQ(p.warnings.size(), 1u);  // sorted order would pair b.png with a.jpg
  EXPECT_NE(p.warnings[0].find("b.png with a.jpg"), std::string::npos) << p.warnings[0];
}

}  // namespace
