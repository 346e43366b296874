// `egsde train-score`, `egsde train-dse`, `egsde train-features`: `train-dse --domains` trains a
// DSE on image folders as run_train_dse.py does, `train-score --images` the score model on a
// folder of target-domain images (the demo's two: `fmnist-prepare`'s class folders,
// scripts/demo_train.sh), `train-features` the demo's FD-FMNIST classifier on the 10
// Fashion-MNIST classes read from Debian's package (issue 7). Each writes the
// weights in the official state-dict format (what `egsde translate` / `egsde run` load) plus
// <output>.json with the provenance (command, seed, iterations, final loss, wall time, commit),
// and keeps <output>.state to resume an interrupted run (deleted when the run completes).
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/device.h"
#include "core/atomic_write.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/precision.h"
#include "core/json_io.h"
#include "translate/profile.h"
#include "core/provenance.h"
#include "models/adm_encoder.h"
#include "models/adm_unet.h"
#include "models/fmnist_classifier.h"
#include "models/network.h"
#include "datasets/labeled_folders.h"
#include "train/dse_step.h"
#include "train/init_from.h"
#include "train/objectives.h"
#include "train/train_data.h"
#include "train/train_loop.h"

namespace egsde::cli {
namespace {
namespace fs = std::filesystem;

struct TrainArgs {
  std::string profile, output, data = kFashionMnistDir.string();  // data: train-features' IDX files
  train::TrainConfig config;
  bool overwrite = false;
};

// train-score --images: the score model on one folder of the target domain's images.
struct ImagesArgs {
  std::string images, device = "cpu";
  bool skip_bad = false;
  bool flip = true;  // RandomHorizontalFlip(p = 0.5), as guided-diffusion's random_flip default
};

// train-dse --domains: the official run_train_dse.py on image folders.
struct FolderArgs {
  std::vector<std::string> domains;
  std::string init, precision = "fp32";
  std::vector<std::string> devices = {"cpu"};  // the first holds the optimized DSE, the others replicas
  int64_t microbatch = -1;
  bool skip_bad = false;
  bool flip = true;  // the official train transform's RandomHorizontalFlip
};

// ADM's zero_module: the last conv of every residual block, every attention projection and the
// UNet's output conv start at zero (guided_diffusion/unet.py), so a fresh network starts as
// the identity around its skips.
void zero_init_like_adm(torch::nn::Module& m, bool include_output_conv) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters()) {
    const std::string& k = p.key();
    const bool zero = k.find("out_layers.3.") != std::string::npos || k.find("proj_out.") != std::string::npos ||
                      (include_output_conv && k.rfind("out.2.", 0) == 0);
    if (zero) p.value().zero_();
  }
}

void check_output(const TrainArgs& a) {
  if (fs::exists(a.output) && !a.overwrite)
    throw Error("output " + a.output + " exists; pass --overwrite to retrain it");
  // its folder is made by the training loop once every check has passed
}

void finish(const TrainArgs& a, const std::string& what, const train::TrainResult& r, nlohmann::json extra) {
  // the provenance before the weights are written: retraining committed weights in place must
  // not report the checkout as dirty because of the file being replaced
  const nlohmann::json checkout = provenance();
  write_state_dict(a.output, r.weights);
  nlohmann::json prov = {{"command", command_line()},
                         {"network", what},
                         {"train", a.config.to_json()},
                         {"iterations", r.iterations},
                         {"final_loss", r.final_loss},
                         {"final_log", r.final_log},
                         {"wall_seconds", r.seconds},
                         {"resumed_at", r.resumed_at},
                         {"weights", fs::path(a.output).filename().string()},
                         {"provenance", checkout}};
  for (auto& [k, v] : extra.items()) prov[k] = v;
  write_json_file(a.output + ".json", prov);
  fs::remove(a.output + ".state");
  std::cout << what << ": wrote " << a.output << " (+ .json): " << r.iterations << " iterations, final loss "
            << r.final_loss << ", " << r.seconds << " s\n";
}

Profile training_profile(const std::string& path) {
  if (path.empty()) throw Error("--profile is required (the profile whose config sections define the network)");
  return read_profile(path);
}

// The profile's ADM UNet, if train-score can train it: the ε-MSE of an unconditional model.
AdmUNetConfig score_config(const Profile& p, const std::string& path) {
  if (p.args.diffusionmodel != DiffusionModel::Adm)
    throw Error("train-score trains the ADM UNet (args.diffusionmodel ADM); " + path + " names another model");
  const AdmUNetConfig cfg = AdmUNetConfig::from_json(config_section(NetworkKind::AdmUNet, p.config));
  if (cfg.learn_sigma)
    throw Error("train-score: " + path +
                " has model.learn_sigma true, which needs guided-diffusion's hybrid loss (the ε-MSE plus the "
                "variational-bound term for the variance channels); egsde trains the ε-MSE only: set learn_sigma "
                "false (and var_type fixedsmall or fixedlarge)");
  if (cfg.class_cond)
    throw Error("train-score trains an unconditional model: set model.class_cond false in " + path);
  return cfg;
}

