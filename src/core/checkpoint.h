// Checkpoints as released by the official code: files written by Python `torch.save` of a
// state dict (zip container + pickle), read without Python. Also `torch.save(tensor)` files.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace egsde {

// Parameter / buffer name -> tensor (CPU, dtype as stored). Keys are the official ones.
using StateDict = std::map<std::string, torch::Tensor>;

// Reads a torch.save'd state dict. Accepts OrderedDict or dict at the top level, unwraps one
// level of nesting under 'state_dict', 'model', 'ema' or 'model_state_dict', and, when
// `strip_module_prefix`, removes the 'module.' prefix that torch.nn.DataParallel leaves.
// Legacy (non-zip) files get an Error naming a one-line converter.
StateDict read_state_dict(const std::filesystem::path& path, bool strip_module_prefix = true);

// Writes `sd` so that Python `torch.load` reads it as a dict of tensors (and read_state_dict
// reads it back). Atomic.
void write_state_dict(const std::filesystem::path& path, const StateDict& sd);

// Reads a torch.save'd single tensor (`torch.save(t, path)`).
torch::Tensor read_pt_tensor(const std::filesystem::path& path);

// Reads a tensor from .npy or .pt by extension.
torch::Tensor read_tensor(const std::filesystem::path& path);

// What a mismatch error says beyond the key lists: the network in its first line ("the ADM UNet
// of config C.json"; "" = "the network") and detail lines that suggest a fix, computed from the
// checkpoint only when it does not match (models/mismatch_hint.h).
struct MismatchContext {
  std::string network;
  std::function<std::vector<std::string>(const StateDict& checkpoint)> hints;
};

// Copies `sd` into the module's named parameters and buffers, strictly: missing, unexpected
// and shape-mismatched keys are all reported in one Error. Its first line names `source` (the
// file), the network and the counts; indented detail lines follow: up to 8 keys of each kind
// (shape mismatches with the checkpoint's and the network's shape), then `context.hints`.
void load_state_dict(torch::nn::Module& module, const StateDict& sd, const std::string& source,
                     const MismatchContext& context = {});

// The module's parameters and buffers as a StateDict (names as registered).
StateDict module_state_dict(const torch::nn::Module& module);

}  // namespace egsde
