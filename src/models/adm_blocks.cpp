#include "models/adm_blocks.h"

#include <cmath>

#include "core/device_constant.h"
#include "core/error.h"

namespace egsde::adm {

namespace nn = torch::nn;
using torch::indexing::None;
using torch::indexing::Slice;

torch::Tensor timestep_embedding(const torch::Tensor& timesteps, int64_t dim, double max_period) {
  // Same operation order as nn.py so that the float32 rounding matches.
  const int64_t half = dim / 2;
  const auto freqs = device_constant("adm_freqs/" + std::to_string(half) + "/" + std::to_string(max_period),
                                     timesteps.device(), [&] {
                                       return torch::exp(-std::log(max_period) * torch::arange(0, half, torch::kFloat32) / half);
                                     });
  const auto args = timesteps.index({Slice(), None}).to(torch::kFloat32) * freqs.index({None});
  auto embedding = torch::cat({torch::cos(args), torch::sin(args)}, -1);
  if (dim % 2) {
    embedding = torch::cat({embedding, torch::zeros_like(embedding.index({Slice(), Slice(0, 1)}))}, -1);
  }
  return embedding;
}

torch::Tensor GroupNorm32Impl::forward(const torch::Tensor& x) {
  return nn::GroupNormImpl::forward(x.to(torch::kFloat32)).to(x.scalar_type());
}

UpsampleImpl::UpsampleImpl(int64_t channels, bool use_conv, int64_t out_channels)
    : channels_(channels) {
  if (use_conv) {
    const int64_t out = out_channels ? out_channels : channels;
    conv_ = register_module("conv", Conv(nn::Conv2dOptions(channels, out, 3).padding(1)));
  }
}

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.size(1) == channels_, "Upsample: expected ", channels_, " channels");
  auto h = nn::functional::interpolate(
      x, nn::functional::InterpolateFuncOptions()
             .scale_factor(std::vector<double>{2.0, 2.0})
             .mode(torch::kNearest));
  return conv_ ? conv_->forward(h) : h;
}

DownsampleImpl::DownsampleImpl(int64_t channels, bool use_conv, int64_t out_channels)
    : channels_(channels) {
  const int64_t out = out_channels ? out_channels : channels;
  if (use_conv) {
    op_ = register_module("op",
                          nn::Conv2d(nn::Conv2dOptions(channels, out, 3).stride(2).padding(1)));
  } else if (out != channels) {
    throw Error("Downsample: average pooling cannot change channels (" +
                std::to_string(channels) + " -> " + std::to_string(out) + ")");
  }
}

torch::Tensor DownsampleImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.size(1) == channels_, "Downsample: expected ", channels_, " channels");
  return op_ ? op_->forward(x) : torch::avg_pool2d(x, {2, 2}, {2, 2});
}

ResBlockImpl::ResBlockImpl(const ResBlockOptions& o)
    : options_(o), out_channels_(o.out_channels ? o.out_channels : o.channels) {
  const int64_t out = out_channels_;
  in_norm_ = GroupNorm32(o.channels);
  in_conv_ = Conv(nn::Conv2dOptions(o.channels, out, 3).padding(1));
  register_module("in_layers", nn::Sequential(in_norm_, nn::SiLU(), in_conv_));

  emb_linear_ = nn::Linear(o.emb_channels, o.use_scale_shift_norm ? 2 * out : out);
  register_module("emb_layers", nn::Sequential(nn::SiLU(), emb_linear_));

  out_norm_ = GroupNorm32(out);
  out_dropout_ = nn::Dropout(o.dropout);
  out_conv_ = Conv(nn::Conv2dOptions(out, out, 3).padding(1));
  register_module("out_layers", nn::Sequential(out_norm_, nn::SiLU(), out_dropout_, out_conv_));

  if (out != o.channels) {
    skip_conv_ = register_module(
        "skip_connection",
        Conv(nn::Conv2dOptions(o.channels, out, o.use_conv ? 3 : 1).padding(o.use_conv ? 1 : 0)));
  }
}

torch::Tensor ResBlockImpl::resample(const torch::Tensor& x) const {
  // h_upd / x_upd: Upsample / Downsample without convolution.
  if (options_.up) {
    return nn::functional::interpolate(x, nn::functional::InterpolateFuncOptions()
                                              .scale_factor(std::vector<double>{2.0, 2.0})
                                              .mode(torch::kNearest));
  }
  if (options_.down) return torch::avg_pool2d(x, {2, 2}, {2, 2});
  return x;
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb) {
  // ResBlock._forward
  auto h = torch::silu(in_norm_->forward(x));
  const auto skip_in = resample(x);
  h = in_conv_->forward(resample(h));

  auto emb_out = emb_linear_->forward(torch::silu(emb)).to(h.scalar_type());
  while (emb_out.dim() < h.dim()) emb_out = emb_out.unsqueeze(-1);
  if (options_.use_scale_shift_norm) {
    const auto scale_shift = torch::chunk(emb_out, 2, 1);
    h = out_norm_->forward(h) * (1 + scale_shift[0]) + scale_shift[1];
  } else {
    h = out_norm_->forward(h + emb_out);
  }
  h = out_conv_->forward(out_dropout_->forward(torch::silu(h)));
  return (skip_conv_ ? skip_conv_->forward(skip_in) : skip_in) + h;
}

