#include "models/inception_fid.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace egsde {

namespace inception {

namespace F = torch::nn::functional;

namespace {

// The FID blocks' patched pool: TensorFlow's average pool does not count the zero padding.
torch::Tensor avg_pool_3x3_no_pad_count(const torch::Tensor& x) {
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
}

torch::Tensor max_pool_3x3_stride2(const torch::Tensor& x) {
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
}

}  // namespace

BasicConv2dImpl::BasicConv2dImpl(int64_t in, int64_t out, torch::ExpandingArray<2> kernel,
                                 torch::ExpandingArray<2> stride,
                                 torch::ExpandingArray<2> padding) {
  conv_ = register_module(
      "conv", torch::nn::Conv2d(
                  torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out).eps(0.001)));
}

torch::Tensor BasicConv2dImpl::forward(const torch::Tensor& x) {
  return torch::relu(bn_(conv_(x)));
}

FidInceptionAImpl::FidInceptionAImpl(int64_t in, int64_t pool_features) {
  branch1x1_ = register_module("branch1x1", BasicConv2d(in, 64, 1));
  branch5x5_1_ = register_module("branch5x5_1", BasicConv2d(in, 48, 1));
  branch5x5_2_ = register_module("branch5x5_2", BasicConv2d(48, 64, 5, 1, 2));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", BasicConv2d(in, 64, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", BasicConv2d(64, 96, 3, 1, 1));
  branch3x3dbl_3_ = register_module("branch3x3dbl_3", BasicConv2d(96, 96, 3, 1, 1));
  branch_pool_ = register_module("branch_pool", BasicConv2d(in, pool_features, 1));
}

torch::Tensor FidInceptionAImpl::forward(const torch::Tensor& x) {
  const auto b1 = branch1x1_(x);
  const auto b5 = branch5x5_2_(branch5x5_1_(x));
  const auto b3 = branch3x3dbl_3_(branch3x3dbl_2_(branch3x3dbl_1_(x)));
  const auto bp = branch_pool_(avg_pool_3x3_no_pad_count(x));
  return torch::cat({b1, b5, b3, bp}, 1);
}

InceptionBImpl::InceptionBImpl(int64_t in) {
  branch3x3_ = register_module("branch3x3", BasicConv2d(in, 384, 3, 2));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", BasicConv2d(in, 64, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", BasicConv2d(64, 96, 3, 1, 1));
  branch3x3dbl_3_ = register_module("branch3x3dbl_3", BasicConv2d(96, 96, 3, 2));
}

torch::Tensor InceptionBImpl::forward(const torch::Tensor& x) {
  const auto b3 = branch3x3_(x);
  const auto b3dbl = branch3x3dbl_3_(branch3x3dbl_2_(branch3x3dbl_1_(x)));
  return torch::cat({b3, b3dbl, max_pool_3x3_stride2(x)}, 1);
}

FidInceptionCImpl::FidInceptionCImpl(int64_t in, int64_t c7) {
  using K = torch::ExpandingArray<2>;
  branch1x1_ = register_module("branch1x1", BasicConv2d(in, 192, 1));
  branch7x7_1_ = register_module("branch7x7_1", BasicConv2d(in, c7, 1));
  branch7x7_2_ = register_module("branch7x7_2", BasicConv2d(c7, c7, K({1, 7}), 1, K({0, 3})));
  branch7x7_3_ = register_module("branch7x7_3", BasicConv2d(c7, 192, K({7, 1}), 1, K({3, 0})));
  branch7x7dbl_1_ = register_module("branch7x7dbl_1", BasicConv2d(in, c7, 1));
  branch7x7dbl_2_ = register_module("branch7x7dbl_2", BasicConv2d(c7, c7, K({7, 1}), 1, K({3, 0})));
  branch7x7dbl_3_ = register_module("branch7x7dbl_3", BasicConv2d(c7, c7, K({1, 7}), 1, K({0, 3})));
  branch7x7dbl_4_ = register_module("branch7x7dbl_4", BasicConv2d(c7, c7, K({7, 1}), 1, K({3, 0})));
  branch7x7dbl_5_ = register_module("branch7x7dbl_5", BasicConv2d(c7, 192, K({1, 7}), 1, K({0, 3})));
  branch_pool_ = register_module("branch_pool", BasicConv2d(in, 192, 1));
}

