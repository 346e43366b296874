// The settings a checkpoint was trained with, read off its tensor names and shapes: what a load
// error suggests when a profile's model / dse section does not build the checkpoint's network
// (the official code's "Missing key(s)" / "size mismatch for …" reports). One pure function per
// architecture: state dict in, profile settings out. Only what the shapes determine is inferred;
// the rest is listed as not inferable, with the reason.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/checkpoint.h"

namespace egsde {

struct InferredConfig {
  // By profile section, then the official key: {"model": {"num_channels": 128, …},
  // "data": {"image_size": 64}}. Values as the profile spells them (strings for channel_mult and
  // attention_resolutions, lists for the DDPM's ch_mult / attn_resolutions).
  nlohmann::json settings = nlohmann::json::object();
  std::vector<std::string> not_inferable;  // "num_heads (…why…)"
  std::vector<std::string> notes;          // other findings ("the keys are a DDPM's, not …")
  int64_t levels = 0;                      // resolution levels read (0: structure not read)
};

// guided-diffusion UNetModel keys (time_embed, input_blocks, middle_block, output_blocks, out) →
// the `model` section (create_model's arguments). `image_size`: the profile's; it maps the
// attention levels to resolutions (a UNet's weights do not depend on it).
InferredConfig infer_adm_unet_config(const StateDict& sd, int64_t image_size);

// EGSDE DSE keys (time_embed, input_blocks, middle_block, I2Iout; guided-diffusion's classifier
// with its `out` head too) → the `dse` section (create_dse's arguments) and, from the attention
// pool's positional embedding, data.image_size. `image_size`: the profile's.
InferredConfig infer_adm_dse_config(const StateDict& sd, int64_t image_size);

// models/ddpm.py Model keys (temb, conv_in, down, mid, up, conv_out) → the `model` section and,
// for type 'bayesian', diffusion.num_diffusion_timesteps. `image_size`: the profile's, for
// attn_resolutions.
InferredConfig infer_ddpm_config(const StateDict& sd, int64_t image_size);

// Which network's key names `sd` has: "ADM UNet", "ADM DSE", "guided-diffusion classifier",
// "DDPM", or "" when none.
std::string checkpoint_family(const StateDict& sd);

}  // namespace egsde
