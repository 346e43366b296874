// OUT/<run>/per_image.h5: what write_per_image_h5 writes, read_per_image_h5 reads back (the
// report's image browser and the significance tests read it).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "common/test_util.h"
#include "core/error.h"
#include "metrics/h5_util.h"
#include "metrics/per_image_h5.h"

namespace egsde::metrics {

TEST(PerImageH5, RoundTrip) {
  const auto dir = test::temp_dir("per_image_h5");
  std::vector<PerImageScores> rows(3);
  const char* names[] = {"a.png", "b_longer_name.jpg", "c.png"};
  for (int i = 0; i < 3; ++i) {
    rows[i].translated = std::filesystem::path("images") / names[i];
    rows[i].scores = {10.5 + i, 0.01 * i, 20.0 + i, 0.5 - 0.1 * i};
  }
  const std::vector<int64_t> seeds = {-1, 42, int64_t{1} << 62};
  write_per_image_h5(dir / "p.h5", rows, seeds, {0.5, 0.25, 0.125}, {{"run_id", "r"}});
  const PerImageRecords r = read_per_image_h5(dir / "p.h5");
  ASSERT_EQ(r.image, (std::vector<std::string>{"a.png", "b_longer_name.jpg", "c.png"}));
  EXPECT_EQ(r.scores.at("l2"), (std::vector<double>{10.5, 11.5, 12.5}));
  EXPECT_EQ(r.scores.at("psnr"), (std::vector<double>{20, 21, 22}));
  EXPECT_DOUBLE_EQ(r.scores.at("ssim")[2], 0.3);
  EXPECT_EQ(r.noise_seed, seeds);
  EXPECT_EQ(r.seconds, (std::vector<double>{0.5, 0.25, 0.125}));
  EXPECT_EQ(r.attrs, (std::map<std::string, std::string>{{"run_id", "r"}}));
  EXPECT_EQ(r.scores.size(), per_image_metrics().size());  // scores: the metrics, not seconds

  // An item without a time record (NaN seconds), the uint64 seed bits and attributes as the runner writes them.
  write_per_image_h5(dir / "q.h5", {rows[0]}, {static_cast<int64_t>(uint64_t{18446744073709551615u})},
                     {std::nan("")}, {{"run_id", "abc"}, {"label", "egsde repeat=0"}, {"seed", "7"}});
  const PerImageRecords q = read_per_image_h5(dir / "q.h5");
  EXPECT_EQ(static_cast<uint64_t>(q.noise_seed.at(0)), 18446744073709551615u);
  EXPECT_TRUE(std::isnan(q.seconds.at(0)));
  EXPECT_EQ(q.attrs.at("label"), "egsde repeat=0");
  EXPECT_EQ(q.attrs.size(), 3u);

  // A classifier evaluation's columns are read back as scores; a column of another length is refused.
  write_per_image_h5(dir / "c.h5", rows, seeds, {0.5, 0.25, 0.125}, {}, {{"verdict", {1, 0, 1}}, {"target_prob", {0.9, 0.2, 0.6}}});
  const PerImageRecords c = read_per_image_h5(dir / "c.h5");
  EXPECT_EQ(c.scores.at("verdict"), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(c.scores.at("target_prob"), (std::vector<double>{0.9, 0.2, 0.6}));
  EXPECT_EQ(c.scores.size(), per_image_metrics().size() + per_image_classifier_columns().size());
  EXPECT_THROW(write_per_image_h5(dir / "d.h5", rows, seeds, {0.5, 0.25, 0.125}, {}, {{"verdict", {1, 0}}}), Error);

  // No rows: empty columns, not an error.
  write_per_image_h5(dir / "empty.h5", {}, {}, {}, {});
  const PerImageRecords e = read_per_image_h5(dir / "empty.h5");
  EXPECT_TRUE(e.image.empty());
  EXPECT_TRUE(e.scores.at("ssim").empty());
  std::filesystem::remove_all(dir);
}

TEST(PerImageH5, MissingDatasetOrShortColumnIsNamed) {
  const auto dir = test::temp_dir("per_image_h5_partial");
  // A file of an older writer without ssim (and the rest): the error names the file and 'ssim'.
  h5::write_atomic(dir / "no_ssim.h5", [](hid_t f) {
    h5::write_strings(f, "image", {"a.png"});
    for (const char* m : {"l2", "mse", "psnr"}) h5::write_f64(f, m, torch::tensor({1.0}, torch::kFloat64));
  });
  std::string msg = test::error_of([&] { read_per_image_h5(dir / "no_ssim.h5"); });
  EXPECT_NE(msg.find((dir / "no_ssim.h5").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("no dataset 'ssim'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  // Columns of different lengths: which, and how long.
  h5::write_atomic(dir / "short.h5", [](hid_t f) {
    h5::write_strings(f, "image", {"a.png", "b.png"});
    for (const char* m : {"l2", "mse", "psnr", "ssim", "seconds"})
      h5::write_f64(f, m, torch::tensor({1.0, 2.0}, torch::kFloat64));
    h5::write_i64(f, "noise_seed", {1});
  });
  msg = test::error_of([&] { read_per_image_h5(dir / "short.h5"); });
  EXPECT_NE(msg.find("2 images but noise_seed 1 values"), std::string::npos) << msg;
  EXPECT_NE(msg.find("short.h5"), std::string::npos) << msg;
  std::filesystem::remove_all(dir);
}

TEST(PerImageH5, OtherFilesAreOneLineErrors) {
  const auto dir = test::temp_dir("per_image_h5_bad");
  try {
    read_per_image_h5(dir / "missing.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.h5"), std::string::npos);
  }
  std::ofstream(dir / "text.h5") << "not hdf5\n";
  try {
    read_per_image_h5(dir / "text.h5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not an HDF5 file"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("text.h5"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace egsde::metrics
