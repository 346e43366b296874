#include "common/test_util.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/npy.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace egsde::test {

std::filesystem::path fixture(const std::string& rel) {
  return std::filesystem::path(EGSDE_FIXTURES_DIR) / rel;
}

double rel_error(const torch::Tensor& out, const torch::Tensor& ref) {
  auto o = out.to(torch::kCPU, torch::kFloat64);
  auto r = ref.to(torch::kCPU, torch::kFloat64);
  if (o.sizes() != r.sizes()) return std::numeric_limits<double>::infinity();
  return (o - r).norm().item<double>() / r.norm().item<double>();
}

double rel_diff(double value, double ref) { return std::abs(value - ref) / std::max(std::abs(ref), 1e-300); }

void record(const std::string& key, double value) {
  ::testing::Test::RecordProperty(key, (std::ostringstream() << value).str());
}

double expect_matches(const torch::Tensor& out, const torch::Tensor& ref, const std::string& what,
                      const std::string& key, std::optional<double> tol) {
  EXPECT_EQ(out.sizes(), ref.sizes()) << what;
  const double err = rel_error(out, ref);  // infinite for differing shapes
  record(key, err);
  EXPECT_LT(err, tol.value_or(parity_tol())) << what;
  return err;
}

double expect_matches_fixture(const torch::Tensor& out, const std::string& ref_file, const std::string& what,
                              const std::string& key, std::optional<double> tol) {
  return expect_matches(out, read_npy(fixture(ref_file)), what, key, tol);
}

torch::Device device() {
  static const torch::Device d = [] {
    const char* env = std::getenv("EGSDE_TEST_DEVICE");
    const torch::Device dev(env && *env ? env : "cpu");
    if (dev.is_cuda()) {
      if (!torch::cuda::is_available()) {
        std::fprintf(stderr, "EGSDE_TEST_DEVICE=%s but CUDA is not available in this build or machine\n", env);
        std::exit(2);
      }
      at::globalContext().setAllowTF32CuDNN(false);  // LibTorch's default lets cuDNN convolutions use TF32
      at::globalContext().setAllowTF32CuBLAS(false);
    }
    return dev;
  }();
  return d;
}

double parity_tol() { return device().is_cuda() ? 5e-5 : 1e-5; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::filesystem::path temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("egsde_test_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

static std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

int run_cli(const std::vector<std::string>& args, std::string* output) {
  std::string cmd = shell_quote(EGSDE_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd + " 2>&1", output);
}

int run_shell(const std::string& cmd, std::string* output) {
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  std::string text;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) text.append(buf.data(), n);
  int status = ::pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace egsde::test
