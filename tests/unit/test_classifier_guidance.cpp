// Classifier guidance as an energy: E_c = −log softmax(C(y, t))[c]. Its gradient against the hand
// derivation for linear logits (∇ = Wᵀ(softmax − onehot_c), float64) and against central
// differences through the DSE's train-phase head; the profile keys lc / lc_class (off by
// default, the run id of a profile without them, clear errors); and on the demo's trained
// networks (experiments/demo, 8 Fashion-MNIST sandals) that guidance towards "sneaker" raises
// the DSE's p(sneaker | y) of the translations, while lc = 0 gives EGSDE's samples exactly.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "datasets/fashion_mnist.h"
#include "guidance/energies.h"
#include "models/network.h"
#include "translate/method_sampler.h"

using namespace egsde;

namespace {

namespace fs = std::filesystem;

const fs::path kDemo = fs::path(EGSDE_FIXTURES_DIR).parent_path().parent_path() / "experiments/demo";

TEST(ClassifierGuidance, GradientOfLinearLogitsIsWTransposedTimesSoftmaxMinusOneHot) {
  torch::manual_seed(5);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t n = 3, k = 4, d = 2 * 3 * 3;
  const auto W = torch::randn({k, d}, opts), y = torch::randn({n, 2, 3, 3}, opts);
  const auto t = torch::zeros({n}, opts);
  for (int64_t c : {0, 2}) {
    const EnergyGrad g = classifier_energy(
        [&](const torch::Tensor& x, const torch::Tensor&) { return torch::matmul(x.reshape({x.size(0), -1}), W.t()); }, c);
    const auto p = torch::softmax(torch::matmul(y.reshape({n, -1}), W.t()), 1);
    const auto onehot = torch::zeros({n, k}, opts).index_fill_(1, torch::tensor({c}), 1.0);
    const auto expected = torch::matmul(p - onehot, W).reshape(y.sizes());
    EXPECT_LT(test::rel_error(g(y, torch::Tensor(), t), expected), 1e-12) << "class " << c;
  }
}

TEST(ClassifierGuidance, DseHeadGradientMatchesCentralDifferences) {
  const nlohmann::json profile = read_json_file(kDemo / "profile.json");
  Network dse = load_network(NetworkKind::AdmDse, profile["config"], "demo profile", kDemo / "weights/dse_sandal_sneaker.pt");
  ASSERT_TRUE(dse.logits);
  torch::manual_seed(6);
  const auto y = torch::rand({2, 3, 32, 32}) * 2 - 1, v = torch::randn({2, 3, 32, 32});
  const auto t = torch::full({2}, 300.0);
  EXPECT_EQ(dse.logits(y, t).sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_NE(dse.forward(y, t).dim(), 2) << "the test-phase forward gives features, the head stays separate";
  const EnergyGrad g = classifier_energy(dse.logits, 1);
  const auto grad = g(y, torch::Tensor(), t);
  // d/dh E(y + h·v) at h = 0, per image, against <∇E, v>
  auto energy = [&](const torch::Tensor& x) {
    torch::NoGradGuard no_grad;
    return -torch::log_softmax(dse.logits(x, t), 1).select(1, 1).to(torch::kFloat64);
  };
  const double h = 1e-2;
  const auto fd = (energy(y + h * v) - energy(y - h * v)) / (2 * h);
  const auto dot = (grad * v).sum({1, 2, 3}).to(torch::kFloat64);
  const double err = test::rel_error(dot, fd);
  RecordProperty("fd_rel_error", std::to_string(err));
  EXPECT_LT(err, 1e-2) << "autograd " << dot << " vs central differences " << fd;
}

nlohmann::json demo_profile(double lc, int64_t lc_class = 1) {
  nlohmann::json j = read_json_file(kDemo / "profile.json");
  j["args"]["lc"] = lc;
  j["args"]["lc_class"] = lc_class;
  return j;
}

TEST(ClassifierGuidance, OffByDefaultAndTheSameRunAsAProfileWithoutIt) {
  const nlohmann::json plain = read_json_file(kDemo / "profile.json");
  const Profile a = parse_profile(plain, kDemo, "demo");
  const Profile b = parse_profile(demo_profile(0.0), kDemo, "demo");
  EXPECT_EQ(a.args.lc, 0.0);
  EXPECT_EQ(a.canonical, b.canonical) << "lc = 0 must not change a run's id";
  EXPECT_FALSE(to_json(a)["args"].contains("lc"));
  const Profile c = parse_profile(demo_profile(4), kDemo, "demo");
  EXPECT_EQ(c.canonical["args"]["lc"], 4.0);
  EXPECT_EQ(c.canonical["args"]["lc_class"], 1);
  EXPECT_EQ(to_json(c)["args"]["lc_class"], 1);
  EXPECT_TRUE(needs_dse(Method::Egsde, c.args));
  EXPECT_FALSE(needs_dse(Method::Sdedit, c.args));
}

TEST(ClassifierGuidance, BadSettingsAreOneClearError) {
  auto message = [](const nlohmann::json& j) {
    try {
      MethodSampler(parse_profile(j, kDemo, "demo"), MethodSamplerOptions{});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  nlohmann::json no_class = read_json_file(kDemo / "profile.json");
  no_class["args"]["lc"] = 2.0;
  EXPECT_NE(message(no_class).find("lc_class (the target domain's class index"), std::string::npos) << message(no_class);
  EXPECT_NE(message(demo_profile(-1)).find("lc = -1"), std::string::npos) << message(demo_profile(-1));
  EXPECT_NE(message(demo_profile(2, 2)).find("lc_class 2 is not a class of the DSE's head (num_class 2"), std::string::npos)
      << message(demo_profile(2, 2));
  nlohmann::json no_dse = demo_profile(2);
  no_dse["args"]["ls"] = 0.0;
  no_dse["config"].erase("dse");
  EXPECT_NE(message(no_dse).find("section 'dse' is required when lc is not 0"), std::string::npos) << message(no_dse);
}

// Mean log p(sneaker | y, t = 0) by the DSE's head over the translations of 8 test sandals.
struct Guided {
  torch::Tensor y;
  double log_p_sneaker = 0;
};

Guided translate_sandals(const nlohmann::json& j) {
  const Profile profile = parse_profile(j, kDemo, "demo");
  MethodSamplerOptions so;
  so.respace = 16;  // 8 reverse steps from t = 500, as the demo
  const MethodSampler sampler(profile, so);
  const FashionMnistSplit test = read_fashion_mnist("test");
  const auto idx = torch::nonzero(test.labels == fashion_mnist_class("sandal")).flatten().slice(0, 0, 8);
  std::vector<torch::Tensor> xs;
  std::vector<std::string> names;
  for (int64_t i = 0; i < idx.size(0); ++i) {
    xs.push_back(fashion_mnist_rgb32(test.images[idx[i].item<int64_t>()]).permute({2, 0, 1}).to(torch::kFloat32) / 127.5 - 1);
    names.push_back(std::to_string(i) + ".png");
  }
  PerSampleNoise noise = PerSampleNoise::for_images(1234, 0, names);
  Guided out;
  out.y = sampler.sample(torch::stack(xs), noise, {}).at(0);
  const Network dse = load_network(NetworkKind::AdmDse, profile.config, "demo", kDemo / "weights/dse_sandal_sneaker.pt");
  torch::NoGradGuard no_grad;
  out.log_p_sneaker = torch::log_softmax(dse.logits(out.y, torch::zeros({out.y.size(0)})), 1).select(1, 1).mean().item<double>();
  return out;
}

TEST(ClassifierGuidance, ZeroIsEgsdeAndGuidanceRaisesTheTargetClassProbability) {
  const Guided egsde = translate_sandals(read_json_file(kDemo / "profile.json"));
  const Guided zero = translate_sandals(demo_profile(0.0));
  EXPECT_TRUE(torch::equal(zero.y, egsde.y)) << "lc = 0 must be EGSDE exactly";
  const Guided guided = translate_sandals(demo_profile(8.0));
  RecordProperty("log_p_sneaker_egsde", std::to_string(egsde.log_p_sneaker));
  RecordProperty("log_p_sneaker_lc8", std::to_string(guided.log_p_sneaker));
  EXPECT_FALSE(torch::equal(guided.y, egsde.y));
  EXPECT_GT(guided.log_p_sneaker, egsde.log_p_sneaker);
}

}  // namespace