// The score model on one folder (guided-diffusion's image_train.py with the ε-MSE): batches of
// distinct images of the folder (Resize(image_size, bicubic), random flip unless --no-flip, ×2−1), t uniform,
// the DDPM simple loss, AdamW, EMA; resumable like every train-* command.
void run_score_folder(TrainArgs a, const ImagesArgs& f) {
  check_output(a);
  const Profile p = training_profile(a.profile);
  const AdmUNetConfig cfg = score_config(p, a.profile);
  const torch::Device device = parse_device(f.device);
  const LabeledFolders data = read_image_folder(f.images, p.image_size, f.skip_bad);
  if (!data.skipped.empty()) std::cerr << "train-score: " << skipped_summary(data.skipped) << "\n";
  torch::manual_seed(a.config.seed);
  AdmUNet net(cfg);
  zero_init_like_adm(*net, true);
  net->to(device);
  const train::NoisingCoefficients noising = train::noising_coefficients(p.schedule);
  a.config.extra = {{"images", f.images}, {"skip_bad", f.skip_bad}};
  if (!f.flip) a.config.extra["flip"] = false;  // absent when on: states of earlier runs still resume
  std::cerr << "train-score: " << data.images.size(0) << " images of " << f.images << ", " << parameter_count(*net)
            << " parameters, on " << device.str() << "\n";
  auto r = train::train(
      *net,
      [&](torch::Generator& gen, nlohmann::json&) {
        const auto b = train::draw_folder_batch(data, a.config.batch_size, gen, f.flip);
        return train::epsilon_loss(*net, noising, b.x0.to(device), gen);
      },
      a.config, a.output + ".state", "train-score");
  for (auto& [k, v] : r.weights) v = v.to(torch::kCPU);
  finish(a, "adm-unet", r,
         {{"config", cfg.to_json()}, {"n_train_images", data.images.size(0)}, {"images", f.images},
          {"skipped_images", data.skipped.size()}, {"device", device.str()}, {"flip", f.flip}});
}

// run_train_dse.py main() on folders: DSE_train from the profile's dse section (from scratch,
// or --init as load_share_weights), labeldataset batches, uniform t, q_sample noise, CE, AdamW.
void run_dse_folders(TrainArgs a, const FolderArgs& f) {
  check_output(a);
  const Profile p = training_profile(a.profile);
  AdmDseConfig cfg = AdmDseConfig::from_json(config_section(NetworkKind::AdmDse, p.config));
  cfg.phase = DsePhase::Train;
  const std::vector<fs::path> folders(f.domains.begin(), f.domains.end());
  check_domain_count(folders);
  if (cfg.num_class != static_cast<int64_t>(f.domains.size()))
    throw Error("train-dse: --domains names " + std::to_string(f.domains.size()) +
                " folders but the profile's dse.num_class is " + std::to_string(cfg.num_class) + " (" + a.profile +
                "); set num_class to the number of domains");
  // --device D or a list D0,D1,...: the batch split over them (train::dse_train_step, as the
  // official DataParallel)
  std::vector<torch::Device> devices;
  std::string device_list;
  for (const auto& d : f.devices) {
    devices.push_back(parse_device(d));
    device_list += (device_list.empty() ? "" : ",") + devices.back().str();
  }
  if (devices.empty()) throw Error("--device needs a device: cpu, cuda, cuda:N or a list cuda:0,cuda:1,...");
  const torch::Device device = devices.front();
  const Precision precision = parse_precision(f.precision);
  const LabeledFolders data = read_labeled_folders(folders, cfg.image_size, f.skip_bad);
  if (!data.skipped.empty()) std::cerr << "train-dse: " << skipped_summary(data.skipped) << "\n";
  nlohmann::json classes = nlohmann::json::array(), counts = nlohmann::json::array();
  for (size_t i = 0; i < folders.size(); ++i) {
    classes.push_back(domain_name(folders[i]));
    counts.push_back(data.counts[i]);
  }

  torch::manual_seed(a.config.seed);
  AdmDse net(cfg);
  zero_init_like_adm(*net, false);
  if (!f.init.empty()) {
    const auto r = train::load_shared_tensors(*net, read_state_dict(f.init), f.init);
    std::cerr << "train-dse: --init " << f.init << ": " << r.summary() << "\n";
  }
  net->to(device);
  std::vector<AdmDse> copies;  // one per further device; dse_train_step broadcasts the weights
  std::vector<AdmDseImpl*> replicas;
  for (size_t k = 1; k < devices.size(); ++k) {
    copies.push_back(AdmDse(cfg));
    copies.back()->to(devices[k]);
    copies.back()->train();
    replicas.push_back(copies.back().get());
  }
  const train::NoisingCoefficients noising = train::noising_coefficients(p.schedule);
  a.config.extra = {{"domains", f.domains}, {"microbatch", f.microbatch}, {"init", f.init},
                    {"skip_bad", f.skip_bad}};
  if (!f.flip) a.config.extra["flip"] = false;  // absent when on: states of earlier runs still resume
  if (precision != Precision::Fp32) a.config.extra["precision"] = to_string(precision);  // a resume must match
  std::cerr << "train-dse: " << data.images.size(0) << " images " << counts.dump() << " of " << classes.dump() << ", "
            << parameter_count(*net) << " parameters, on " << device_list << "\n";
  const auto r = train::train_steps(
      *net,
      [&](torch::Generator& gen, torch::optim::Optimizer& opt, double lr, nlohmann::json& log) {
        // the official order of draws: the batch (shuffle, flips), the schedule sampler's t, the noise
        const auto b = train::draw_folder_batch(data, a.config.batch_size, gen, f.flip);
        const auto t = torch::randint(noising.num_timesteps(), {b.x0.size(0)}, gen, torch::kInt64);
        const auto noise = torch::randn(b.x0.sizes(), gen, torch::kFloat32);
        const auto s =
            train::dse_train_step(*net, opt, noising, {b.x0, b.labels, t, noise}, f.microbatch, lr, replicas,
                                  precision);
        log["acc"] = s.accuracy;
        log["grad_norm"] = s.grad_norm;
        return s.loss;
      },
      a.config, a.output + ".state", "train-dse");
  auto result = r;
  for (auto& [k, v] : result.weights) v = v.to(torch::kCPU);
  cfg.phase = DsePhase::Test;
  finish(a, "adm-dse", result,
         {{"config", cfg.to_json()}, {"n_train_images", data.images.size(0)}, {"classes", classes},
          {"domains", f.domains}, {"images_per_domain", counts}, {"skipped_images", data.skipped.size()},
          {"init", f.init}, {"device", device_list}, {"precision", to_string(precision)}, {"flip", f.flip}});
}

