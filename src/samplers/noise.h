// Where the sampler's Gaussian noise comes from (e per repeat, z per step). Two protocols:
//  - official:   one CPU generator seeded once; each draw is randn shaped like the whole batch,
//                in the official order (per batch e, then one z per step) — on CPU, results
//                equal runners/egsde.py after torch.manual_seed(seed).
//  - per-sample: each image owns a CPU generator seeded from (seed, repeat, file name) and
//                draws its own slice; results do not depend on batch size, order, devices or
//                resume.
// Noise is always drawn on the CPU and then moved to the sample's device, so a protocol gives
// the same noise on every device.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace egsde {

// Where a run's noise comes from: the official runner's one generator over the whole folder, or
// one generator per image (seeded from the seed, the repeat and the file name).
enum class RngProtocol { Official, PerSample };
RngProtocol parse_rng_protocol(const std::string& s);  // "official" | "per-sample"
std::string to_string(RngProtocol p);

class NoiseSource {
 public:
  virtual ~NoiseSource() = default;
  // Standard normal noise shaped like `like` (batch first), on like's device and dtype.
  virtual torch::Tensor randn_like(const torch::Tensor& like) = 0;
};

// A random initialisation the official runner performs on the global generator after
// torch.manual_seed and before the first e: building the networks draws their default
// initialisation even though the checkpoint then overwrites it.
struct InitDraw {
  enum class Kind { Uniform, Normal };
  Kind kind;
  int64_t numel;
};

// The draws PyTorch's default initialisation makes while constructing a network whose
// parameters are `params` (name, shape) in construction order (= the official state-dict order):
// conv/linear weight then bias → uniform_; 1-D weights (GroupNorm) and other 1-D parameters
// (zero-initialised) → none; nn.Embedding (`label_emb.weight`) and AttentionPool2d's
// `positional_embedding` (th.randn) → normal.
std::vector<InitDraw> default_init_draws(const std::vector<std::pair<std::string, std::vector<int64_t>>>& params);

class OfficialNoise : public NoiseSource {
 public:
  // The generator state right after torch.manual_seed(seed).
  explicit OfficialNoise(uint64_t seed);
  // The state the official runner (runners/egsde.py) draws its first e from: torch.manual_seed(
  // seed), then the networks' initialisation (`init`, score model first, then the DSE), then the
  // DataLoader's base seed (one int64 random_() when iteration starts).
  static OfficialNoise for_runner(uint64_t seed, const std::vector<InitDraw>& init = {});
  // Consumes the generator exactly as these initialisations do.
  void replay(const std::vector<InitDraw>& draws);
  // torch.utils.data.DataLoader's base seed draw.
  void skip_dataloader_seed();
  torch::Tensor randn_like(const torch::Tensor& like) override;
  // The CPU generator state (torch.get_rng_state() format).
  torch::Tensor state() const;

 private:
  at::Generator gen_;
};

class PerSampleNoise : public NoiseSource {
 public:
  // One generator per image of the batch, in batch order.
  explicit PerSampleNoise(std::vector<at::Generator> generators);
  // Generators for images `names` (source file names) of experiment repeat `repeat`.
  static PerSampleNoise for_images(uint64_t seed, int64_t repeat, const std::vector<std::string>& names);
  torch::Tensor randn_like(const torch::Tensor& like) override;

 private:
  std::vector<at::Generator> gens_;
};

// The per-image seed: FNV-1a 64 over "seed/repeat/name", folded to the 32 bits the CPU
// generator (mt19937) uses. Stable across platforms and runs.
uint64_t per_sample_seed(uint64_t seed, int64_t repeat, const std::string& name);

}  // namespace egsde
