#include "models/ddpm_unet.h"

#include <algorithm>
#include <cmath>

#include "core/device_constant.h"
#include "core/error.h"

namespace egsde {

namespace ddpm {

namespace F = torch::nn::functional;

namespace {

// ddpm.py nonlinearity: swish written as x * sigmoid(x) (not silu, to round the same way).
torch::Tensor nonlinearity(const torch::Tensor& x) { return x * torch::sigmoid(x); }

// ddpm.py Normalize: GroupNorm(32 groups, eps 1e-6, affine).
torch::nn::GroupNorm normalize(int64_t channels) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(32, channels).eps(1e-6).affine(true));
}

Conv conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return Conv(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding));
}

}  // namespace

torch::Tensor get_timestep_embedding(const torch::Tensor& timesteps, int64_t dim) {
  TORCH_CHECK(timesteps.dim() == 1, "timesteps must be 1-D");
  const int64_t half_dim = dim / 2;
  const double step = std::log(10000.0) / static_cast<double>(half_dim - 1);
  const auto freqs = device_constant("ddpm_freqs/" + std::to_string(half_dim), timesteps.device(),
                                     [&] { return torch::exp(torch::arange(half_dim, torch::kFloat32) * -step); });
  const auto args = timesteps.to(torch::kFloat32).unsqueeze(1) * freqs.unsqueeze(0);
  auto emb = torch::cat({torch::sin(args), torch::cos(args)}, 1);
  if (dim % 2 == 1) emb = F::pad(emb, F::PadFuncOptions({0, 1, 0, 0}));
  return emb;
}

ResnetBlockImpl::ResnetBlockImpl(int64_t in_channels, int64_t out_channels,
                                 int64_t temb_channels, double dropout) {
  norm1_ = register_module("norm1", normalize(in_channels));
  conv1_ = register_module("conv1", conv(in_channels, out_channels, 3, 1, 1));
  temb_proj_ = register_module("temb_proj", torch::nn::Linear(temb_channels, out_channels));
  norm2_ = register_module("norm2", normalize(out_channels));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  conv2_ = register_module("conv2", conv(out_channels, out_channels, 3, 1, 1));
  if (in_channels != out_channels) {
    nin_shortcut_ = register_module("nin_shortcut", conv(in_channels, out_channels, 1, 1, 0));
  }
}

torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
  auto h = conv1_(nonlinearity(norm1_(x)));
  h = h + temb_proj_(nonlinearity(temb)).unsqueeze(-1).unsqueeze(-1);
  h = conv2_(dropout_(nonlinearity(norm2_(h))));
  return (nin_shortcut_ ? nin_shortcut_(x) : x) + h;
}

AttnBlockImpl::AttnBlockImpl(int64_t channels) {
  norm_ = register_module("norm", normalize(channels));
  q_ = register_module("q", conv(channels, channels, 1, 1, 0));
  k_ = register_module("k", conv(channels, channels, 1, 1, 0));
  v_ = register_module("v", conv(channels, channels, 1, 1, 0));
  proj_out_ = register_module("proj_out", conv(channels, channels, 1, 1, 0));
}

torch::Tensor AttnBlockImpl::forward(const torch::Tensor& x) {
  const auto h_ = norm_(x);
  const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const auto q = q_(h_).reshape({b, c, h * w}).permute({0, 2, 1});  // b, hw, c
  const auto k = k_(h_).reshape({b, c, h * w});                      // b, c, hw
  auto w_ = torch::bmm(q, k) * std::pow(static_cast<double>(c), -0.5);
  w_ = torch::softmax(w_, 2);
  const auto v = v_(h_).reshape({b, c, h * w});
  const auto out = torch::bmm(v, w_.permute({0, 2, 1})).reshape({b, c, h, w});
  return x + proj_out_(out);
}

UpsampleImpl::UpsampleImpl(int64_t channels, bool with_conv) {
  if (with_conv) conv_ = register_module("conv", conv(channels, channels, 3, 1, 1));
}

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x) {
  auto y = F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{2.0, 2.0})
                                 .mode(torch::kNearest));
  return conv_ ? conv_(y) : y;
}

