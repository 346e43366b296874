// Starting a network from another checkpoint as run_train_dse.py load_share_weights does
// (every checkpoint tensor whose name the network has is copied in; the rest keep their fresh
// initialisation), with one rule added: the shapes must be equal too (the official code fails
// in load_state_dict on a differing shape, e.g. a head with another number of classes).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/checkpoint.h"

namespace egsde::train {

struct SharedLoad {
  int64_t loaded = 0;
  std::vector<std::string> skipped;            // "name (why)": other shape, or not in the network
  std::vector<std::string> not_in_checkpoint;  // the network's tensors the checkpoint lacks

  // "loaded N tensors, skipped M: a (why), b (why), … (and K more); L tensors of the network
  // are not in the checkpoint and keep their initialisation: x, y, …"
  std::string summary(size_t max_names = 10) const;
};

// Copies the shared tensors of `sd` into `module`'s parameters and buffers (no autograd).
// Throws egsde::Error naming `source` when no tensor is shared.
SharedLoad load_shared_tensors(torch::nn::Module& module, const StateDict& sd, const std::string& source);

}  // namespace egsde::train
