// `egsde random-weights`: a seeded random checkpoint in the official key format for any of the
// four networks — for smoke pipelines (make reproduce-smoke) and benchmarks at the official
// architectures (make bench) when the released weights are not at hand.
#include <iostream>

#include "cli/commands.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/json_io.h"
#include "models/network.h"

namespace egsde::cli {
namespace {

struct RandomWeightsArgs {
  std::string network, config, output;
  uint64_t seed = 0;
  bool overwrite = false;
};

void run(const RandomWeightsArgs& a) {
  const NetworkKind kind = parse_network_kind(a.network);
  if (std::filesystem::exists(a.output) && !a.overwrite)
    throw Error("output " + a.output + " exists; pass --overwrite to replace it");
  nlohmann::json config = nlohmann::json::object();
  if (kind != NetworkKind::Inception) {
    if (a.config.empty()) throw Error("--config is required for --network " + a.network);
    config = read_json_file(a.config);
    if (config.contains("config") && config["config"].is_object()) config = config["config"];  // a whole profile
  }
  const StateDict sd = random_state_dict(kind, config, a.config, a.seed);
  write_state_dict(a.output, sd);  // atomic
  int64_t n = 0;
  for (const auto& [k, v] : sd) n += v.numel();
  std::cout << "wrote " << a.output << ": " << to_string(kind) << ", " << sd.size() << " tensors, " << n
            << " values, seed " << a.seed << " (random, not trained)\n";
}

}  // namespace

void register_random_weights(CLI::App& app) {
  auto a = std::make_shared<RandomWeightsArgs>();
  auto* cmd = app.add_subcommand("random-weights",
                                 "Write a seeded random checkpoint in the official key format (smoke runs, benchmarks)");
  cmd->add_option("--network", a->network, "adm-unet | adm-dse | ddpm-unet | inception")->required();
  cmd->add_option("--config", a->config,
                  "Config JSON (official key names) or a whole profile {args, config}; not for inception");
  cmd->add_option("--seed", a->seed, "Seed of the random weights")->capture_default_str();
  cmd->add_option("-o,--output", a->output, "Checkpoint to write (torch.save zip format)")->required();
  cmd->add_flag("--overwrite", a->overwrite, "Replace an existing file");
  cmd->callback([a] { run(*a); });
}

}  // namespace egsde::cli
