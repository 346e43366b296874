// Shared helpers for the GoogleTest suites.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace egsde::test {

// tests/fixtures/<rel>
std::filesystem::path fixture(const std::string& rel);

// ||out - ref|| / ||ref|| computed in float64 (the parity criterion, < 1e-5 for float paths).
double rel_error(const torch::Tensor& out, const torch::Tensor& ref);

// A fresh, empty directory under the system temp dir, removed at process exit is not
// guaranteed: tests clean up what they can.
std::filesystem::path temp_dir(const std::string& tag);

// Runs the built `egsde` binary with `args`; returns the exit code, stdout+stderr in *output.
int run_cli(const std::vector<std::string>& args, std::string* output = nullptr);

}  // namespace egsde::test