double test_accuracy(FmnistClassifierImpl& net, const train::LabeledImages& test) {
  torch::NoGradGuard no_grad;
  int64_t right = 0;
  for (int64_t i = 0; i < test.images.size(0); i += 500) {
    const auto x = test.images.slice(0, i, i + 500);
    right += net.forward(x).argmax(1).eq(test.labels.slice(0, i, i + 500)).sum().item<int64_t>();
  }
  return static_cast<double>(right) / static_cast<double>(test.images.size(0));
}

void run_features(const TrainArgs& a, const FmnistClassifierConfig& cfg) {
  check_output(a);  // all 10 classes: the features must separate every class, not just the demo's two
  torch::manual_seed(a.config.seed);
  FmnistClassifier net(cfg);
  const auto data = train::fashion_mnist_classes_data("train", {}, a.data);
  std::cerr << "train-features: " << data.images.size(0) << " images, " << parameter_count(*net) << " parameters\n";
  const auto r = train::train(
      *net,
      [&](torch::Generator& gen, nlohmann::json& log) {
        const auto idx = train::sample_indices(data.images.size(0), a.config.batch_size, gen);
        double acc = 0;
        auto loss = train::classifier_loss(*net, data.images.index_select(0, idx), data.labels.index_select(0, idx), &acc);
        log["acc"] = acc;
        return loss;
      },
      a.config, a.output + ".state", "train-features");
  net->eval();
  const double acc = test_accuracy(*net, train::fashion_mnist_classes_data("test", {}, a.data));
  std::cerr << "train-features: test accuracy " << acc << "\n";
  finish(a, "fmnist-classifier", r, {{"config", cfg.to_json()}, {"test_accuracy", acc}});
}

CLI::App* add_common(CLI::App& app, const std::string& name, const std::string& help, TrainArgs& a, bool profile) {
  auto* cmd = app.add_subcommand(name, help);
  if (profile)
    cmd->add_option("--profile", a.profile, "Profile JSON whose config sections (model / dse, diffusion) define the network")
        ->required();
  cmd->add_option("-o,--output", a.output, "Weights to write (state dict); also <output>.json, <output>.state")->required();
  cmd->add_option("--iterations", a.config.iterations, "Optimizer steps")->capture_default_str();
  cmd->add_option("--batch-size", a.config.batch_size, "Images per step")->capture_default_str();
  cmd->add_option("--lr", a.config.lr, "AdamW learning rate")->capture_default_str();
  cmd->add_option("--weight-decay", a.config.weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--seed", a.config.seed, "Seed of the initialisation and of every draw")->capture_default_str();
  cmd->add_option("--save-every", a.config.save_every, "Write the resumable state every N steps")->capture_default_str();
  cmd->add_flag("--overwrite", a.overwrite, "Replace existing weights");
  cmd->add_flag("--quiet", a.config.quiet, "No progress lines");
  return cmd;
}

}  // namespace

