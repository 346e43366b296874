// Timestep respacing (guided-diffusion respace.py) as an opt-in extension for fast runs; the
// paper and the official EGSDE code use the full schedule.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/schedule.h"

namespace egsde {

// guided-diffusion space_timesteps: "100" or "10,15,20" (steps per equal section) or "ddimN"
// (integer stride). Returns the kept original timesteps, sorted ascending.
std::vector<int64_t> space_timesteps(int64_t num_timesteps, const std::string& section_counts);

// SpacedDiffusion: keeps `use_timesteps` of `base`; new β_k = 1 − ᾱ_k / ᾱ_prev (float64 from
// the base's float32 ᾱ, then float32), timestep_map = the kept original steps (the network
// is called with original times).
Schedule respace(const Schedule& base, const std::vector<int64_t>& use_timesteps);

// Number of respaced steps that lie below the original start `t` (the official args.t): the
// respaced run starts from the last kept step < t.
int64_t respaced_start(const Schedule& spaced, int64_t t);

// The reverse steps a run from `t` takes under `--respace k` of a `num_timesteps` schedule:
// respaced_start of the kept steps (about k·t / num_timesteps), for warnings before sampling.
int64_t respaced_steps_from(int64_t num_timesteps, int64_t k, int64_t t);

// "" or the warning to print when fewer than 2 of the respaced steps lie below `t`.
std::string respace_warning(int64_t num_timesteps, int64_t k, int64_t t);

}  // namespace egsde
