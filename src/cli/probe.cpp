// `egsde probe`: run one network on an input batch — the user's check of a downloaded
// checkpoint against its config, and the parity entry point.
#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "models/network.h"

namespace egsde::cli {
namespace {

struct ProbeArgs {
  std::string model;
  std::string config;
  std::string weights;
  std::string input;
  std::string timesteps;
  std::string phase = "test";
  std::string output;
  bool summary = false;
  bool overwrite = false;
};

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream o;
  o << t.sizes();
  return o.str();
}

void run_probe(const ProbeArgs& a) {
  namespace fs = std::filesystem;
  const NetworkKind kind = parse_network_kind(a.model);
  const DsePhase phase = parse_dse_phase(a.phase);
  const fs::path out_path(a.output);
  if (fs::exists(out_path) && !a.overwrite) {
    throw Error("output " + a.output + " exists; pass --overwrite to replace it");
  }
  if (out_path.has_parent_path() && !fs::is_directory(out_path.parent_path())) {
    throw Error("cannot write " + a.output + ": directory " + out_path.parent_path().string() + " does not exist");
  }
  nlohmann::json config = nlohmann::json::object();
  if (kind != NetworkKind::Inception) {
    if (a.config.empty()) throw Error("--config is required for --model " + a.model);
    config = read_json_file(a.config);
  }

  torch::Tensor x = read_tensor(a.input);
  if (x.dim() != 4) {
    throw Error("input " + a.input + " has shape " + shape_of(x) + "; expected [N, 3, H, W]");
  }
  if (x.size(1) != 3) {
    throw Error("input " + a.input + " has " + std::to_string(x.size(1)) + " channels; expected 3 (RGB, NCHW)");
  }
  if (!x.is_floating_point()) {
    throw Error("input " + a.input + " is " + std::string(c10::toString(x.scalar_type())) + "; expected float32 or float64");
  }
  x = x.to(torch::kFloat32);

  torch::Tensor t;
  if (kind != NetworkKind::Inception) {
    if (a.timesteps.empty()) throw Error("--timesteps is required for --model " + a.model);
    t = read_tensor(a.timesteps).flatten();
    if (t.numel() != x.size(0)) {
      throw Error("timesteps " + a.timesteps + " has " + std::to_string(t.numel()) + " values but input " + a.input +
                  " has a batch of " + std::to_string(x.size(0)) + "; give one timestep per image");
    }
  }

  const Network net = load_network(kind, config, a.config, a.weights, phase);
  if (net.image_size > 0 && (x.size(2) != net.image_size || x.size(3) != net.image_size)) {
    throw Error("input " + a.input + " has " + std::to_string(x.size(2)) + "x" + std::to_string(x.size(3)) +
                " images but config " + a.config + " builds the network for image_size " + std::to_string(net.image_size));
  }

  const auto start = std::chrono::steady_clock::now();
  torch::Tensor out;
  {
    torch::NoGradGuard no_grad;
    out = net.forward(x, t).to(torch::kFloat32).contiguous();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_npy(out_path, out);

  if (a.summary) {
    std::cout << "model        " << to_string(kind) << (kind == NetworkKind::AdmDse ? " (phase " + to_string(phase) + ")" : "")
              << "\nparameters   " << parameter_count(*net.module)
              << "\ninput        " << shape_of(x) << "\noutput       " << shape_of(out)
              << "\nmean/std     " << out.mean().item<double>() << " / " << out.std().item<double>()
              << "\nmin/max      " << out.min().item<double>() << " / " << out.max().item<double>()
              << "\nforward      " << seconds << " s (CPU, " << torch::get_num_threads() << " threads)"
              << "\nwrote        " << a.output << "\n";
  }
}

}  // namespace

void register_probe(CLI::App& app) {
  auto args = std::make_shared<ProbeArgs>();
  auto* cmd = app.add_subcommand(
      "probe", "Run one network on an input batch: check a downloaded checkpoint against its config");
  cmd->add_option("--model", args->model, "Network: adm-unet | adm-dse | ddpm-unet | inception")
      ->required()
      ->check(CLI::IsMember({"adm-unet", "adm-dse", "ddpm-unet", "inception"}));
  cmd->add_option("--config", args->config,
                  "JSON config with the official key names (create_model / create_dse arguments; for ddpm-unet "
                  "the yml structure with data and model sections); the official yml as JSON (data, model, dse sections) "
                  "or an egsde profile {args, config} works too. Not needed for inception");
  cmd->add_option("--weights", args->weights, "Checkpoint written by torch.save(state_dict) (.pt/.pth)")->required();
  cmd->add_option("--input", args->input, "Input batch [N,3,H,W] as .npy or torch.save'd tensor (.pt)")->required();
  cmd->add_option("--timesteps", args->timesteps, "Timesteps [N] as .npy or .pt (not for inception)");
  cmd->add_option("--phase", args->phase, "adm-dse: test = middle-block features (EGSDE's energy), train = logits")
      ->check(CLI::IsMember({"test", "train"}))
      ->capture_default_str();
  cmd->add_option("--output", args->output, "Where to write the float32 output (.npy)")->required();
  cmd->add_flag("--summary", args->summary, "Also print parameter count, output shape and statistics");
  cmd->add_flag("--overwrite", args->overwrite, "Replace --output if it exists");
  cmd->callback([args] { run_probe(*args); });
}

}  // namespace egsde::cli
