// `egsde eval-dse`: the held-out accuracy of a DSE's train-phase head per timestep bucket on
// labeled folders (train/dse_eval.h), what a user checks before translating with a DSE: it
// should be high at small t and fall towards chance as the noise takes over. Prints a table,
// --json writes the same numbers.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/device.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "datasets/labeled_folders.h"
#include "models/network.h"
#include "train/dse_eval.h"
#include "translate/profile.h"

namespace egsde::cli {
namespace {
namespace fs = std::filesystem;

struct EvalDseArgs {
  std::string profile, weights, device = "cpu", json;
  std::vector<std::string> domains;
  int64_t buckets = 10, batch_size = 64;
  uint64_t seed = 0;
  bool skip_bad = false;
};

void print_table(const train::DseAccuracy& r, const std::vector<std::string>& classes) {
  std::printf("%-7s %-10s %7s %9s", "bucket", "t", "n", "accuracy");
  for (const auto& c : classes) std::printf("  %10.10s", c.c_str());
  std::printf("\n");
  const auto row = [&](const std::string& name, const train::DseBucketAccuracy& b) {
    const std::string t = std::to_string(b.t_min) + "-" + std::to_string(b.t_max);
    std::printf("%-7s %-10s %7lld %9.4f", name.c_str(), t.c_str(), static_cast<long long>(b.n), b.accuracy());
    for (size_t c = 0; c < classes.size(); ++c)
      std::printf("  %10.4f", b.n_per_class[c] == 0 ? 0.0
                                                       : static_cast<double>(b.correct_per_class[c]) /
                                                             static_cast<double>(b.n_per_class[c]));
    std::printf("\n");
  };
  for (size_t i = 0; i < r.buckets.size(); ++i) row(std::to_string(i), r.buckets[i]);
  row("all", r.overall);
}

void run_eval_dse(const EvalDseArgs& a) {
  const Profile p = read_profile(a.profile);
  const fs::path weights = a.weights.empty() ? p.args.dsepath : fs::path(a.weights);
  if (weights.empty()) throw Error("eval-dse: no --weights and the profile " + a.profile + " has no args.dsepath");
  const std::vector<fs::path> folders(a.domains.begin(), a.domains.end());
  check_domain_count(folders);
  const torch::Device device = parse_device(a.device);
  Network net = load_network(NetworkKind::AdmDse, p.config, a.profile, weights, DsePhase::Test);
  const int64_t num_class = net.module->as<AdmDseImpl>()->config().num_class;
  if (num_class != static_cast<int64_t>(folders.size()))
    throw Error("eval-dse: --domains names " + std::to_string(folders.size()) + " folders but the DSE " +
                weights.string() + " has " + std::to_string(num_class) +
                " classes; give one folder per class, in the label order it was trained with");
  const auto noising = train::noising_coefficients(p.schedule);
  train::check_eval_settings(a.buckets, a.batch_size, noising.num_timesteps());
  const LabeledFolders data = read_labeled_folders(folders, p.image_size, a.skip_bad);
  if (!data.skipped.empty()) std::cerr << "eval-dse: " << skipped_summary(data.skipped) << "\n";
  net.module->to(device);
  std::vector<std::string> classes;
  for (const auto& f : folders) classes.push_back(domain_name(f));
  std::cerr << "eval-dse: " << data.images.size(0) << " images of " << nlohmann::json(classes).dump() << ", "
            << a.buckets << " buckets of t, seed " << a.seed << ", on " << device.str() << "\n";
  const auto r = train::dse_accuracy_by_timestep(net.logits, data, noising, a.buckets, a.batch_size, a.seed, device);
  print_table(r, classes);
  if (!a.json.empty()) {
    nlohmann::json j = r.to_json(classes);
    j["profile"] = a.profile;
    j["weights"] = weights.string();
    j["domains"] = a.domains;
    j["classes"] = classes;
    j["images_per_domain"] = data.counts;
    j["skipped_images"] = data.skipped.size();
    j["seed"] = a.seed;
    j["device"] = device.str();
    j["command"] = command_line();
    j["provenance"] = provenance();
    write_json_file(a.json, j);
    std::cerr << "eval-dse: wrote " << a.json << "\n";
  }
}

}  // namespace

void register_eval_dse(CLI::App& app) {
  auto a = std::make_shared<EvalDseArgs>();
  auto* cmd = app.add_subcommand(
      "eval-dse",
      "Held-out accuracy of a DSE's train-phase head per timestep bucket on labeled folders (x_t = q_sample(x_0, t) "
      "with t uniform in each bucket)");
  cmd->add_option("--profile", a->profile, "Profile JSON whose config sections (dse, data, diffusion) define the DSE")
      ->required();
  cmd->add_option("--weights", a->weights, "The DSE's checkpoint (default: the profile's args.dsepath)");
  cmd->add_option("--domains", a->domains,
                  "Held-out image folders DIR_A,DIR_B[,...] in the DSE's label order (as train-dse --domains)")
      ->delimiter(',')
      ->required();
  cmd->add_option("--buckets", a->buckets, "Timestep buckets: equal ranges of t over the diffusion's T steps")
      ->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Images per forward (the result does not depend on it)")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the t and noise draws")->capture_default_str();
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--json", a->json, "Also write the table (and the settings) as JSON to this file");
  cmd->add_flag("--skip-bad", a->skip_bad, "Leave unreadable images out (and list them) instead of stopping");
  cmd->callback([a] { run_eval_dse(*a); });
}

}  // namespace egsde::cli
