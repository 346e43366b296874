// train/dse_eval.h against hand calculation: with a head that always answers class 1, the
// accuracy of each bucket is the share of class-1 images (here 3 of 5) and per class 0 and 1;
// every drawn t lies in its bucket's range, the ranges tile 0..T-1, and the draws do not
// depend on the batch size.
#include <gtest/gtest.h>

#include "core/error.h"
#include "diffusion/schedule.h"
#include "train/dse_eval.h"

using namespace egsde;

namespace {

LabeledFolders five_images() {
  LabeledFolders d;
  d.images = torch::full({5, 3, 4, 4}, 128, torch::kUInt8);
  d.labels = torch::tensor({0, 0, 1, 1, 1}, torch::kInt64);
  d.counts = {2, 3};
  return d;
}

train::NoisingCoefficients linear_1000() {
  return train::noising_coefficients(ScheduleConfig{});  // linear 1e-4..0.02, 1000 steps
}

}  // namespace

TEST(DseEval, AccuracyPerBucketOfAConstantHead) {
  std::vector<int64_t> seen;
  torch::Tensor last_x;
  const auto always_one = [&](const torch::Tensor& x, const torch::Tensor& t) {
    for (int64_t i = 0; i < t.size(0); ++i) seen.push_back(t[i].item<int64_t>());
    last_x = x;
    return torch::tensor({0.0f, 1.0f}).repeat({x.size(0), 1});
  };
  const auto r = train::dse_accuracy_by_timestep(always_one, five_images(), linear_1000(), 3, 2, 7, torch::kCPU);
  ASSERT_EQ(r.buckets.size(), 3u);
  const int64_t lo[] = {0, 333, 666}, hi[] = {332, 665, 999};  // b·1000/3 (integer division)
  for (int b = 0; b < 3; ++b) {
    EXPECT_EQ(r.buckets[b].t_min, lo[b]);
    EXPECT_EQ(r.buckets[b].t_max, hi[b]);
    EXPECT_EQ(r.buckets[b].n, 5);
    EXPECT_EQ(r.buckets[b].correct, 3);
    EXPECT_DOUBLE_EQ(r.buckets[b].accuracy(), 0.6);
    EXPECT_EQ(r.buckets[b].correct_per_class, (std::vector<int64_t>{0, 3}));
    for (int i = 0; i < 5; ++i) {
      EXPECT_GE(seen[b * 5 + i], lo[b]);
      EXPECT_LE(seen[b * 5 + i], hi[b]);
    }
  }
  EXPECT_EQ(r.overall.n, 15);
  EXPECT_EQ(r.overall.correct, 9);
  EXPECT_EQ(r.overall.t_max, 999);
  const auto j = r.to_json({"cat", "dog"});
  EXPECT_DOUBLE_EQ(j["overall"]["accuracy_per_class"]["dog"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["overall"]["accuracy_per_class"]["cat"].get<double>(), 0.0);

  // The same t (and noise) per image with another batch size.
  const auto first = seen;
  const auto x_batch2 = last_x;
  seen.clear();
  train::dse_accuracy_by_timestep(always_one, five_images(), linear_1000(), 3, 5, 7, torch::kCPU);
  EXPECT_EQ(seen, first);
  EXPECT_TRUE(torch::equal(last_x.slice(0, 4, 5), x_batch2));  // the last image, alone in its batch of 2
}

TEST(DseEval, RejectsBucketsOutOfRange) {
  const auto head = [](const torch::Tensor& x, const torch::Tensor&) { return torch::zeros({x.size(0), 2}); };
  EXPECT_THROW(train::dse_accuracy_by_timestep(head, five_images(), linear_1000(), 0, 2, 0, torch::kCPU), Error);
  EXPECT_THROW(train::dse_accuracy_by_timestep(head, five_images(), linear_1000(), 1001, 2, 0, torch::kCPU), Error);
}
