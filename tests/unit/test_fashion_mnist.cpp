// The demo's Fashion-MNIST data (src/datasets/fashion_mnist.h), read from Debian's
// dataset-fashion-mnist package. Expected values were read with Python's gzip + numpy from the
// same files: first labels train [9 0 0 3 0], test [9 2 1 1 6]; 1000 test images per class;
// test image 0 sums to 33456 and its pixel (14, 14) is 110.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "datasets/fashion_mnist.h"

using namespace egsde;
namespace fs = std::filesystem;

TEST(FashionMnist, ReadsThePackage) {
  const auto test = read_fashion_mnist("test");
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 28, 28}));
  EXPECT_TRUE(torch::equal(test.labels.slice(0, 0, 5), torch::tensor({9, 2, 1, 1, 6}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kInt64)));
  EXPECT_EQ(test.images[0].to(torch::kInt64).sum().item<int64_t>(), 33456);
  const auto rgb = fashion_mnist_rgb32(test.images[0]);
  EXPECT_EQ(rgb.sizes(), (std::vector<int64_t>{32, 32, 3}));
  EXPECT_EQ(rgb[16][16][0].item<int>(), 110);  // (14, 14) shifted by the 2-pixel pad
  EXPECT_EQ(rgb[16][16][2].item<int>(), 110);
  EXPECT_EQ(rgb.select(0, 0).sum().item<int64_t>(), 0);  // padding is black
  const auto train = read_fashion_mnist("train");
  EXPECT_EQ(train.images.size(0), 60000);
  EXPECT_TRUE(torch::equal(train.labels.slice(0, 0, 5), torch::tensor({9, 0, 0, 3, 0}, torch::kInt64)));
}

TEST(FashionMnist, PrepareWritesClassFoldersOnceWithAManifest) {
  const auto out = test::temp_dir("fmnist");
  auto r = prepare_fashion_mnist(out, {"test"}, {"sandal"});
  EXPECT_EQ(r.written, 1000);
  EXPECT_EQ(r.unchanged, 0);
  const auto manifest = read_json_file(out / "manifest.json");
  EXPECT_EQ(manifest["files"].size(), 1000u);
  r = prepare_fashion_mnist(out, {"test"}, {"sandal"});
  EXPECT_EQ(r.written, 0);
  EXPECT_EQ(r.unchanged, 1000);
  // a file is read back as the padded image
  const auto data = read_fashion_mnist("test");
  const std::string first = manifest["files"].begin().key();  // "test/sandal/NNNNN.png"
  const int64_t index = std::stoll(fs::path(first).stem().string());
  EXPECT_EQ(data.labels[index].item<int64_t>(), 5);
  EXPECT_TRUE(torch::equal(read_image_rgb(out / first), fashion_mnist_rgb32(data.images[index])));
  fs::remove_all(out);
}

TEST(FashionMnist, ClearErrors) {
  EXPECT_THROW(fashion_mnist_class("sneakers"), Error);
  try {
    read_fashion_mnist("test", "/nonexistent");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dataset-fashion-mnist"), std::string::npos) << e.what();
  }
}
