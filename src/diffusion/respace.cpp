#include "diffusion/respace.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "core/error.h"

namespace egsde {

std::vector<int64_t> space_timesteps(int64_t num_timesteps, const std::string& section_counts) {
  std::set<int64_t> steps;
  if (section_counts.rfind("ddim", 0) == 0) {
    int64_t desired = 0;
    try {
      desired = std::stoll(section_counts.substr(4));
    } catch (const std::exception&) {
      throw Error("bad timestep respacing '" + section_counts + "': expected ddimN");
    }
    for (int64_t stride = 1; stride < num_timesteps; ++stride) {
      if ((num_timesteps + stride - 1) / stride == desired) {
        for (int64_t i = 0; i < num_timesteps; i += stride) steps.insert(i);
        return {steps.begin(), steps.end()};
      }
    }
    throw Error("cannot create exactly " + std::to_string(desired) +
                " steps with an integer stride from " + std::to_string(num_timesteps));
  }
  std::vector<int64_t> counts;
  std::stringstream ss(section_counts);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      counts.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw Error("bad timestep respacing '" + section_counts + "': expected N or N,N,…");
    }
  }
  if (counts.empty()) throw Error("empty timestep respacing");
  const int64_t sections = static_cast<int64_t>(counts.size());
  const int64_t size_per = num_timesteps / sections;
  const int64_t extra = num_timesteps % sections;
  int64_t start_idx = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t size = size_per + (i < extra ? 1 : 0);
    const int64_t count = counts[i];
    if (size < count)
      throw Error("cannot divide section of " + std::to_string(size) + " steps into " +
                  std::to_string(count));
    const double frac_stride =
        count <= 1 ? 1.0 : static_cast<double>(size - 1) / static_cast<double>(count - 1);
    double cur = 0.0;
    for (int64_t k = 0; k < count; ++k) {
      steps.insert(start_idx + static_cast<int64_t>(std::nearbyint(cur)));  // Python round: half to even
      cur += frac_stride;
    }
    start_idx += size;
  }
  return {steps.begin(), steps.end()};
}

Schedule respace(const Schedule& base, const std::vector<int64_t>& use_timesteps) {
  std::set<int64_t> keep(use_timesteps.begin(), use_timesteps.end());
  if (keep.empty()) throw Error("respacing keeps no timesteps");
  if (*keep.begin() < 0 || *keep.rbegin() >= base.num_timesteps())
    throw Error("respaced timesteps must lie in [0, " + std::to_string(base.num_timesteps()) + ")");
  auto ac = base.alphas_cumprod.to(torch::kFloat64);
  auto acc = ac.accessor<double, 1>();
  std::vector<double> betas;
  std::vector<int64_t> map;
  double last = 1.0;
  for (int64_t t : keep) {
    betas.push_back(1.0 - acc[t] / last);
    last = acc[t];
    map.push_back(t);
  }
  return schedule_from_betas(torch::tensor(betas, torch::kFloat64).to(torch::kFloat32),
                             base.var_type, std::move(map));
}

int64_t respaced_start(const Schedule& spaced, int64_t t) {
  int64_t n = 0;
  for (int64_t orig : spaced.timestep_map)
    if (orig < t) ++n;
  if (n == 0) throw Error("no respaced timestep below t = " + std::to_string(t));
  return n;
}

int64_t respaced_steps_from(int64_t num_timesteps, int64_t k, int64_t t) {
  int64_t n = 0;
  for (int64_t orig : space_timesteps(num_timesteps, std::to_string(k)))
    if (orig < t) ++n;
  return n;
}

std::string respace_warning(int64_t num_timesteps, int64_t k, int64_t t) {
  const int64_t n = respaced_steps_from(num_timesteps, k, t);
  if (n >= 2) return "";
  return "respace " + std::to_string(k) + " spaces the whole " + std::to_string(num_timesteps) +
         "-step schedule and keeps " + std::to_string(n) + " step" + (n == 1 ? "" : "s") + " below t = " +
         std::to_string(t) + ": the translation is " + (n == 1 ? "one denoising step" : "no step at all") +
         "; raise it to about " + std::to_string((2 * num_timesteps + t - 1) / t) + " or more for 2 steps";
}

}  // namespace egsde
