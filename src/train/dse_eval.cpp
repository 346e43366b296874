#include "train/dse_eval.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/error.h"
#include "train/train_data.h"

namespace egsde::train {
namespace {

// splitmix64's finaliser: nearby inputs give unrelated seeds.
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

nlohmann::json bucket_json(const DseBucketAccuracy& b, const std::vector<std::string>& classes) {
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < b.n_per_class.size(); ++c) {
    const double n = static_cast<double>(b.n_per_class[c]);
    per[c < classes.size() ? classes[c] : std::to_string(c)] =
        b.n_per_class[c] == 0 ? 0.0 : static_cast<double>(b.correct_per_class[c]) / n;
  }
  return {{"t_min", b.t_min}, {"t_max", b.t_max}, {"n", b.n}, {"correct", b.correct}, {"accuracy", b.accuracy()},
          {"accuracy_per_class", per}};
}

void add(DseBucketAccuracy& to, const DseBucketAccuracy& from) {
  to.n += from.n;
  to.correct += from.correct;
  for (size_t c = 0; c < from.n_per_class.size(); ++c) {
    to.n_per_class[c] += from.n_per_class[c];
    to.correct_per_class[c] += from.correct_per_class[c];
  }
}

}  // namespace

nlohmann::json DseAccuracy::to_json(const std::vector<std::string>& classes) const {
  nlohmann::json b = nlohmann::json::array();
  for (const auto& x : buckets) b.push_back(bucket_json(x, classes));
  return {{"buckets", b}, {"overall", bucket_json(overall, classes)}};
}

uint64_t eval_draw_seed(uint64_t seed, int64_t bucket, int64_t index) {
  return mix(mix(seed) ^ mix((static_cast<uint64_t>(bucket) << 32) ^ static_cast<uint64_t>(index)));
}

void check_eval_settings(int64_t buckets, int64_t batch_size, int64_t num_timesteps) {
  if (buckets < 1 || buckets > num_timesteps)
    throw Error("--buckets must be in 1.." + std::to_string(num_timesteps) + " (the diffusion's timesteps)");
  if (batch_size < 1) throw Error("--batch-size must be positive");
}

DseAccuracy dse_accuracy_by_timestep(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& logits,
                                     const LabeledFolders& data, const NoisingCoefficients& noising, int64_t buckets,
                                     int64_t batch_size, uint64_t seed, const torch::Device& device) {
  const int64_t T = noising.num_timesteps(), n = data.images.size(0);
  check_eval_settings(buckets, batch_size, T);
  const int64_t classes = data.counts.size();
  const auto fresh = [&](int64_t lo, int64_t hi) {
    DseBucketAccuracy b;
    b.t_min = lo;
    b.t_max = hi;
    b.n_per_class.assign(classes, 0);
    b.correct_per_class.assign(classes, 0);
    return b;
  };
  torch::NoGradGuard no_grad;
  DseAccuracy out;
  out.overall = fresh(0, T - 1);
  const auto labels = data.labels.accessor<int64_t, 1>();
  for (int64_t b = 0; b < buckets; ++b) {
    const int64_t lo = b * T / buckets, hi = (b + 1) * T / buckets;  // t in [lo, hi)
    DseBucketAccuracy acc = fresh(lo, hi - 1);
    for (int64_t i = 0; i < n; i += batch_size) {
      const int64_t j = std::min(i + batch_size, n);
      std::vector<torch::Tensor> ts, noises;
      for (int64_t k = i; k < j; ++k) {
        torch::Generator gen = at::detail::createCPUGenerator(eval_draw_seed(seed, b, k));
        ts.push_back(torch::randint(lo, hi, {1}, gen, torch::kInt64));
        noises.push_back(torch::randn({1, data.images.size(1), data.images.size(2), data.images.size(3)}, gen));
      }
      const auto x0 = to_model_range(data.images.slice(0, i, j)).to(device);  // ToTensor, ×2 − 1 (no flip)
      const auto t = torch::cat(ts).to(device);
      const auto pred = logits(q_sample(noising, x0, t, torch::cat(noises).to(device)), t).argmax(1).to(torch::kCPU);
      const auto p = pred.accessor<int64_t, 1>();
      for (int64_t k = i; k < j; ++k) {
        const bool right = p[k - i] == labels[k];
        ++acc.n;
        ++acc.n_per_class[labels[k]];
        acc.correct += right;
        acc.correct_per_class[labels[k]] += right;
      }
    }
    add(out.overall, acc);
    out.buckets.push_back(std::move(acc));
  }
  return out;
}

}  // namespace egsde::train