DownsampleImpl::DownsampleImpl(int64_t channels, bool with_conv) {
  if (with_conv) conv_ = register_module("conv", conv(channels, channels, 3, 2, 0));
}

torch::Tensor DownsampleImpl::forward(const torch::Tensor& x) {
  if (conv_) return conv_(F::pad(x, F::PadFuncOptions({0, 1, 0, 1})));
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(2));
}

LevelImpl::LevelImpl() {
  block = register_module("block", torch::nn::ModuleList());
  attn = register_module("attn", torch::nn::ModuleList());
}

}  // namespace ddpm

namespace {

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

void check_config(const DdpmConfig& c) {
  if (c.ch_mult.empty()) throw Error("DDPM model config: ch_mult must not be empty");
  if (c.ch <= 0 || c.ch % 32 != 0) {
    throw Error("DDPM model config: ch must be a positive multiple of 32 (GroupNorm with 32 "
                "groups), got " + std::to_string(c.ch));
  }
  for (const auto m : c.ch_mult) {
    if (m <= 0) throw Error("DDPM model config: ch_mult entries must be positive");
  }
  if (c.num_res_blocks < 1) throw Error("DDPM model config: num_res_blocks must be >= 1");
  const int64_t factor = int64_t{1} << (c.ch_mult.size() - 1);
  if (c.image_size <= 0 || c.image_size % factor != 0) {
    throw Error("DDPM config: data.image_size " + std::to_string(c.image_size) +
                " must be divisible by 2^(len(ch_mult)-1) = " + std::to_string(factor));
  }
  if (c.type == "bayesian" && c.num_diffusion_timesteps <= 0) {
    throw Error("DDPM config: diffusion.num_diffusion_timesteps must be positive");
  }
}

}  // namespace

// ddpm.py Model.__init__: same construction order and resolution bookkeeping.
DdpmUNetImpl::DdpmUNetImpl(const DdpmConfig& config) : config_(config) {
  check_config(config_);
  const int64_t ch = config_.ch, temb_ch = ch * 4;
  const auto& mult = config_.ch_mult;
  const int64_t levels = static_cast<int64_t>(mult.size());
  const auto& attn_res = config_.attn_resolutions;

  if (config_.type == "bayesian") {
    logvar_ = register_parameter("logvar", torch::zeros({config_.num_diffusion_timesteps}));
  }

  auto temb = register_module("temb", std::make_shared<torch::nn::Module>());
  temb_dense_ = temb->register_module(
      "dense", torch::nn::ModuleList(torch::nn::Linear(ch, temb_ch),
                                     torch::nn::Linear(temb_ch, temb_ch)));

  conv_in_ = register_module("conv_in", ddpm::conv(config_.in_channels, ch, 3, 1, 1));

  // in_ch_mult = (1,) + ch_mult
  auto in_mult = [&](int64_t level) { return level == 0 ? int64_t{1} : mult[level - 1]; };
  int64_t curr_res = config_.image_size;
  int64_t block_in = 0;
  down_ = register_module("down", torch::nn::ModuleList());
  for (int64_t i = 0; i < levels; ++i) {
    ddpm::Level level;
    block_in = ch * in_mult(i);
    const int64_t block_out = ch * mult[i];
    for (int64_t b = 0; b < config_.num_res_blocks; ++b) {
      level->block->push_back(ddpm::ResnetBlock(block_in, block_out, temb_ch, config_.dropout));
      block_in = block_out;
      if (contains(attn_res, curr_res)) level->attn->push_back(ddpm::AttnBlock(block_in));
    }
    if (i != levels - 1) {
      level->downsample = level->register_module(
          "downsample", ddpm::Downsample(block_in, config_.resamp_with_conv));
      curr_res /= 2;
    }
    down_->push_back(level);
  }

  auto mid = register_module("mid", std::make_shared<torch::nn::Module>());
  mid_block_1_ = mid->register_module(
      "block_1", ddpm::ResnetBlock(block_in, block_in, temb_ch, config_.dropout));
  mid_attn_1_ = mid->register_module("attn_1", ddpm::AttnBlock(block_in));
  mid_block_2_ = mid->register_module(
      "block_2", ddpm::ResnetBlock(block_in, block_in, temb_ch, config_.dropout));

  // Built from the deepest level up, then stored by level index (the official code
  // prepends each level: `self.up.insert(0, up)`).
  std::vector<ddpm::Level> up_levels(levels, ddpm::Level(nullptr));
  for (int64_t i = levels - 1; i >= 0; --i) {
    ddpm::Level level;
    const int64_t block_out = ch * mult[i];
    int64_t skip_in = ch * mult[i];
    for (int64_t b = 0; b < config_.num_res_blocks + 1; ++b) {
      if (b == config_.num_res_blocks) skip_in = ch * in_mult(i);
      level->block->push_back(
          ddpm::ResnetBlock(block_in + skip_in, block_out, temb_ch, config_.dropout));
      block_in = block_out;
      if (contains(attn_res, curr_res)) level->attn->push_back(ddpm::AttnBlock(block_in));
    }
    if (i != 0) {
      level->upsample = level->register_module(
          "upsample", ddpm::Upsample(block_in, config_.resamp_with_conv));
      curr_res *= 2;
    }
    up_levels[i] = level;
  }
  up_ = register_module("up", torch::nn::ModuleList());
  for (const auto& level : up_levels) up_->push_back(level);

  norm_out_ = register_module("norm_out", ddpm::normalize(block_in));
  conv_out_ = register_module("conv_out", ddpm::conv(block_in, config_.out_ch, 3, 1, 1));
}

