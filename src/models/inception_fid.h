// The FID Inception network: pytorch-fid's InceptionV3 (tool/inception.py in the official
// code) with use_fid_inception=True and output block 3 only, i.e. the 2048-d pool3 features.
// Registered names are the keys of pt_inception-2015-12-05-6726825d.pth, the torchvision
// Inception3 layout the official fid_inception_v3 loads (Conv2d_1a_3x3.conv.weight,
// Mixed_5b.branch1x1.bn.running_var, ..., Mixed_7c.branch_pool.bn.bias), not the
// `blocks.N.M.` names of the InceptionV3 wrapper. float32, BatchNorm on running statistics.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/checkpoint.h"

namespace egsde {

namespace inception {

// torchvision BasicConv2d: conv (no bias) + BatchNorm(eps 0.001) + relu.
class BasicConv2dImpl : public torch::nn::Module {
 public:
  BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                  torch::ExpandingArray<2> stride = 1, torch::ExpandingArray<2> padding = 0);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(BasicConv2d);

// FIDInceptionA: torchvision InceptionA with a 3x3 average pool that ignores padding.
class FidInceptionAImpl : public torch::nn::Module {
 public:
  FidInceptionAImpl(int64_t in, int64_t pool_features);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d branch1x1_{nullptr}, branch5x5_1_{nullptr}, branch5x5_2_{nullptr},
      branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr}, branch3x3dbl_3_{nullptr},
      branch_pool_{nullptr};
};
TORCH_MODULE(FidInceptionA);

// torchvision InceptionB (Mixed_6a): grid reduction with a 3x3 stride-2 max pool.
class InceptionBImpl : public torch::nn::Module {
 public:
  explicit InceptionBImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d branch3x3_{nullptr}, branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr},
      branch3x3dbl_3_{nullptr};
};
TORCH_MODULE(InceptionB);

// FIDInceptionC: torchvision InceptionC with a 3x3 average pool that ignores padding.
class FidInceptionCImpl : public torch::nn::Module {
 public:
  FidInceptionCImpl(int64_t in, int64_t channels_7x7);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d branch1x1_{nullptr}, branch7x7_1_{nullptr}, branch7x7_2_{nullptr},
      branch7x7_3_{nullptr}, branch7x7dbl_1_{nullptr}, branch7x7dbl_2_{nullptr},
      branch7x7dbl_3_{nullptr}, branch7x7dbl_4_{nullptr}, branch7x7dbl_5_{nullptr},
      branch_pool_{nullptr};
};
TORCH_MODULE(FidInceptionC);

// torchvision InceptionD (Mixed_7a): grid reduction with a 3x3 stride-2 max pool.
class InceptionDImpl : public torch::nn::Module {
 public:
  explicit InceptionDImpl(int64_t in);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  BasicConv2d branch3x3_1_{nullptr}, branch3x3_2_{nullptr}, branch7x7x3_1_{nullptr},
      branch7x7x3_2_{nullptr}, branch7x7x3_3_{nullptr}, branch7x7x3_4_{nullptr};
};
TORCH_MODULE(InceptionD);

// FIDInceptionE_1 (pool = Avg: 3x3 average pool ignoring padding) and FIDInceptionE_2
// (pool = Max: 3x3 stride-1 max pool, the FID network's quirk).
enum class PoolKind { Avg, Max };
class FidInceptionEImpl : public torch::nn::Module {
 public:
  FidInceptionEImpl(int64_t in, PoolKind pool);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  PoolKind pool_;
  BasicConv2d branch1x1_{nullptr}, branch3x3_1_{nullptr}, branch3x3_2a_{nullptr},
      branch3x3_2b_{nullptr}, branch3x3dbl_1_{nullptr}, branch3x3dbl_2_{nullptr},
      branch3x3dbl_3a_{nullptr}, branch3x3dbl_3b_{nullptr}, branch_pool_{nullptr};
};
TORCH_MODULE(FidInceptionE);

}  // namespace inception

struct InceptionFidOptions {
  bool resize_input = true;     // bilinear to 299x299 (align_corners=False) first
  bool normalize_input = true;  // inputs in [0, 1] -> 2x - 1
};

class InceptionFidImpl : public torch::nn::Module {
 public:
  explicit InceptionFidImpl(InceptionFidOptions options = {});
  // x [N, 3, H, W] in [0, 1] -> pool3 features [N, 2048] (InceptionV3(...)(x)[0] flattened
  // from [N, 2048, 1, 1]). Puts nothing in train mode: call eval() after construction.
  torch::Tensor forward(const torch::Tensor& x);
  const InceptionFidOptions& options() const { return options_; }

 private:
  InceptionFidOptions options_;
  inception::BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr},
      Conv2d_3b_1x1{nullptr}, Conv2d_4a_3x3{nullptr};
  inception::FidInceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
  inception::InceptionB Mixed_6a{nullptr};
  inception::FidInceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr},
      Mixed_6e{nullptr};
  inception::InceptionD Mixed_7a{nullptr};
  inception::FidInceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
};
TORCH_MODULE(InceptionFid);

// Copies the weights of pt_inception-2015-12-05-6726825d.pth (as read by read_state_dict)
// into `model`, strictly except for what the file holds that block 3 does not use:
// `fc.weight` [1008, 2048] and `fc.bias` [1008] (the classifier) are dropped, and the
// BatchNorm `*.num_batches_tracked` counters (unused in eval mode) may be present or absent.
// Everything else missing, unexpected or misshapen is an Error naming `source`.
void load_inception_state_dict(InceptionFidImpl& model, StateDict sd, const std::string& source);

// Builds InceptionFid (eval mode) and loads `path` as above.
InceptionFid load_inception_fid(const std::filesystem::path& path, InceptionFidOptions options = {});

// Deterministic stand-in for the pt_inception weights, reproducible in Python
// (scripts/fixtures/make_inception_fixtures.py, random_state_dict): torch::manual_seed(seed),
// then, for each key of the file (the model's keys without num_batches_tracked, plus fc.weight
// and fc.bias) in sorted order:
//   *.conv.weight      randn(shape) * sqrt(2 / fan_in)     fan_in = shape[1]*shape[2]*shape[3]
//   *.bn.weight        rand(shape) + 0.5
//   *.bn.bias          randn(shape) * 0.1
//   *.bn.running_mean  randn(shape) * 0.1
//   *.bn.running_var   rand(shape) + 0.5
//   fc.weight          randn(shape) * 0.01,  fc.bias  randn(shape) * 0.01
// Changes the global CPU generator's state.
StateDict random_inception_state_dict(uint64_t seed);

}  // namespace egsde
