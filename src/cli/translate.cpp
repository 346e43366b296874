// `egsde translate`: translate a folder of images with EGSDE / SDEdit / ILVR as the official
// runner (runners/egsde.py) does, from an official profile in one JSON file.
#include <iostream>

#include "cli/commands.h"
#include "cli/count_option.h"
#include "cli/device.h"
#include "core/error.h"
#include "translate/profile.h"
#include "core/progress.h"
#include "translate/translate.h"

namespace egsde::cli {
namespace {

struct TranslateArgs {
  std::string profile, output, rng = "per-sample", format = "same", device = "cpu", method = "egsde",
              precision = "fp32", conv = "direct";
  std::vector<std::string> source;
  bool save_raw = false, overwrite = false, quiet = false;
  int64_t batch_size = 0, limit = 0, respace = 0;
};

void run(const TranslateArgs& a) {
  const Profile profile = read_profile(a.profile);
  TranslateOptions o;
  o.output = a.output;
  o.rng = parse_rng_protocol(a.rng);
  o.method = parse_method(a.method);
  o.format = parse_output_format(a.format);
  o.save_raw = a.save_raw;
  o.batch_size = a.batch_size;
  o.device = parse_device(a.device);
  o.overwrite = a.overwrite;
  o.quiet = a.quiet;
  o.limit = a.limit;
  o.respace = a.respace;
  o.precision = parse_precision(a.precision);
  o.conv = parse_conv_algo(a.conv);
  for (const auto& s : a.source) o.source.emplace_back(s);
  const TranslateSummary s = translate_folder(profile, o);
  if (!a.quiet)
    std::cerr << "translate: " << s.translated << " translated, " << s.skipped << " already done (of " << s.sources
              << ") in " << format_duration(s.wall_s) << " → " << a.output << "\n";
}

}  // namespace

void register_translate(CLI::App& app) {
  auto a = std::make_shared<TranslateArgs>();
  auto* cmd = app.add_subcommand("translate", "Translate a folder of images with EGSDE / SDEdit / ILVR (official profile)");
  cmd->add_option("--profile", a->profile,
                  "Official profile as one JSON: {\"args\": {testdata_path, ckpt, dsepath, t, ls, li, s1, s2, phase, "
                  "sample_step, batch_size, diffusionmodel, down_N, seed}, \"config\": {data, model, diffusion, dse}}")
      ->required();
  cmd->add_option("--output", a->output, "Output folder: <repeat>/<source name>, translate.json")->required();
  cmd->add_option("--rng", a->rng,
                  "official = the official runner's single seeded generator (CPU results equal the official code); "
                  "per-sample = one generator per image (results independent of batch size, order, resume)")
      ->check(CLI::IsMember({"official", "per-sample"}))
      ->capture_default_str();
  cmd->add_flag("--save-raw", a->save_raw, "Also write the float result before clamping as <repeat>/<stem>.npy");
  cmd->add_option("--format", a->format, "Output format: same (the source's; .jpg = JPEG quality 75), png, jpg")
      ->check(CLI::IsMember({"same", "png", "jpg"}))
      ->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Images per batch (default: the profile's batch_size)")
      ->check(at_least(1, "the number of images per batch"));
  cmd->add_option("--device", a->device, "cpu, cuda, cuda:N")->capture_default_str();
  cmd->add_flag("--overwrite", a->overwrite,
                "Translate every image again and replace existing outputs (also into a folder egsde did not write)");
  cmd->add_flag("--quiet", a->quiet, "No progress or summary on stderr");
  cmd->add_option("--method", a->method,
                  "egsde (the profile's ls/li), sdedit (ls = li = 0), ilvr (low-pass refinement, down_N, from t)")
      ->check(CLI::IsMember({"egsde", "sdedit", "ilvr"}))
      ->capture_default_str();
  cmd->add_option("--limit", a->limit, "Translate only the first N source images (sorted order)")
      ->check(at_least(1, "the number of source images to translate; omit --limit for all"));
  cmd->add_option("--respace", a->respace,
                  "Space K steps evenly over the whole schedule (guided-diffusion respacing; fast, not the paper's) "
                  "and run those below args.t: about K*t/num_diffusion_timesteps; a warning when fewer than 2")
      ->check(at_least(1, "the number of spaced steps over the whole schedule; omit --respace for every step"));
  cmd->add_option("--precision", a->precision,
                  "fp32 (official; parity), tf32 (CUDA TensorFloat-32), bf16 (autocast; faster on GPUs, changes the "
                  "images: results/bench/README.md)")
      ->check(CLI::IsMember({"fp32", "tf32", "bf16"}))
      ->capture_default_str();
  cmd->add_option("--conv", a->conv,
                  "direct (LibTorch, as the official code) | winograd (oneDNN Winograd 3x3 convolutions on AVX-512 "
                  "CPUs: faster steps, rounding-level changes within the parity tolerance; measured in "
                  "results/bench/README.md)")
      ->check(CLI::IsMember({"direct", "winograd"}))
      ->capture_default_str();
  cmd->add_option("--source", a->source, "Source folder(s) replacing the profile's testdata_path");
  cmd->callback([a] { run(*a); });
}

}  // namespace egsde::cli
