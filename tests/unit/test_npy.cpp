// .npy round trips and reading files written by numpy.save (tests/fixtures/io/*.npy, made by
// scripts/fixtures/make_io_fixtures.py).
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/error.h"
#include "core/npy.h"

using namespace egsde;

TEST(Npy, RoundTripsEveryDtype) {
  auto dir = test::temp_dir("npy");
  for (auto type : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32, torch::kUInt8, torch::kBool}) {
    auto t = (torch::randn({2, 3, 4}) * 10).to(type);
    write_npy(dir / "t.npy", t);
    auto back = read_npy(dir / "t.npy");
    EXPECT_EQ(back.scalar_type(), type);
    EXPECT_TRUE(torch::equal(back, t));
  }
  for (auto shape : {std::vector<int64_t>{}, std::vector<int64_t>{7}, std::vector<int64_t>{0, 3}}) {
    auto t = torch::rand(shape);
    write_npy(dir / "s.npy", t);
    EXPECT_TRUE(torch::equal(read_npy(dir / "s.npy"), t));
  }
}

TEST(Npy, ReadsNumpyFiles) {
  auto w = read_npy(test::fixture("io/conv.weight.npy"));
  EXPECT_EQ(w.sizes(), (std::vector<int64_t>{3, 2, 3, 3}));
  auto steps = read_npy(test::fixture("io/steps.npy"));
  EXPECT_EQ(steps.scalar_type(), torch::kInt64);
  EXPECT_EQ(steps.flatten()[0].item<int64_t>(), -2);
  EXPECT_EQ(read_npy(test::fixture("io/scalar.npy")).item<float>(), 3.5f);
}

TEST(Npy, BadFilesGiveOneLineErrors) {
  auto dir = test::temp_dir("npy_bad");
  std::ofstream(dir / "junk.npy") << "not numpy";
  try {
    read_npy(dir / "junk.npy");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("junk.npy"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  EXPECT_THROW(read_npy(dir / "missing.npy"), Error);
  EXPECT_THROW(write_npy(dir / "no_such_dir" / "x.npy", torch::zeros({1})), Error);
}