torch::Tensor qkv_attention_legacy(const torch::Tensor& qkv, int64_t n_heads) {
  // QKVAttentionLegacy.forward
  const int64_t bs = qkv.size(0), width = qkv.size(1), length = qkv.size(2);
  TORCH_CHECK(width % (3 * n_heads) == 0, "qkv width ", width, " not divisible by 3*", n_heads);
  const int64_t ch = width / (3 * n_heads);
  const auto qkv_split = qkv.reshape({bs * n_heads, ch * 3, length}).split(ch, 1);
  const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(ch)));
  auto weight = torch::einsum("bct,bcs->bts", {qkv_split[0] * scale, qkv_split[1] * scale});
  weight = torch::softmax(weight.to(torch::kFloat32), -1).to(weight.scalar_type());
  const auto a = torch::einsum("bts,bcs->bct", {weight, qkv_split[2]});
  return a.reshape({bs, -1, length});
}

torch::Tensor qkv_attention(const torch::Tensor& qkv, int64_t n_heads) {
  // QKVAttention.forward
  const int64_t bs = qkv.size(0), width = qkv.size(1), length = qkv.size(2);
  TORCH_CHECK(width % (3 * n_heads) == 0, "qkv width ", width, " not divisible by 3*", n_heads);
  const int64_t ch = width / (3 * n_heads);
  const auto q_k_v = qkv.chunk(3, 1);
  const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(ch)));
  auto weight = torch::einsum("bct,bcs->bts", {(q_k_v[0] * scale).view({bs * n_heads, ch, length}),
                                               (q_k_v[1] * scale).view({bs * n_heads, ch, length})});
  weight = torch::softmax(weight.to(torch::kFloat32), -1).to(weight.scalar_type());
  const auto a = torch::einsum("bts,bcs->bct", {weight, q_k_v[2].reshape({bs * n_heads, ch, length})});
  return a.reshape({bs, -1, length});
}

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, int64_t num_heads,
                                       int64_t num_head_channels, bool use_new_attention_order)
    : num_heads_(num_heads), new_order_(use_new_attention_order) {
  if (num_head_channels != -1) {
    if (num_head_channels <= 0 || channels % num_head_channels != 0) {
      throw Error("attention: " + std::to_string(channels) +
                  " channels are not divisible by num_head_channels " +
                  std::to_string(num_head_channels));
    }
    num_heads_ = channels / num_head_channels;
  }
  if (num_heads_ <= 0 || channels % num_heads_ != 0) {
    throw Error("attention: " + std::to_string(channels) +
                " channels are not divisible by num_heads " + std::to_string(num_heads_));
  }
  norm_ = register_module("norm", GroupNorm32(channels));
  qkv_ = register_module("qkv", nn::Conv1d(nn::Conv1dOptions(channels, channels * 3, 1)));
  proj_out_ = register_module("proj_out", nn::Conv1d(nn::Conv1dOptions(channels, channels, 1)));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
  // AttentionBlock._forward
  const auto flat = x.reshape({x.size(0), x.size(1), -1});
  const auto qkv = qkv_->forward(norm_->forward(flat));
  auto h = new_order_ ? qkv_attention(qkv, num_heads_) : qkv_attention_legacy(qkv, num_heads_);
  h = proj_out_->forward(h);
  return (flat + h).reshape(x.sizes());
}

AttentionPool2dImpl::AttentionPool2dImpl(int64_t spacial_dim, int64_t embed_dim,
                                         int64_t num_heads_channels, int64_t output_dim) {
  if (num_heads_channels <= 0 || embed_dim % num_heads_channels != 0) {
    throw Error("attention pool: " + std::to_string(embed_dim) +
                " channels are not divisible by " + std::to_string(num_heads_channels));
  }
  num_heads_ = embed_dim / num_heads_channels;
  positional_embedding_ = register_parameter(
      "positional_embedding",
      torch::randn({embed_dim, spacial_dim * spacial_dim + 1}) / std::sqrt(double(embed_dim)));
  qkv_proj_ = register_module("qkv_proj", nn::Conv1d(nn::Conv1dOptions(embed_dim, 3 * embed_dim, 1)));
  c_proj_ = register_module(
      "c_proj", nn::Conv1d(nn::Conv1dOptions(embed_dim, output_dim ? output_dim : embed_dim, 1)));
}

torch::Tensor AttentionPool2dImpl::forward(const torch::Tensor& x) {
  // AttentionPool2d.forward: prepend the mean token, attend, keep token 0.
  auto h = x.reshape({x.size(0), x.size(1), -1});
  h = torch::cat({h.mean(-1, /*keepdim=*/true), h}, -1);
  h = h + positional_embedding_.index({None}).to(h.scalar_type());
  h = qkv_attention(qkv_proj_->forward(h), num_heads_);
  return c_proj_->forward(h).index({Slice(), Slice(), 0});
}

void TimestepEmbedSequentialImpl::push_back(ResBlock block) {
  auto m = register_module(std::to_string(layers_.size()), block);
  layers_.push_back([m](const torch::Tensor& x, const torch::Tensor& emb) { return m->forward(x, emb); });
}

torch::Tensor TimestepEmbedSequentialImpl::forward(const torch::Tensor& x, const torch::Tensor& emb) {
  auto h = x;
  for (const auto& layer : layers_) h = layer(h, emb);
  return h;
}

}  // namespace egsde::adm
