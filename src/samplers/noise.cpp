#include "samplers/noise.h"

#include <ATen/CPUGeneratorImpl.h>

#include <map>

#include "core/digest.h"
#include "core/error.h"
#include "core/suggest.h"

namespace egsde {

namespace {
const std::vector<std::pair<std::string, RngProtocol>> kRngProtocols = {{"official", RngProtocol::Official},
                                                                        {"per-sample", RngProtocol::PerSample}};
}  // namespace

RngProtocol parse_rng_protocol(const std::string& s) { return parse_named(s, kRngProtocols, "rng"); }
std::string to_string(RngProtocol p) { return name_of(p, kRngProtocols); }
namespace {

at::Generator cpu_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor draw(const at::Generator& gen, at::IntArrayRef shape) {
  return at::randn(shape, gen, torch::TensorOptions().dtype(torch::kFloat32));
}

// CPU-drawn noise onto like's device. To CUDA through pinned memory (LibTorch's caching host
// allocator keeps the block until the copy has run), so the copy does not wait for the kernels
// already queued: a pageable copy would synchronise the stream at every step.
torch::Tensor to_like(const torch::Tensor& cpu, const torch::Tensor& like) {
  if (like.is_cuda()) return cpu.pin_memory().to(like.device(), like.scalar_type(), /*non_blocking=*/true);
  return cpu.to(like.device(), like.scalar_type());
}

}  // namespace

OfficialNoise::OfficialNoise(uint64_t seed) : gen_(cpu_generator(seed)) {}

OfficialNoise OfficialNoise::for_runner(uint64_t seed, const std::vector<InitDraw>& init) {
  OfficialNoise noise(seed);
  noise.replay(init);
  noise.skip_dataloader_seed();
  return noise;
}

void OfficialNoise::replay(const std::vector<InitDraw>& draws) {
  for (const auto& d : draws) {
    auto t = torch::empty({d.numel}, torch::kFloat32);
    if (d.kind == InitDraw::Kind::Uniform) t.uniform_(0, 1, gen_);
    else t.normal_(0, 1, gen_);
  }
}

void OfficialNoise::skip_dataloader_seed() { torch::empty({}, torch::kInt64).random_(gen_); }

torch::Tensor OfficialNoise::state() const { return gen_.get_state(); }

std::vector<InitDraw> default_init_draws(
    const std::vector<std::pair<std::string, std::vector<int64_t>>>& params) {
  auto ends_with = [](const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::map<std::string, size_t> weight_dims;  // module prefix → dims of its weight
  for (const auto& [name, shape] : params)
    if (ends_with(name, ".weight")) weight_dims[name.substr(0, name.size() - 7)] = shape.size();
  std::vector<InitDraw> draws;
  for (const auto& [name, shape] : params) {
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    const bool embedding = name == "label_emb.weight" || ends_with(name, ".label_emb.weight");
    if (embedding || ends_with(name, "positional_embedding")) {
      draws.push_back({InitDraw::Kind::Normal, numel});
    } else if (ends_with(name, ".weight") && shape.size() >= 2) {
      draws.push_back({InitDraw::Kind::Uniform, numel});
    } else if (ends_with(name, ".bias")) {
      auto it = weight_dims.find(name.substr(0, name.size() - 5));
      if (it != weight_dims.end() && it->second >= 2) draws.push_back({InitDraw::Kind::Uniform, numel});
    }
  }
  return draws;
}

torch::Tensor OfficialNoise::randn_like(const torch::Tensor& like) {
  return to_like(draw(gen_, like.sizes()), like);
}

PerSampleNoise::PerSampleNoise(std::vector<at::Generator> generators) : gens_(std::move(generators)) {}

PerSampleNoise PerSampleNoise::for_images(uint64_t seed, int64_t repeat,
                                          const std::vector<std::string>& names) {
  std::vector<at::Generator> gens;
  gens.reserve(names.size());
  for (const auto& n : names) gens.push_back(cpu_generator(per_sample_seed(seed, repeat, n)));
  return PerSampleNoise(std::move(gens));
}

torch::Tensor PerSampleNoise::randn_like(const torch::Tensor& like) {
  if (like.dim() < 1 || like.size(0) != static_cast<int64_t>(gens_.size()))
    throw Error("per-sample noise has " + std::to_string(gens_.size()) +
                " generators for a batch of shape " + c10::str(like.sizes()));
  std::vector<torch::Tensor> parts;
  parts.reserve(gens_.size());
  for (auto& g : gens_) parts.push_back(draw(g, like.sizes().slice(1)));
  return to_like(torch::stack(parts), like);
}

uint64_t per_sample_seed(uint64_t seed, int64_t repeat, const std::string& name) {
  const std::string key = std::to_string(seed) + "/" + std::to_string(repeat) + "/" + name;
  const uint64_t h = fnv1a64(key, kEgsdeDigestBasis);
  return (h ^ (h >> 32)) & 0xffffffffull;
}

}  // namespace egsde
