// 3×3 stride-1 convolutions by oneDNN's Winograd F(4×4, 3×3) on the CPU (issue 8's "oneDNN"
// lever). LibTorch always asks oneDNN for direct convolutions; Winograd does the same convolution
// with 4× fewer multiplications in the transformed domain, at the cost of rounding: about 1e-6
// relative per convolution instead of ~1e-7 (tests/unit/test_winograd.cpp measures it). Forward
// and the gradient to the input (what the DSE guidance needs) only: never with weights that need
// a gradient (training keeps the direct path). Needs oneDNN's AVX-512 Winograd kernels and a build
// with libdnnl-dev; everywhere else the direct LibTorch convolution runs.
#pragma once
#include <torch/torch.h>

#include <string>

namespace egsde {

// How the networks' 3×3 stride-1 convolutions run on the CPU.
enum class ConvAlgo { Direct, Winograd };

ConvAlgo parse_conv_algo(const std::string& s);  // "direct" | "winograd"; egsde::Error otherwise
std::string to_string(ConvAlgo a);

// Whether this build and CPU have oneDNN's Winograd convolution (probed once; EGSDE_NO_WINOGRAD=1
// in the environment says no, as on a CPU without it).
bool winograd_available();

// Convolutions (forward and backward-data calls) run by Winograd in this process so far.
int64_t winograd_calls();

// Why winograd_available() is false ("" when it is true): for error messages and provenance.
std::string winograd_unavailable_reason();

// conv2d(x, weight, bias, stride 1, padding 1) by Winograd when it applies: x a float32 CPU
// tensor [N,C,H,W], weight [O,C,3,3] that needs no gradient (or grad mode off), autocast off,
// and oneDNN accepts the shape. Returns an undefined tensor when it does not apply (the caller
// then runs the direct convolution). The result carries an autograd edge to x when x requires
// grad (backward: oneDNN's Winograd backward-data).
torch::Tensor winograd_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace egsde
