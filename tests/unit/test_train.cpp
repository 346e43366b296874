// The training pieces (issue 7): q_sample and the EMA against hand calculation, the loop's
// resume (an interrupted run continues bit-identically), its refusal to mix settings, and that
// the classifier objective learns a trivially separable problem.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>

#include "core/error.h"
#include "diffusion/schedule.h"
#include "train/noising.h"
#include "models/fmnist_classifier.h"
#include "train/ema.h"
#include "train/objectives.h"
#include "train/train_data.h"
#include "train/train_loop.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

// Two classes: dark images (label 0) and bright ones (label 1), plus noise.
train::LabeledImages toy_data() {
  torch::manual_seed(11);
  train::LabeledImages d;
  d.labels = torch::arange(64, torch::kInt64).remainder(2);
  d.images = (0.25 + 0.5 * d.labels.to(torch::kFloat32)).view({-1, 1, 1, 1}) + 0.1 * torch::randn({64, 3, 32, 32});
  d.images = d.images.clamp(0, 1);
  return d;
}

FmnistClassifierConfig tiny() {
  FmnistClassifierConfig c;
  c.width = 4;
  c.feature_dim = 8;
  c.num_class = 2;
  return c;
}

train::LossFn classifier_step(FmnistClassifier& net, const train::LabeledImages& d, int64_t batch) {
  return [&net, &d, batch](torch::Generator& gen, nlohmann::json& log) {
    const auto idx = train::sample_indices(d.images.size(0), batch, gen);
    double acc = 0;
    auto loss = train::classifier_loss(*net, d.images.index_select(0, idx), d.labels.index_select(0, idx), &acc);
    log["acc"] = acc;
    return loss;
  };
}

train::TrainResult train_tiny(const train::TrainConfig& c, const fs::path& state, const train::LabeledImages& d) {
  torch::manual_seed(c.seed);
  FmnistClassifier net(tiny());
  return train::train(*net, classifier_step(net, d, c.batch_size), c, state, "test");
}

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("egsde_test_train_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

TEST(Train, QSampleIsTheClosedForm) {
  // ᾱ_t by hand from the linear β schedule (1e-4 … 0.02 over 1000 steps), in double
  const train::NoisingCoefficients c = train::noising_coefficients(ScheduleConfig{});
  ASSERT_EQ(c.num_timesteps(), 1000);
  const auto x0 = torch::full({2, 3, 2, 2}, 2.0);
  const auto noise = torch::ones({2, 3, 2, 2});
  const auto t = torch::tensor({0, 999}, torch::kInt64);
  const auto xt = train::q_sample(c, x0, t, noise);
  for (int i = 0; i < 2; ++i) {
    double ab = 1;
    for (int64_t k = 0; k <= t[i].item<int64_t>(); ++k) ab *= 1 - (1e-4 + (0.02 - 1e-4) * k / 999.0);
    EXPECT_NEAR(xt[i][0][0][0].item<double>(), 2 * std::sqrt(ab) + std::sqrt(1 - ab), 1e-6);
  }
}

TEST(Train, EmaFollowsUpdateEmaWithWarmup) {
  torch::nn::Linear lin(1, 1);
  torch::NoGradGuard no_grad;
  lin->weight.fill_(0);
  lin->bias.fill_(0);
  train::Ema ema(*lin, 0.9);
  lin->weight.fill_(1);
  ema.update(*lin, 0);  // rate min(0.9, 1/10) = 0.1: 0.1·0 + 0.9·1
  EXPECT_NEAR(ema.state_dict(*lin).at("weight").item<double>(), 0.9, 1e-7);
  lin->weight.fill_(0);
  ema.update(*lin, 100);  // rate min(0.9, 101/110) = 0.9: 0.9·0.9 + 0.1·0
  EXPECT_NEAR(ema.state_dict(*lin).at("weight").item<double>(), 0.81, 1e-7);
  EXPECT_EQ(lin->weight.item<double>(), 0.0);  // the module keeps its own weights
}

TEST(Train, ClassifierLearnsASeparableProblem) {
  const auto d = toy_data();
  train::TrainConfig c;
  c.iterations = 60;
  c.batch_size = 16;
  c.lr = 3e-3;
  c.quiet = true;
  const auto r = train_tiny(c, {}, d);
  EXPECT_LT(r.final_loss, 0.4);  // ln 2 ≈ 0.69 at chance
  EXPECT_GT(r.final_log.value("acc", 0.0), 0.8);
}

TEST(Train, ResumeContinuesBitIdentically) {
  const auto d = toy_data();
  const fs::path dir = temp_dir("resume");
  train::TrainConfig c;
  c.iterations = 6;
  c.batch_size = 8;
  c.lr = 1e-3;
  c.ema_rate = 0.9;
  c.save_every = 2;
  c.quiet = true;
  const auto straight = train_tiny(c, {}, d);

  train::TrainConfig first = c;
  first.iterations = 3;  // stops after step 3, as an interrupted run would
  train_tiny(first, dir / "w.state", d);
  ASSERT_TRUE(fs::exists(dir / "w.state"));
  const auto resumed = train_tiny(c, dir / "w.state", d);  // a fresh process: new module, same state
  EXPECT_EQ(resumed.resumed_at, 3);
  ASSERT_EQ(straight.weights.size(), resumed.weights.size());
  for (const auto& [k, v] : straight.weights) EXPECT_TRUE(torch::equal(v, resumed.weights.at(k))) << k;

  train::TrainConfig other = c;
  other.lr = 2e-3;
  try {
    train_tiny(other, dir / "w.state", d);
    ADD_FAILURE() << "a state made with other settings must not be resumed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("other settings"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(Train, FolderBatchFlipsOnlyWhenAsked) {
  // Distinct, left-right asymmetric images: each row of a batch is its image (flip off) or its
  // image or the mirror of it (flip on, p = 0.5: at this seed some of each).
  LabeledFolders data;
  data.images = torch::randint(0, 256, {8, 3, 4, 4}, torch::TensorOptions().dtype(torch::kUInt8));
  data.labels = torch::arange(8, torch::kInt64);
  const auto as_model = [](const torch::Tensor& u8) { return u8.to(torch::kFloat32).div(255) * 2 - 1.0; };
  for (const bool flip : {false, true}) {
    torch::Generator gen = at::detail::createCPUGenerator(5);
    const auto b = train::draw_folder_batch(data, 8, gen, flip);
    int64_t flipped = 0;
    for (int64_t i = 0; i < 8; ++i) {
      const auto img = as_model(data.images[b.labels[i].item<int64_t>()]);
      if (torch::equal(b.x0[i], img)) continue;
      ASSERT_TRUE(flip) << "row " << i << " is not its image with flip off";
      ASSERT_TRUE(torch::equal(b.x0[i], img.flip({2}))) << "row " << i << " is neither its image nor its mirror";
      ++flipped;
    }
    if (flip) {
      EXPECT_GT(flipped, 0);
      EXPECT_LT(flipped, 8);
    }
  }
}
