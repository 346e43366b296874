// Shared helpers for the GoogleTest suites.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace egsde::test {

// tests/fixtures/<rel>
std::filesystem::path fixture(const std::string& rel);

// ||out - ref|| / ||ref|| computed in float64 (the parity criterion, < 1e-5 for float paths).
// The network parity tests run on device(): EGSDE_TEST_DEVICE = cpu (default) | cuda | cuda:N
// (scripts/device/gpu-check.sh). On CUDA, TF32 is switched off (strict fp32, as the reference).
torch::Device device();
// The parity tolerance on device(): 1e-5 on the CPU, whose kernels sum like the official CPU run.
// On CUDA 5e-5: cuDNN/cuBLAS pick other kernels and summation orders than the CPU reference; each
// fp32 conv/matmul with K ≈ 10^3–10^4 terms then differs by ~√K·2^-24 ≈ 10^-6 relative, and the
// 256² UNets chain ≈ 60 such layers (√60 ≈ 8): ≈ 1e-5, with 5× headroom. gpu-check.sh reports the
// measured errors, so the margin is visible.
double parity_tol();
double rel_error(const torch::Tensor& out, const torch::Tensor& ref);

// The message of the egsde::Error that f throws; "" when it throws none.
std::string error_of(const std::function<void()>& f);

// A fresh, empty directory under the system temp dir, removed at process exit is not
// guaranteed: tests clean up what they can.
std::filesystem::path temp_dir(const std::string& tag);

// Runs the built `egsde` binary with `args`; returns the exit code, stdout+stderr in *output.
int run_cli(const std::vector<std::string>& args, std::string* output = nullptr);

}  // namespace egsde::test
