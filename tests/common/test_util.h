// Shared helpers for the GoogleTest suites.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <optional>
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
// |value - ref| / |ref| for one number (the metrics' criterion); ref 0 counts as 1e-300.
double rel_diff(double value, double ref);

// RecordProperty(key, value) with the stream's default formatting (6 significant digits), so
// the XML report (and gpu-check.sh) shows the measured errors.
void record(const std::string& key, double value);

// The parity check: records rel_error(out, ref) as property `key`, expects equal shapes and the
// error below `tol` (parity_tol() when unset); `what` names the case on failure. Returns the error.
double expect_matches(const torch::Tensor& out, const torch::Tensor& ref, const std::string& what,
                      const std::string& key = "rel_error", std::optional<double> tol = std::nullopt);
// The same against the official output saved in tests/fixtures/<ref_file> (.npy).
double expect_matches_fixture(const torch::Tensor& out, const std::string& ref_file, const std::string& what,
                              const std::string& key = "rel_error", std::optional<double> tol = std::nullopt);

// The message of the egsde::Error that f throws; "" when it throws none.
std::string error_of(const std::function<void()>& f);

// A fresh, empty directory under the system temp dir, removed at process exit is not
// guaranteed: tests clean up what they can.
std::filesystem::path temp_dir(const std::string& tag);

// Runs the built `egsde` binary with `args`; returns the exit code, stdout+stderr in *output.
int run_cli(const std::vector<std::string>& args, std::string* output = nullptr);
// Runs a shell command line (via popen); returns its exit code, its stdout in *output.
int run_shell(const std::string& cmd, std::string* output = nullptr);

}  // namespace egsde::test
