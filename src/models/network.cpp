#include "models/network.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

#include "core/checkpoint.h"
#include "core/error.h"
#include "core/suggest.h"
#include "models/adm_unet.h"
#include "models/ddpm_unet.h"
#include "models/inception_fid.h"
#include "models/mismatch_hint.h"

namespace egsde {
namespace {

const std::vector<std::pair<std::string, NetworkKind>> kKinds = {
    {"adm-unet", NetworkKind::AdmUNet},
    {"adm-dse", NetworkKind::AdmDse},
    {"ddpm-unet", NetworkKind::DdpmUNet},
    {"inception", NetworkKind::Inception},
};

bool is_whole_profile(const nlohmann::json& j) { return j.is_object() && j.contains("model") && j["model"].is_object(); }

}  // namespace

NetworkKind parse_network_kind(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& [n, k] : kKinds) {
    if (n == name) return k;
    names.push_back(n);
  }
  throw Error("unknown network '" + name + "'; did you mean '" + nearest(name, names) + "'?");
}

std::string to_string(NetworkKind kind) {
  for (const auto& [n, k] : kKinds)
    if (k == kind) return n;
  return "?";
}

nlohmann::json config_section(NetworkKind kind, const nlohmann::json& given) {
  // An egsde profile ({"args", "config"}: translate --profile's format) holds the yml as "config".
  const bool egsde_profile = given.is_object() && given.contains("args") && given.contains("config") &&
                             given["config"].is_object();
  const nlohmann::json& config = egsde_profile ? given["config"] : given;
  if (kind == NetworkKind::DdpmUNet || !is_whole_profile(config)) return config;
  // A whole official profile: pick model: (create_model) or dse: (create_dse) and take
  // image_size from data:, as runners/egsde.py passes config.data.image_size.
  nlohmann::json section = kind == NetworkKind::AdmDse ? config.value("dse", nlohmann::json::object()) : config["model"];
  if (config.contains("data") && config["data"].contains("image_size")) section["image_size"] = config["data"]["image_size"];
  if (kind == NetworkKind::AdmDse) section.erase("phase");
  return section;
}

namespace {

// The network for `config` with its default initialisation; Inception is loaded from `weights`
// (its key rules live in load_inception_fid) and returned ready.
Network build_network(NetworkKind kind, const nlohmann::json& config, const std::string& config_source,
                      const std::filesystem::path& weights, DsePhase phase) {
  Network net;
  net.kind = kind;
  const nlohmann::json section = config_section(kind, config);
  try {
    switch (kind) {
      case NetworkKind::AdmUNet: {
        AdmUNet m(AdmUNetConfig::from_json(section));
        net.image_size = m->config().image_size;
        net.module = m.ptr();
        net.forward = [m](const torch::Tensor& x, const torch::Tensor& t) mutable { return m->forward(x, t); };
        break;
      }
      case NetworkKind::AdmDse: {
        auto cfg = AdmDseConfig::from_json(section);
        cfg.phase = phase;
        AdmDse m(cfg);
        net.image_size = cfg.image_size;
        net.module = m.ptr();
        net.forward = [m](const torch::Tensor& x, const torch::Tensor& t) mutable { return m->forward(x, t); };
        net.logits = [m](const torch::Tensor& x, const torch::Tensor& t) mutable { return m->logits(x, t); };
        break;
      }
      case NetworkKind::DdpmUNet: {
        DdpmUNet m(DdpmConfig::from_json(section));
        net.image_size = m->config().image_size;
        net.module = m.ptr();
        net.forward = [m](const torch::Tensor& x, const torch::Tensor& t) mutable { return m->forward(x, t); };
        break;
      }
      case NetworkKind::Inception: {
        // pt_inception's own key rules (fc.* dropped, num_batches_tracked optional) live in
        // load_inception_fid; it loads and switches to eval itself.
        InceptionFid m = load_inception_fid(weights);
        net.module = m.ptr();
        net.takes_timesteps = false;
        net.forward = [m](const torch::Tensor& x, const torch::Tensor&) mutable { return m->forward(x); };
        return net;
      }
    }
  } catch (const Error& e) {
    throw Error("config " + (config_source.empty() ? std::string("(none)") : config_source) + ": " + e.what());
  }
  return net;
}

}  // namespace

Network load_network(NetworkKind kind, const nlohmann::json& config, const std::string& config_source,
                     const std::filesystem::path& weights, DsePhase phase) {
  Network net = build_network(kind, config, config_source, weights, phase);
  if (kind == NetworkKind::Inception) return net;
  const StateDict sd = read_state_dict(weights);
  // On a mismatch the error suggests the settings the checkpoint's shapes imply.
  const MismatchContext context{mismatch_network_name(kind, config_source),
                                [&](const StateDict& ckpt) { return mismatch_hints(kind, config, ckpt); }};
  load_state_dict(*net.module, sd, weights.string(), context);
  net.module->eval();
  return net;
}

StateDict random_state_dict(NetworkKind kind, const nlohmann::json& config, const std::string& config_source,
                            uint64_t seed) {
  if (kind == NetworkKind::Inception) return random_inception_state_dict(seed);
  Network net = build_network(kind, config, config_source, {}, DsePhase::Test);
  // Every parameter re-drawn (the official zero-initialised output layers too, so outputs are
  // not trivially zero): N(0, 1/fan_in) for weights, N(0, 0.01) for biases and norm offsets,
  // 1 + N(0, 0.01) for norm scales. Buffers keep their defaults.
  auto gen = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  StateDict sd;
  for (const auto& item : net.module->named_parameters()) {
    const torch::Tensor& p = item.value();
    torch::Tensor v = at::randn(p.sizes(), gen, torch::kFloat32);
    if (p.dim() >= 2) {
      v *= 1.0 / std::sqrt(static_cast<double>(p[0].numel()));
    } else if (item.key().find("norm") != std::string::npos && item.key().size() > 7 &&
               item.key().compare(item.key().size() - 7, 7, ".weight") == 0) {
      v = 1 + 0.1 * v;
    } else {
      v *= 0.1;
    }
    sd[item.key()] = v;
  }
  for (const auto& item : net.module->named_buffers()) sd[item.key()] = item.value().clone();
  return sd;
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

void use_channels_last(Network& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.module->parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  auto nhwc = [](std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> f) {
    return [f = std::move(f)](const torch::Tensor& x, const torch::Tensor& t) {
      return f(x.dim() == 4 ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x, t).contiguous();
    };
  };
  net.forward = nhwc(std::move(net.forward));
  if (net.logits) net.logits = nhwc(std::move(net.logits));
}

}  // namespace egsde
