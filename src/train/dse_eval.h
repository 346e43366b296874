// The held-out check of a trained DSE that the official training does not have (it logs the
// training batches' loss and accuracy only): the accuracy of the train-phase head on labeled
// folders, per timestep bucket. The images go through the official test transform (Resize,
// ToTensor, ×2−1: no flip); in bucket b of B, each image is noised once, x_t = q_sample(x_0, t,
// noise) with t uniform in [b·T/B, (b+1)·T/B) and Gaussian noise, both drawn from a CPU
// generator of its own seeded from (seed, b, image index), so the result does not depend on the
// batch size or the device beyond the arithmetic's rounding.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "datasets/labeled_folders.h"
#include "train/dse_step.h"

namespace egsde::train {

struct DseBucketAccuracy {
  int64_t t_min = 0, t_max = 0;          // the bucket's timesteps, inclusive
  int64_t n = 0, correct = 0;
  std::vector<int64_t> n_per_class, correct_per_class;
  double accuracy() const { return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n); }
};

struct DseAccuracy {
  std::vector<DseBucketAccuracy> buckets;
  DseBucketAccuracy overall;  // every bucket together: t_min 0, t_max T − 1
  nlohmann::json to_json(const std::vector<std::string>& classes) const;
};

// The seed of the generator that draws t and the noise of image `index` in bucket `bucket`.
uint64_t eval_draw_seed(uint64_t seed, int64_t bucket, int64_t index);

// Throws egsde::Error unless 1 <= buckets <= num_timesteps and batch_size >= 1 (the first check of
// dse_accuracy_by_timestep, for a command to make before it reports anything).
void check_eval_settings(int64_t buckets, int64_t batch_size, int64_t num_timesteps);

// `logits`: the DSE's train-phase head (Network::logits) on `device`; `buckets` in 1..T;
// `batch_size` images per forward; the head must have a class per folder (the caller checks
// num_class). Throws egsde::Error for a bucket count or batch size out of range.
DseAccuracy dse_accuracy_by_timestep(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& logits,
                                     const LabeledFolders& data, const NoisingCoefficients& noising, int64_t buckets,
                                     int64_t batch_size, uint64_t seed, const torch::Device& device);

}  // namespace egsde::train