torch::Tensor FidInceptionCImpl::forward(const torch::Tensor& x) {
  const auto b1 = branch1x1_(x);
  const auto b7 = branch7x7_3_(branch7x7_2_(branch7x7_1_(x)));
  auto b7dbl = branch7x7dbl_1_(x);
  b7dbl = branch7x7dbl_3_(branch7x7dbl_2_(b7dbl));
  b7dbl = branch7x7dbl_5_(branch7x7dbl_4_(b7dbl));
  const auto bp = branch_pool_(avg_pool_3x3_no_pad_count(x));
  return torch::cat({b1, b7, b7dbl, bp}, 1);
}

InceptionDImpl::InceptionDImpl(int64_t in) {
  using K = torch::ExpandingArray<2>;
  branch3x3_1_ = register_module("branch3x3_1", BasicConv2d(in, 192, 1));
  branch3x3_2_ = register_module("branch3x3_2", BasicConv2d(192, 320, 3, 2));
  branch7x7x3_1_ = register_module("branch7x7x3_1", BasicConv2d(in, 192, 1));
  branch7x7x3_2_ = register_module("branch7x7x3_2", BasicConv2d(192, 192, K({1, 7}), 1, K({0, 3})));
  branch7x7x3_3_ = register_module("branch7x7x3_3", BasicConv2d(192, 192, K({7, 1}), 1, K({3, 0})));
  branch7x7x3_4_ = register_module("branch7x7x3_4", BasicConv2d(192, 192, 3, 2));
}

torch::Tensor InceptionDImpl::forward(const torch::Tensor& x) {
  const auto b3 = branch3x3_2_(branch3x3_1_(x));
  auto b7 = branch7x7x3_2_(branch7x7x3_1_(x));
  b7 = branch7x7x3_4_(branch7x7x3_3_(b7));
  return torch::cat({b3, b7, max_pool_3x3_stride2(x)}, 1);
}

FidInceptionEImpl::FidInceptionEImpl(int64_t in, PoolKind pool) : pool_(pool) {
  using K = torch::ExpandingArray<2>;
  branch1x1_ = register_module("branch1x1", BasicConv2d(in, 320, 1));
  branch3x3_1_ = register_module("branch3x3_1", BasicConv2d(in, 384, 1));
  branch3x3_2a_ = register_module("branch3x3_2a", BasicConv2d(384, 384, K({1, 3}), 1, K({0, 1})));
  branch3x3_2b_ = register_module("branch3x3_2b", BasicConv2d(384, 384, K({3, 1}), 1, K({1, 0})));
  branch3x3dbl_1_ = register_module("branch3x3dbl_1", BasicConv2d(in, 448, 1));
  branch3x3dbl_2_ = register_module("branch3x3dbl_2", BasicConv2d(448, 384, 3, 1, 1));
  branch3x3dbl_3a_ = register_module("branch3x3dbl_3a", BasicConv2d(384, 384, K({1, 3}), 1, K({0, 1})));
  branch3x3dbl_3b_ = register_module("branch3x3dbl_3b", BasicConv2d(384, 384, K({3, 1}), 1, K({1, 0})));
  branch_pool_ = register_module("branch_pool", BasicConv2d(in, 192, 1));
}

torch::Tensor FidInceptionEImpl::forward(const torch::Tensor& x) {
  const auto b1 = branch1x1_(x);
  const auto b3_1 = branch3x3_1_(x);
  const auto b3 = torch::cat({branch3x3_2a_(b3_1), branch3x3_2b_(b3_1)}, 1);
  const auto b3dbl_2 = branch3x3dbl_2_(branch3x3dbl_1_(x));
  const auto b3dbl = torch::cat({branch3x3dbl_3a_(b3dbl_2), branch3x3dbl_3b_(b3dbl_2)}, 1);
  const auto pooled =
      pool_ == PoolKind::Avg
          ? avg_pool_3x3_no_pad_count(x)
          : F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(1).padding(1));  // E_2's quirk
  return torch::cat({b1, b3, b3dbl, branch_pool_(pooled)}, 1);
}

}  // namespace inception

// fid_inception_v3: torchvision Inception3 with the FID blocks patched in.
InceptionFidImpl::InceptionFidImpl(InceptionFidOptions options) : options_(options) {
  using namespace inception;
  Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", BasicConv2d(3, 32, 3, 2));
  Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", BasicConv2d(32, 32, 3));
  Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", BasicConv2d(32, 64, 3, 1, 1));
  Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", BasicConv2d(64, 80, 1));
  Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", BasicConv2d(80, 192, 3));
  Mixed_5b = register_module("Mixed_5b", FidInceptionA(192, 32));
  Mixed_5c = register_module("Mixed_5c", FidInceptionA(256, 64));
  Mixed_5d = register_module("Mixed_5d", FidInceptionA(288, 64));
  Mixed_6a = register_module("Mixed_6a", InceptionB(288));
  Mixed_6b = register_module("Mixed_6b", FidInceptionC(768, 128));
  Mixed_6c = register_module("Mixed_6c", FidInceptionC(768, 160));
  Mixed_6d = register_module("Mixed_6d", FidInceptionC(768, 160));
  Mixed_6e = register_module("Mixed_6e", FidInceptionC(768, 192));
  Mixed_7a = register_module("Mixed_7a", InceptionD(768));
  Mixed_7b = register_module("Mixed_7b", FidInceptionE(1280, PoolKind::Avg));
  Mixed_7c = register_module("Mixed_7c", FidInceptionE(2048, PoolKind::Max));
}