// ddpm.py Model.forward.
torch::Tensor DdpmUNetImpl::forward(const torch::Tensor& x, const torch::Tensor& t) {
  if (x.dim() != 4 || x.size(2) != config_.image_size || x.size(3) != config_.image_size) {
    throw Error("DDPM model: input must be [N, C, " + std::to_string(config_.image_size) + ", " +
                std::to_string(config_.image_size) + "] (data.image_size), got " +
                c10::str(x.sizes()));
  }
  if (t.dim() != 1 || t.size(0) != x.size(0)) {
    throw Error("DDPM model: timesteps must be [N] with N = batch size, got " +
                c10::str(t.sizes()));
  }
  const int64_t levels = static_cast<int64_t>(config_.ch_mult.size());
  const int64_t nblocks = config_.num_res_blocks;

  auto temb = ddpm::get_timestep_embedding(t, config_.ch);
  temb = temb_dense_[0]->as<torch::nn::Linear>()->forward(temb);
  temb = temb_dense_[1]->as<torch::nn::Linear>()->forward(ddpm::nonlinearity(temb));

  std::vector<torch::Tensor> hs{conv_in_(x)};
  for (int64_t i = 0; i < levels; ++i) {
    auto level = down_[i]->as<ddpm::LevelImpl>();
    for (int64_t b = 0; b < nblocks; ++b) {
      auto h = level->block[b]->as<ddpm::ResnetBlockImpl>()->forward(hs.back(), temb);
      if (!level->attn->is_empty()) h = level->attn[b]->as<ddpm::AttnBlockImpl>()->forward(h);
      hs.push_back(h);
    }
    if (i != levels - 1) hs.push_back(level->downsample(hs.back()));
  }

  auto h = mid_block_1_(hs.back(), temb);
  h = mid_attn_1_(h);
  h = mid_block_2_(h, temb);

  for (int64_t i = levels - 1; i >= 0; --i) {
    auto level = up_[i]->as<ddpm::LevelImpl>();
    for (int64_t b = 0; b < nblocks + 1; ++b) {
      h = level->block[b]->as<ddpm::ResnetBlockImpl>()->forward(torch::cat({h, hs.back()}, 1),
                                                                 temb);
      hs.pop_back();
      if (!level->attn->is_empty()) h = level->attn[b]->as<ddpm::AttnBlockImpl>()->forward(h);
    }
    if (i != 0) h = level->upsample(h);
  }

  return conv_out_(ddpm::nonlinearity(norm_out_(h)));
}

}  // namespace egsde
