// The steps the network parity tests share (test_adm_unet, test_adm_dse, test_ddpm_unet,
// test_inception_fid): a fixture case's weights in the C++ module, its forward against the
// official output, and the registered state-dict layout against the official one.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/npy.h"
#include "models/conv.h"

namespace egsde::test {

using CaseForward = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)>;

// Fixture case tests/fixtures/<c>/ (written by the official code, scripts/fixtures/): weights.pt
// loaded strictly into `model` (read_state_dict strips DataParallel's 'module.'), eval mode, on
// device(), 3x3 convolutions by `conv`; forward(x, t) on input.npy and timesteps.npy without
// autograd must match <c>/<output> within parity_tol() (property "rel_error"); with
// ConvAlgo::Winograd at least one convolution must have run by oneDNN's Winograd.
inline void expect_case_parity(torch::nn::Module& model, const std::string& c, ConvAlgo conv,
                               const CaseForward& forward, const std::string& output = "output.npy",
                               const std::string& what = "") {
  const auto weights = fixture(c + "/weights.pt");
  load_state_dict(model, read_state_dict(weights), weights.string());
  model.eval();
  model.to(device());
  set_conv_algo(model, conv);
  const int64_t winograd_before = winograd_calls();
  const auto x = read_npy(fixture(c + "/input.npy")).to(device());
  const auto t = read_npy(fixture(c + "/timesteps.npy")).to(device());
  torch::NoGradGuard no_grad;
  expect_matches_fixture(forward(x, t), c + "/" + output, what.empty() ? c : what);
  if (conv == ConvAlgo::Winograd) {
    EXPECT_GT(winograd_calls(), winograd_before) << "no convolution ran by Winograd";
  }
}

// `sd` registers exactly the keys of `expected` ({key: shape}, saved from the official module),
// each with its shape, so the released checkpoints load strictly.
inline void expect_layout(const StateDict& sd, const nlohmann::json& expected) {
  EXPECT_EQ(sd.size(), expected.size());
  for (const auto& [key, shape] : expected.items()) {
    const auto it = sd.find(key);
    if (it == sd.end()) {
      ADD_FAILURE() << "missing " << key;
      continue;
    }
    EXPECT_EQ(it->second.sizes().vec(), shape.get<std::vector<int64_t>>()) << key;
  }
}

}  // namespace egsde::test
