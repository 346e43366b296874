// The score network as the samplers call it: ε̂(y, t) with 3 channels, for the profile's
// `diffusionmodel` (runners/egsde.py builds ADM with create_model, DDPM with models/ddpm.Model).
// The model quirks live here, not in the sampler: ADM's output is split into 3-channel chunks and
// the first kept (functions/denoising.egsde_sample: torch.split(out, 3, dim=1)[0] — with
// learn_sigma the other 3 are the variance values); DDPM's output is ε as is.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "models/eps_fn.h"

namespace egsde {

// args.diffusionmodel: the score network family (runners/egsde.py).
enum class DiffusionModel { Adm, Ddpm };
DiffusionModel parse_diffusion_model(const std::string& s);  // "ADM" / "DDPM", else Error
std::string to_string(DiffusionModel m);

struct EpsModel {
  std::shared_ptr<torch::nn::Module> module;  // for .to(device) and its parameter list
  EpsFn eps;
  // The network's whole output: ε, then with learn_sigma the 3 variance values (guided-diffusion's
  // p_mean_variance reads both; samplers/p_sample.h).
  EpsFn output;
  bool learn_sigma = false;
  int64_t image_size = 0;
};

// Builds the score network from the profile's yml sections (`config`: data + model) and loads
// `ckpt` strictly. `config_source` names the profile in errors. `channels_last`: see
// use_channels_last (models/network.h).
EpsModel load_eps_model(DiffusionModel kind, const nlohmann::json& config, const std::string& config_source,
                        const std::filesystem::path& ckpt, bool channels_last = false);

// (name, shape) of a module's parameters in registration order — the construction order of the
// official module, whose default initialisation draws the official runner replays
// (samplers/noise.h default_init_draws).
std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes(const torch::nn::Module& module);

}  // namespace egsde
