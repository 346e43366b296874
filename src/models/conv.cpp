#include "models/conv.h"

// LibTorch ≥ 2.1 options hold std::variant (c10/util/variant.h is gone by 2.6); 1.13 its own c10::variant.
#if __has_include(<c10/util/variant.h>)
#include <c10/util/variant.h>
#define EGSDE_GET_IF c10::get_if
#else
#include <variant>
#define EGSDE_GET_IF std::get_if
#endif

namespace egsde {

ConvImpl::ConvImpl(const torch::nn::Conv2dOptions& o) : torch::nn::Conv2dImpl(o) {
  const auto* pad = EGSDE_GET_IF<torch::ExpandingArray<2>>(&o.padding());
  const auto one = [](const torch::ExpandingArray<2>& a, int64_t v) { return (*a)[0] == v && (*a)[1] == v; };
  winograd_shape_ = one(o.kernel_size(), 3) && one(o.stride(), 1) && pad && one(*pad, 1) && one(o.dilation(), 1) &&
                    o.groups() == 1 && EGSDE_GET_IF<torch::enumtype::kZeros>(&o.padding_mode());
}

torch::Tensor ConvImpl::forward(const torch::Tensor& x) {
  if (algo == ConvAlgo::Winograd && winograd_shape_) {
    auto out = winograd_conv2d(x, weight, bias);
    if (out.defined()) return out;
  }
  return torch::nn::Conv2dImpl::forward(x);
}

int64_t set_conv_algo(torch::nn::Module& module, ConvAlgo algo) {
  int64_t n = 0;
  for (const auto& m : module.modules()) {
    if (auto* conv = dynamic_cast<ConvImpl*>(m.get())) {
      conv->algo = algo;
      ++n;
    }
  }
  return n;
}

}  // namespace egsde