void register_train(CLI::App& app) {
  {
    auto a = std::make_shared<TrainArgs>();
    a->config.iterations = 3000;
    a->config.batch_size = 32;
    a->config.lr = 2e-4;
    a->config.ema_rate = 0.999;
    auto f = std::make_shared<ImagesArgs>();
    auto* cmd = add_common(app, "train-score",
                           "Train the ADM score network (DDPM ε-loss, AdamW, EMA) on a folder of target-domain images",
                           *a, true);
    cmd->add_option("--images", f->images,
                    "Folder of target-domain images (listed recursively, Resize(image_size, bicubic), random flip; "
                    "square after the resize)")
        ->required();
    cmd->add_option("--device", f->device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_flag("--skip-bad", f->skip_bad, "Leave unreadable images out (and list them) instead of stopping");
    cmd->add_flag("--flip,!--no-flip", f->flip,
                  "Random horizontal flip (p = 0.5) of each training image: on by default, as the official; "
                  "--no-flip for data with a canonical orientation");
    cmd->add_option("--ema", a->config.ema_rate, "EMA rate of the saved weights (0: none)")->capture_default_str();
    cmd->callback([a, f] { run_score_folder(*a, *f); });
  }
  {
    auto a = std::make_shared<TrainArgs>();
    auto f = std::make_shared<FolderArgs>();
    a->config.iterations = 5000;  // run_train_dse.py's defaults
    a->config.batch_size = 32;
    a->config.lr = 3e-4;
    a->config.weight_decay = 0.05;
    a->config.anneal_lr = true;
    auto* cmd = add_common(app, "train-dse",
                           "Train the DSE on noised images of its domains' folders (as run_train_dse.py: uniform t, "
                           "CE, AdamW, annealed lr)",
                           *a, true);
    cmd->add_option("--domains", f->domains,
                    "Image folders DIR_A,DIR_B[,...]: class 0, 1, ... in this order (official labeldataset; "
                    "images listed recursively, Resize(image_size, bicubic), random flip)")
        ->delimiter(',')
        ->required();
    cmd->add_option("--init", f->init,
                    "Start from this checkpoint's tensors of equal name and shape (load_share_weights; e.g. "
                    "guided-diffusion's 256x256_classifier.pt); default: from scratch");
    cmd->add_option("--microbatch", f->microbatch, "Images per forward/backward (-1: the whole batch)")
        ->capture_default_str();
    cmd->add_option("--device", f->devices,
                    "cpu, cuda or cuda:N, or a list cuda:0,cuda:1,... that splits each batch over the devices "
                    "(as the official DataParallel; the same step up to float rounding)")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--precision", f->precision,
                    "fp32 (official), tf32 (CUDA) or bf16 (autocast of the forward passes; opt-in, changes the "
                    "weights)")
        ->capture_default_str();
    cmd->add_flag("--skip-bad", f->skip_bad, "Leave unreadable images out (and list them) instead of stopping");
    cmd->add_flag("--flip,!--no-flip", f->flip,
                  "Random horizontal flip (p = 0.5) of each training image: on by default, as the official; "
                  "--no-flip for data with a canonical orientation");
    cmd->add_flag("--anneal-lr,!--no-anneal-lr", a->config.anneal_lr,
                  "Anneal the lr linearly to 0 (set_annealed_lr; on by default, as the official)");
    cmd->callback([a, f] { run_dse_folders(*a, *f); });
  }
  {
    auto a = std::make_shared<TrainArgs>();
    auto cfg = std::make_shared<FmnistClassifierConfig>();
    a->config.iterations = 2000;
    a->config.batch_size = 64;
    a->config.lr = 1e-3;
    a->config.weight_decay = 0.01;
    auto* cmd = add_common(app, "train-features",
                           "Train the 10-class FMNIST classifier whose features define FD-FMNIST", *a, false);
    cmd->add_option("--data", a->data, "Folder of Fashion-MNIST's gzip'd IDX files")->capture_default_str();
    cmd->add_option("--width", cfg->width, "Channels of the first stage")->capture_default_str();
    cmd->add_option("--feature-dim", cfg->feature_dim, "Penultimate (feature) dimension")->capture_default_str();
    cmd->callback([a, cfg] { run_features(*a, *cfg); });
  }
}

}  // namespace egsde::cli
