// Image IO as the official code does it (src/core/image_io.h, image_list.h, pil_resize.h).
// Expected values come from scripts/fixtures/make_translate_fixtures.py (Pillow 9.4 and the
// official dataset/runner): translate/x0.npy is the official get_dataset(test, 64) batch of the
// fixture's source folder (a 96x96 JPEG resized by PIL bicubic, a PNG, a grayscale JPEG);
// translate/official/0/* are the images tvu.save_image wrote from official/raw.npy;
// translate/resize_*.npy are Pillow Image.resize outputs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/image_list.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "core/pil_resize.h"

using namespace egsde;

namespace {

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

TEST(ImageList, SortedLikeTheOfficialDataset) {
  const auto list = list_source_images({test::fixture("translate/source")});
  const auto names = read_json_file(test::fixture("translate/names.json")).get<std::vector<std::string>>();
  ASSERT_EQ(list.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(list[i].name, names[i]);
}

TEST(ImageList, OfficialExtensionsAreCaseSensitive) {
  EXPECT_TRUE(is_image_file("a.jpg"));
  EXPECT_TRUE(is_image_file("a.JPEG"));
  EXPECT_TRUE(is_image_file("a.tiff"));
  EXPECT_FALSE(is_image_file("a.Jpg"));
  EXPECT_FALSE(is_image_file("a.webp"));
  EXPECT_FALSE(is_image_file("a.npy"));
}

// Issue 19: a file given as a source folder says it is a file, not that it does not exist.
TEST(ImageList, FileGivenAsFolderSaysItIsAFile) {
  const auto file = test::fixture("translate/source/cat_a.jpg");
  EXPECT_NE(test::error_of([&] { list_source_images({file}); }).find(file.string() + " is a file, not a folder"),
            std::string::npos);
}

// Issue 19: folders passed as `exclude` (an output folder inside the source) are not listed.
TEST(ImageList, ExcludedFoldersAreSkipped) {
  namespace fs = std::filesystem;
  const auto dir = test::temp_dir("exclude_src");
  fs::create_directories(dir / "out" / "0");
  fs::create_directories(dir / "more");
  for (const auto& rel : {"a.png", "more/b.png", "out/0/a.png"}) std::ofstream(dir / rel) << "x";
  std::vector<std::string> names;
  for (const auto& s : list_source_images({dir}, {dir / "out"})) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a.png", "b.png"}));  // sorted by path: a.png, more/b.png
  EXPECT_EQ(list_source_images({dir}).size(), 3u);
  fs::remove_all(dir);
}

TEST(ImageList, EmptyOrMissingFolderIsAnError) {
  const auto dir = test::temp_dir("empty_src");
  EXPECT_THROW(list_source_images({dir}), Error);
  EXPECT_THROW(list_source_images({dir / "missing"}), Error);
  std::filesystem::remove_all(dir);
}

// Decoding + PIL bicubic resize + ToTensor + rescale equal the official dataset bit for bit.
TEST(ImageIo, SourceTensorsEqualTheOfficialDataset) {
  const auto x0 = read_npy(test::fixture("translate/x0.npy"));
  const auto list = list_source_images({test::fixture("translate/source")});
  for (size_t i = 0; i < list.size(); ++i) {
    std::string note;
    const auto x = source_tensor(read_image_rgb(list[i].path, &note), 64);
    EXPECT_TRUE(torch::equal(x, x0[static_cast<int64_t>(i)])) << list[i].name;
    EXPECT_EQ(note.empty(), list[i].name != "cat_c.jpg") << list[i].name << ": " << note;  // cat_c is grayscale
  }
}

TEST(ImageIo, PilResizeEqualsPillow) {
  const auto in = read_npy(test::fixture("translate/resize_in.npy"));
  struct Case {
    std::string name;
    PilFilter filter;
    int64_t w, h;
  };
  for (const Case& c : {Case{"bicubic_40x30", PilFilter::Bicubic, 40, 30}, Case{"bicubic_5x7", PilFilter::Bicubic, 5, 7},
                        Case{"bilinear_9x20", PilFilter::Bilinear, 9, 20}, Case{"bicubic_17x6", PilFilter::Bicubic, 17, 6}}) {
    const auto ref = read_npy(test::fixture("translate/resize_" + c.name + ".npy"));
    EXPECT_TRUE(torch::equal(pil_resize(in, static_cast<int>(c.w), static_cast<int>(c.h), c.filter), ref)) << c.name;
  }
  EXPECT_EQ(shorter_side_size(96, 96, 64), (std::pair<int, int>{64, 64}));  // {w, h}
  EXPECT_EQ(shorter_side_size(50, 100, 64), (std::pair<int, int>{64, 128}));
  EXPECT_EQ(shorter_side_size(75, 50, 64), (std::pair<int, int>{96, 64}));
}

// save_image's quantisation + JPEG at Pillow's defaults give the official files byte for byte.
TEST(ImageIo, WrittenImagesEqualTheOfficialSaveImage) {
  const auto raw = read_npy(test::fixture("translate/official/raw.npy"))[0];
  const auto names = read_json_file(test::fixture("translate/names.json")).get<std::vector<std::string>>();
  for (size_t i = 0; i < names.size(); ++i) {
    const auto official = test::fixture("translate/official/0/" + names[i]);
    const auto u8 = to_image_u8(raw[static_cast<int64_t>(i)]);
    const auto ext = std::filesystem::path(names[i]).extension();
    if (ext == ".jpg") {
      EXPECT_EQ(encode_image(u8, names[i]), file_bytes(official)) << names[i];  // JPEG: the same bytes
    } else {
      EXPECT_TRUE(torch::equal(read_image_rgb(official), u8)) << names[i];  // lossless: the same pixels
    }
  }
}

TEST(ImageIo, UnreadableImageNamesTheFile) {
  const auto dir = test::temp_dir("bad_image");
  const auto bad = dir / "broken.jpg";
  std::ofstream(bad) << "not a jpeg";
  try {
    read_image_rgb(bad);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// Issue 19: what libpng / libjpeg print on stderr while decoding becomes the image's note.
// text_crc.png (scripts/fixtures/make_decoder_warning_fixtures.py) is 8x8 RGB with pixel
// (x, y) = (32x, 32y, 128) and a tEXt chunk with a bad CRC (libpng: warn, discard the chunk); the
// truncated JPEG is the first half of the fixture's cat_a.jpg (96x96), which libjpeg still decodes.
TEST(ImageIo, DecoderWarningsBecomeTheNote) {
  std::string note;
  const auto png = read_image_rgb(test::fixture("decode_warnings/text_crc.png"), &note);
  EXPECT_NE(note.find("libpng: tEXt: CRC error"), std::string::npos) << note;
  ASSERT_EQ(png.sizes(), (std::vector<int64_t>{8, 8, 3}));
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      EXPECT_EQ(png[y][x][0].item<int>(), 32 * x);
      EXPECT_EQ(png[y][x][1].item<int>(), 32 * y);
      EXPECT_EQ(png[y][x][2].item<int>(), 128);
    }
  const auto dir = test::temp_dir("truncated_jpeg");
  const std::string jpg = file_bytes(test::fixture("translate/source/cat_a.jpg"));
  std::ofstream(dir / "t.jpg", std::ios::binary) << jpg.substr(0, jpg.size() / 2);
  EXPECT_EQ(read_image_rgb(dir / "t.jpg", &note).size(0), 96);
  EXPECT_NE(note.find("Premature end of JPEG file"), std::string::npos) << note;
  read_image_rgb(test::fixture("translate/source/cat_a.jpg"), &note);
  EXPECT_EQ(note, "");
  std::filesystem::remove_all(dir);
}

TEST(ImageIo, UnsupportedOutputExtensionIsAnError) {
  EXPECT_THROW(encode_image(torch::zeros({4, 4, 3}, torch::kUInt8), "x.gif"), Error);
}

}  // namespace
