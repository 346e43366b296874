// FID of image folders against the official tool/fid.py. Expected values come from
// scripts/fixtures/make_metric_fixtures.py, which ran the official calculate_fid_given_paths
// (dataset 'cat2dog' -> official-afhq, 'male2female' -> official-celeba) on
// metrics/images/{translated,target} with a RANDOM FID InceptionV3 (random_fid_weights(7), drawn
// again here from the key list in fid_weight_keys.json), and recorded the network inputs.
// Measured: activations 2e-7, FID 1.3e-7 (reference) / 1.3e-6 (eigh) relative (official-afhq);
// 2e-7 / 3e-7 / 3.7e-6 (official-celeba).
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "common/test_util.h"
#include "core/json_io.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/npy.h"
#include "metrics/image_io.h"
#include "core/pil_resize.h"
#include "metrics/protocol.h"
#include "metrics/stats_cache.h"
#include "models/inception_fid.h"

using namespace egsde;
using namespace egsde::metrics;
namespace fs = std::filesystem;

namespace {

TEST(MetricsFidParity, ProtocolInputsMatchOfficial) {
  const auto files = list_images(test::fixture("metrics/images/translated"));
  ASSERT_GE(files.size(), 4u);
  for (auto p : {FidProtocol::OfficialAfhq, FidProtocol::OfficialCeleba}) {
    const std::string name = to_string(p);
    const auto rec = read_json_file(test::fixture("metrics/fid_inputs_" + name + ".json"));
    for (int i = 0; i < 4; ++i) {
      const auto x = fid_input(read_image_rgb(files[i]), p);
      EXPECT_EQ(std::vector<int64_t>(x.sizes().begin(), x.sizes().end()),
                std::vector<int64_t>(rec["shape"].begin() + 1, rec["shape"].end()));
      const double sum = x.to(torch::kFloat64).sum().item<double>(), ref = rec["sum"][i];
      EXPECT_LT(std::abs(sum - ref) / std::abs(ref), 1e-9) << name << " image " << i;
      if (i == 0) {
        const auto crop = read_npy(test::fixture("metrics/fid_inputs_" + name + "_crop.npy"));
        EXPECT_TRUE(torch::equal(x.slice(1, 100, 116).slice(2, 120, 136), crop)) << name;
      }
    }
  }
  // official-celeba: the uint8 pixels after PIL bilinear 256x256 then 299x299
  const auto u8 = read_npy(test::fixture("metrics/fid_inputs_official-celeba_u8.npy"));
  for (int i = 0; i < 2; ++i) {
    auto img = pil_resize(read_image_rgb(files[i]), 256, 256, PilFilter::Bilinear);
    img = pil_resize(img, 299, 299, PilFilter::Bilinear);
    EXPECT_TRUE(torch::equal(img.permute({2, 0, 1}), u8[i])) << "image " << i;
  }
}

// make_metric_fixtures.py random_fid_weights: sorted keys, one randn per key from one generator.
StateDict random_fid_weights(uint64_t seed) {
  const auto keys = read_json_file(test::fixture("metrics/fid_weight_keys.json"));
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  StateDict sd;
  for (const auto& [key, shape_json] : keys.items()) {  // nlohmann::json objects iterate sorted
    const auto shape = shape_json.get<std::vector<int64_t>>();
    const auto x = torch::randn(shape, g, torch::kFloat32);
    auto ends = [&](const std::string& s) { return key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0; };
    if (ends("conv.weight") || key == "fc.weight") {
      int64_t fan_in = 1;
      for (size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
      sd[key] = x * std::sqrt(2.0 / static_cast<double>(fan_in));
    } else if (ends("bn.weight")) {
      sd[key] = 1 + 0.1 * x;
    } else if (ends("bn.running_var")) {
      sd[key] = 1 + 0.1 * x.abs();
    } else {
      sd[key] = 0.1 * x;
    }
  }
  return sd;
}

TEST(MetricsFidParity, FolderFidMatchesOfficialWithRandomInception) {
  const auto ref = read_json_file(test::fixture("metrics/fid.json"));
  const auto dir = test::temp_dir("fid_weights");
  const auto weights = dir / "pt_inception_random.pth";
  write_state_dict(weights, random_fid_weights(ref["seed"].get<uint64_t>()));
  auto net = load_inception_fid(weights);  // drops the unused fc.* like the real file's loader
  const FeatureFn fn = [&](const torch::Tensor& x) { return net->forward(x); };
  for (auto p : {FidProtocol::OfficialAfhq, FidProtocol::OfficialCeleba}) {
    const std::string name = to_string(p);
    const auto& r = ref[name];
    FeatureOptions opt;
    opt.protocol = p;
    const auto files = list_images(test::fixture("metrics/images/translated"));
    const auto acts = image_features(files, fn, opt);
    const auto ref_acts = read_npy(test::fixture("metrics/fid_acts_" + name + "_translated.npy"));
    test::expect_matches(acts.slice(0, 0, 4), ref_acts, name, "rel_error_activations_" + name, 1e-4);
    const auto g1 = gaussian_statistics(acts);
    const auto g2 = statistics_of(test::fixture("metrics/images/target"), fn, opt);
    // 12 images, 2048-d: both covariances singular, like the paper's 500 images. The eigh
    // cross-check runs for one protocol only (each 2048-d decomposition takes seconds).
    std::vector<SqrtmMethod> methods = {SqrtmMethod::Reference};
    if (p == FidProtocol::OfficialAfhq) methods.push_back(SqrtmMethod::Factored);
    for (auto m : methods) {
      const double fid = frechet_distance(g1.mu, g1.sigma, g2.mu, g2.sigma, m).distance;
      const double err = test::rel_diff(fid, r["fid"].get<double>());
      test::record("rel_error_fid_" + name + "_" + to_string(m), err);
      EXPECT_LT(err, 1e-4) << name << " " << to_string(m) << ": " << fid << " vs official " << r["fid"];
    }
  }
  fs::remove_all(dir);
}

TEST(MetricsFid, EmptyFolderIsAnError) {
  const auto dir = test::temp_dir("fid_empty");
  const FeatureFn never = [](const torch::Tensor&) -> torch::Tensor { throw std::logic_error("unreachable"); };
  EXPECT_THROW(statistics_of(dir, never, {}), Error);
  fs::remove_all(dir);
}

TEST(MetricsFid, StatisticsAreCachedByContent) {
  const auto dir = test::temp_dir("fid_cache");
  fs::create_directories(dir / "imgs");
  torch::manual_seed(3);
  for (int i = 0; i < 5; ++i) {
    write_image(dir / "imgs" / ("im" + std::to_string(i) + ".png"), torch::randint(0, 256, {9, 7, 3}).to(torch::kUInt8));
  }
  int calls = 0;
  const FeatureFn fn = [&](const torch::Tensor& x) {
    ++calls;
    return x.flatten(1).slice(1, 0, 6);  // a toy 6-d "network"
  };
  const auto a = statistics_of(dir / "imgs", fn, {}, dir / "cache", "w1");
  const int after_first = calls;
  const auto b = statistics_of(dir / "imgs", fn, {}, dir / "cache", "w1");
  EXPECT_EQ(calls, after_first);  // served from the cache
  EXPECT_TRUE(torch::equal(a.sigma, b.sigma));
  statistics_of(dir / "imgs", fn, {}, dir / "cache", "w2");  // other weights: recomputed
  EXPECT_GT(calls, after_first);
  fs::remove_all(dir);
}

}  // namespace
