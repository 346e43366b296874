#include "models/eps_model.h"

#include "core/suggest.h"
#include "models/adm_unet.h"
#include "models/network.h"

namespace egsde {

namespace {
const std::vector<std::pair<std::string, DiffusionModel>> kModels = {{"ADM", DiffusionModel::Adm},
                                                                     {"DDPM", DiffusionModel::Ddpm}};
}  // namespace

DiffusionModel parse_diffusion_model(const std::string& s) { return parse_named(s, kModels, "diffusionmodel"); }
std::string to_string(DiffusionModel m) { return name_of(m, kModels); }

EpsModel load_eps_model(DiffusionModel kind, const nlohmann::json& config, const std::string& config_source,
                        const std::filesystem::path& ckpt, bool channels_last) {
  const NetworkKind net_kind = kind == DiffusionModel::Adm ? NetworkKind::AdmUNet : NetworkKind::DdpmUNet;
  Network net = load_network(net_kind, config, config_source, ckpt);
  if (channels_last) use_channels_last(net);
  EpsModel m;
  m.module = net.module;
  m.image_size = net.image_size;
  auto forward = net.forward;
  m.output = forward;
  if (kind == DiffusionModel::Adm) {
    m.learn_sigma = net.module->as<AdmUNetImpl>()->config().learn_sigma;
    m.eps = [forward](const torch::Tensor& y, const torch::Tensor& t) { return forward(y, t).split(3, 1)[0]; };
  } else {
    m.eps = forward;
  }
  return m;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.key(), p.value().sizes().vec());
  return out;
}

}  // namespace egsde
