// One entry point to build any of the four networks from an official-style config and load
// its checkpoint strictly: what `egsde probe` (and later the samplers and metrics) call.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/checkpoint.h"
#include "models/adm_encoder.h"

namespace egsde {

enum class NetworkKind { AdmUNet, AdmDse, DdpmUNet, Inception };

NetworkKind parse_network_kind(const std::string& name);  // "adm-unet", …; else Error
std::string to_string(NetworkKind kind);

struct Network {
  NetworkKind kind{};
  std::shared_ptr<torch::nn::Module> module;
  // x [N,3,H,W]; t [N] (ignored by inception). Output as the official forward returns it.
  std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)> forward;
  // AdmDse only (else empty): the train-phase logits [N, num_class] of the same module, whatever
  // its phase (create_dse(phase='train') on the same weights): the time-conditioned classifier.
  std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& t)> logits;
  int64_t image_size = 0;  // the size the config was built for (0: any, inception)
  bool takes_timesteps = true;
};

// Builds the network for `config` (official key names; a whole profile with data/model/dse
// sections is accepted too) and loads `weights` strictly: a checkpoint of another architecture
// is an Error listing the differing keys and shapes and the settings that would match them
// (models/mismatch_hint.h). `phase` matters for AdmDse only. `config_source` names the config
// file in errors.
Network load_network(NetworkKind kind, const nlohmann::json& config, const std::string& config_source,
                     const std::filesystem::path& weights, DsePhase phase = DsePhase::Test);

// Section of a whole official profile that configures `kind` ("model" / "dse"), with
// data.image_size merged in; `config` itself when it is not a whole profile. An egsde profile
// ({"args", "config"}) is unwrapped to its "config" first.
nlohmann::json config_section(NetworkKind kind, const nlohmann::json& config);

// Random weights for `kind` at `config`, seeded and reproducible (the same state-dict keys and
// shapes as the official checkpoint): for smoke pipelines and benchmarks at the official
// architectures when the released weights are not at hand. Not a trained network.
StateDict random_state_dict(NetworkKind kind, const nlohmann::json& config, const std::string& config_source,
                            uint64_t seed);

int64_t parameter_count(const torch::nn::Module& module);

// Runs `net` in the channels-last (NHWC) memory layout: its 4-D weights are stored channels-last
// and its forward takes its input in that layout (oneDNN then convolves without reordering the
// activations) and returns a contiguous (NCHW) output. Values change by rounding only.
void use_channels_last(Network& net);

}  // namespace egsde
