// FID Inception (pool3 features) against the official code. The expected outputs come from
// scripts/fixtures/make_inception_fixtures.py, which runs the official tool/inception.py
// InceptionV3 (pytorch-fid's, use_fid_inception=True) with its weight download replaced by a
// seeded random state dict. The test regenerates those weights in C++ from the same seed
// (random_inception_state_dict), writes them to a .pth like the released
// pt_inception-2015-12-05-6726825d.pth, and loads them through the normal file path.
#include <gtest/gtest.h>

#include "common/network_parity.h"
#include "core/error.h"
#include "core/json_io.h"
#include "models/inception_fid.h"

using namespace egsde;

namespace {

nlohmann::json generator_json() { return read_json_file(test::fixture("inception_fid/generator.json")); }

// The generated weights, written once to a temp .pth (fc.* included, no
// num_batches_tracked: the layout the official fid_inception_v3 loads strictly).
std::filesystem::path generated_weights_file() {
  static const std::filesystem::path path = [] {
    const auto p = test::temp_dir("inception_fid") / "pt_inception-random.pth";
    write_state_dict(p, random_inception_state_dict(generator_json().at("seed").get<uint64_t>()));
    return p;
  }();
  return path;
}

void expect_inception_parity(const std::string& tag, InceptionFidOptions options) {
  auto model = load_inception_fid(generated_weights_file(), options);
  model->to(test::device());
  const auto x = read_npy(test::fixture("inception_fid/input" + tag + ".npy")).to(test::device());
  torch::NoGradGuard no_grad;
  test::expect_matches_fixture(model->forward(x), "inception_fid/output" + tag + ".npy", tag, "rel_error" + tag);
}

TEST(InceptionFidParity, ResizedInputMatchesOfficial) { expect_inception_parity("", {}); }

TEST(InceptionFidParity, UnresizedInputMatchesOfficial) {
  InceptionFidOptions options;
  options.resize_input = false;
  expect_inception_parity("_noresize", options);
}

// The generator's keys and shapes are those of the file the official code loads (as saved
// by the fixture script from the official Inception3), fc.* included.
TEST(InceptionFidKeys, GeneratedLayoutIsTheOfficialFileLayout) {
  const auto sd = random_inception_state_dict(1);
  test::expect_layout(sd, generator_json().at("keys"));
  EXPECT_TRUE(sd.count("Conv2d_1a_3x3.conv.weight"));
  EXPECT_TRUE(sd.count("Mixed_5b.branch1x1.bn.running_var"));
  EXPECT_TRUE(sd.count("Mixed_7c.branch_pool.bn.bias"));
}

// num_batches_tracked may be in the file (saved by a newer PyTorch) or not; fc.* is ignored;
// anything else unexpected or missing is an Error.
TEST(InceptionFidKeys, LoaderToleratesOnlyUnusedKeys) {
  auto sd = random_inception_state_dict(7);
  InceptionFid model;
  sd["Mixed_6a.branch3x3.bn.num_batches_tracked"] = torch::tensor(int64_t{5});
  EXPECT_NO_THROW(load_inception_state_dict(*model, sd, "with-counters.pth"));

  auto extra = sd;
  extra["AuxLogits.fc.weight"] = torch::zeros({1008, 768});
  EXPECT_THROW(load_inception_state_dict(*model, extra, "extra.pth"), Error);

  auto missing = sd;
  missing.erase("Mixed_7c.branch_pool.conv.weight");
  EXPECT_THROW(load_inception_state_dict(*model, missing, "missing.pth"), Error);
}

}  // namespace
