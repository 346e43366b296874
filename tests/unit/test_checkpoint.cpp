// Reading torch.save files without Python. Expected values: tests/fixtures/io/*.npy, written
// by numpy from the very tensors torch.save wrote (scripts/fixtures/make_io_fixtures.py).
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/npy.h"

using namespace egsde;

namespace {

void expect_matches_numpy(const StateDict& sd) {
  const std::vector<std::string> keys = {"conv.weight", "conv.bias", "half", "steps", "mask",
                                         "base", "view_row", "view_t", "scalar"};
  ASSERT_EQ(sd.size(), keys.size());
  for (const auto& k : keys) {
    ASSERT_TRUE(sd.count(k)) << k;
    auto expected = read_npy(test::fixture("io/" + k + ".npy"));
    EXPECT_EQ(sd.at(k).scalar_type(), expected.scalar_type()) << k;
    EXPECT_TRUE(torch::equal(sd.at(k).contiguous(), expected)) << k;
  }
}

struct Tiny : torch::nn::Module {
  Tiny() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3)));
    register_buffer("steps", torch::zeros({2, 3}, torch::kInt64));
  }
  torch::nn::Conv2d conv{nullptr};
};

}  // namespace

TEST(Checkpoint, ReadsOrderedDictStateDict) { expect_matches_numpy(read_state_dict(test::fixture("io/state_dict.pt"))); }

TEST(Checkpoint, StripsDataParallelPrefix) {
  expect_matches_numpy(read_state_dict(test::fixture("io/state_dict_module.pt")));
  auto raw = read_state_dict(test::fixture("io/state_dict_module.pt"), /*strip_module_prefix=*/false);
  EXPECT_TRUE(raw.count("module.conv.weight"));
}

TEST(Checkpoint, UnwrapsNestedStateDict) { expect_matches_numpy(read_state_dict(test::fixture("io/nested.pt"))); }

TEST(Checkpoint, ReadsSingleTensor) {
  EXPECT_TRUE(torch::equal(read_tensor(test::fixture("io/tensor.pt")), read_npy(test::fixture("io/conv.weight.npy"))));
}

TEST(Checkpoint, LegacyFormatNamesConverter) {
  auto msg = test::error_of([] { read_state_dict(test::fixture("io/legacy.pt")); });
  EXPECT_NE(msg.find("legacy"), std::string::npos);
  EXPECT_NE(msg.find("torch.save(torch.load("), std::string::npos);
  EXPECT_NE(msg.find("legacy.pt"), std::string::npos);
}

TEST(Checkpoint, WriteThenReadRoundTrips) {
  auto dir = test::temp_dir("ckpt");
  auto sd = read_state_dict(test::fixture("io/state_dict.pt"));
  write_state_dict(dir / "again.pt", sd);
  expect_matches_numpy(read_state_dict(dir / "again.pt"));
}

TEST(Checkpoint, NotACheckpointAndMissingFile) {
  auto dir = test::temp_dir("ckpt_bad");
  std::ofstream(dir / "x.pt") << "hello";
  EXPECT_NE(test::error_of([&] { read_state_dict(dir / "x.pt"); }).find("not a PyTorch checkpoint"), std::string::npos);
  EXPECT_NE(test::error_of([&] { read_state_dict(dir / "nope.pt"); }).find("file not found"), std::string::npos);
  // A single tensor is not a state dict.
  EXPECT_NE(test::error_of([&] { read_state_dict(test::fixture("io/tensor.pt")); }).find("no state dict"), std::string::npos);
}

TEST(Checkpoint, StrictLoadReportsEverythingAtOnce) {
  Tiny m;
  auto sd = read_state_dict(test::fixture("io/state_dict.pt"));
  StateDict good = {{"conv.weight", sd.at("conv.weight")}, {"conv.bias", sd.at("conv.bias")}, {"steps", sd.at("steps")}};
  load_state_dict(m, good, "good.pt");
  EXPECT_TRUE(torch::equal(m.conv->weight, sd.at("conv.weight")));

  StateDict bad = {{"conv.weight", torch::zeros({4, 2, 3, 3})}, {"extra", torch::zeros({1})}};
  auto msg = test::error_of([&] { load_state_dict(m, bad, "bad.pt"); });
  // One error: a first line with the file and the counts, then indented detail lines.
  EXPECT_EQ(msg,
            "checkpoint bad.pt does not match the network: 1 shape mismatch, 2 missing keys, 1 unexpected key\n"
            "  shape mismatch conv.weight: checkpoint [4, 2, 3, 3], network [3, 2, 3, 3]\n"
            "  missing (in the network, not in the checkpoint): conv.bias, steps\n"
            "  unexpected (in the checkpoint, not in the network): extra\n"
            "  check that the config is the one the checkpoint was trained with");
  // Long lists stop at 8, in natural order (2 before 10), with the rest counted.
  StateDict many;
  for (int i = 0; i < 12; ++i) many["extra." + std::to_string(i)] = torch::zeros({1});
  for (const auto& k : {"conv.weight", "conv.bias", "steps"}) many[k] = good.at(k);
  msg = test::error_of([&] { load_state_dict(m, many, "many.pt", {"the Tiny net", [](const StateDict& sd) {
                                                return std::vector<std::string>{std::to_string(sd.size()) + " tensors"};
                                              }}); });
  EXPECT_EQ(msg,
            "checkpoint many.pt does not match the Tiny net: 12 unexpected keys\n"
            "  unexpected (in the checkpoint, not in the network): extra.0, extra.1, extra.2, extra.3, extra.4, "
            "extra.5, extra.6, extra.7 and 4 more\n"
            "  15 tensors");
}

// Issue 19: a cut-off download said LibTorch's "PytorchStreamReader failed … central directory";
// it says what happened and what to do, naming the file. A folder is called a folder.
TEST(Checkpoint, TruncatedFileSaysReDownload) {
  auto dir = test::temp_dir("ckpt_truncated");
  std::ifstream in(test::fixture("io/state_dict.pt"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 30, std::size_t{100}}) {
    std::ofstream(dir / "cut.pt", std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    const auto msg = test::error_of([&] { read_state_dict(dir / "cut.pt"); });
    EXPECT_NE(msg.find((dir / "cut.pt").string() + ": corrupt or incomplete file"), std::string::npos) << msg;
    EXPECT_NE(msg.find("re-download it"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  std::filesystem::create_directories(dir / "folder.pt");
  EXPECT_NE(test::error_of([&] { read_state_dict(dir / "folder.pt"); }).find("is a directory"), std::string::npos);
}

// Issue 19: NaN weights were caught only as "sample became NaN at step 0"; loading names the tensor.
TEST(Checkpoint, NonFiniteTensorIsNamedAtLoad) {
  Tiny m;
  auto sd = read_state_dict(test::fixture("io/state_dict.pt"));
  StateDict w = {{"conv.weight", sd.at("conv.weight").clone()}, {"conv.bias", sd.at("conv.bias").clone()}, {"steps", sd.at("steps")}};
  w["conv.bias"][1] = std::numeric_limits<float>::quiet_NaN();
  w["conv.bias"][2] = std::numeric_limits<float>::infinity();
  const auto before = m.conv->bias.clone();
  const auto msg = test::error_of([&] { load_state_dict(m, w, "nan.pt"); });
  EXPECT_NE(msg.find("checkpoint nan.pt: tensor 'conv.bias' has 1 NaN and 1 Inf values of 3"), std::string::npos) << msg;
  EXPECT_TRUE(torch::equal(m.conv->bias, before)) << "nothing loaded";
}