// InceptionV3.forward with output_blocks=(3,): blocks 0..3 in sequence.
torch::Tensor InceptionFidImpl::forward(const torch::Tensor& input) {
  namespace F = torch::nn::functional;
  if (input.dim() != 4 || input.size(1) != 3) {
    throw Error("inception: input must be [N, 3, H, W] in [0, 1], got " + c10::str(input.sizes()));
  }
  auto x = input;
  if (options_.resize_input) {
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{299, 299})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  if (options_.normalize_input) x = 2 * x - 1;
  const auto maxpool = [](const torch::Tensor& t) {
    return F::max_pool2d(t, F::MaxPool2dFuncOptions(3).stride(2));
  };
  // Block 0: to maxpool1.
  x = maxpool(Conv2d_2b_3x3(Conv2d_2a_3x3(Conv2d_1a_3x3(x))));
  // Block 1: to maxpool2.
  x = maxpool(Conv2d_4a_3x3(Conv2d_3b_1x1(x)));
  // Block 2: to the aux classifier's input.
  x = Mixed_6a(Mixed_5d(Mixed_5c(Mixed_5b(x))));
  x = Mixed_6e(Mixed_6d(Mixed_6c(Mixed_6b(x))));
  // Block 3: to the final average pool.
  x = Mixed_7c(Mixed_7b(Mixed_7a(x)));
  x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({1, 1}));
  return x.flatten(1);
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The file's keys: the model's without the BatchNorm counters, plus the classifier.
std::vector<std::pair<std::string, std::vector<int64_t>>> file_layout() {
  std::vector<std::pair<std::string, std::vector<int64_t>>> layout;
  for (const auto& [key, t] : module_state_dict(InceptionFidImpl())) {
    if (!ends_with(key, ".num_batches_tracked")) layout.emplace_back(key, t.sizes().vec());
  }
  layout.emplace_back("fc.weight", std::vector<int64_t>{1008, 2048});
  layout.emplace_back("fc.bias", std::vector<int64_t>{1008});
  std::sort(layout.begin(), layout.end());
  return layout;
}

}  // namespace

void load_inception_state_dict(InceptionFidImpl& model, StateDict sd, const std::string& source) {
  // Present in pt_inception-2015-12-05 but not used by the pool3 features.
  sd.erase("fc.weight");
  sd.erase("fc.bias");
  // BatchNorm counters: optional in the file, irrelevant in eval mode.
  for (const auto& [key, t] : module_state_dict(model)) {
    if (ends_with(key, ".num_batches_tracked") && !sd.count(key)) sd[key] = t.clone();
  }
  load_state_dict(model, sd, source);
}

InceptionFid load_inception_fid(const std::filesystem::path& path, InceptionFidOptions options) {
  InceptionFid model(options);
  load_inception_state_dict(*model, read_state_dict(path), path.string());
  model->eval();
  return model;
}

StateDict random_inception_state_dict(uint64_t seed) {
  const auto layout = file_layout();  // before seeding: building the module draws its init
  torch::manual_seed(seed);
  StateDict sd;
  for (const auto& [key, shape] : layout) {
    torch::Tensor t;
    if (ends_with(key, ".conv.weight")) {
      const double fan_in = static_cast<double>(shape[1] * shape[2] * shape[3]);
      t = torch::randn(shape) * std::sqrt(2.0 / fan_in);
    } else if (ends_with(key, ".bn.weight") || ends_with(key, ".bn.running_var")) {
      t = torch::rand(shape) + 0.5;
    } else if (ends_with(key, ".bn.bias") || ends_with(key, ".bn.running_mean")) {
      t = torch::randn(shape) * 0.1;
    } else if (key == "fc.weight" || key == "fc.bias") {
      t = torch::randn(shape) * 0.01;
    } else {
      throw Error("random_inception_state_dict: no rule for key " + key);
    }
    sd[key] = t;
  }
  return sd;
}

}  // namespace egsde
