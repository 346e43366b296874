// `egsde eval`, `egsde fid`, `egsde fid-stats`: the official evaluation (tool/eval_score.py)
// on any folders. Each is a thin layer over metrics/: eval over evaluate_folders (the runner's
// evaluation), fid and fid-stats over its FID/KID sides (metrics/fid_kid.h).
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/atomic_write.h"
#include "core/cpu_cache.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "metrics/evaluate.h"
#include "metrics/fid_kid.h"
#include "metrics/fid_stats.h"
#include "metrics/kid.h"

namespace egsde::cli {
namespace {
namespace fs = std::filesystem;
using namespace egsde::metrics;

struct FidArgs {
  std::string inception;
  std::string protocol;
  std::string sqrtm = "fast";
  std::string cache;
  int batch_size = 50;
  bool kid = false;
  KidOptions kid_opt;
};

// `protocol_default`: what --help says the protocol is without --protocol (protocol_for_task).
void add_fid_options(CLI::App* cmd, FidArgs& a, const std::string& protocol_default) {
  cmd->add_option("--inception", a.inception, "pt_inception-2015-12-05-6726825d.pth (pytorch-fid FID weights)");
  cmd->add_option("--protocol", a.protocol, "official-afhq | official-celeba | clean (default: " + protocol_default + ")");
  cmd->add_option("--sqrtm", a.sqrtm,
                  "fast (exact: N x N product of features, or pivoted Cholesky of the covariances; default) | "
                  "reference (general eigenvalues, like scipy sqrtm; slow at 2048-d); eigh = fast")
      ->check(CLI::IsMember({"fast", "eigh", "reference"}));
  cmd->add_option("--cache", a.cache, "folder caching reference statistics (.npz, keyed by files+protocol+weights)");
  cmd->add_option("--batch-size", a.batch_size, "images per Inception batch")->check(CLI::PositiveNumber);
}

void add_kid_options(CLI::App* cmd, FidArgs& a) {
  cmd->add_flag("--kid", a.kid, "also report KID (unbiased MMD², cubic polynomial kernel; needs image folders)");
  cmd->add_option("--kid-subsets", a.kid_opt.subsets, "KID: number of random subsets (default 100)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--kid-subset-size", a.kid_opt.subset_size, "KID: images per subset, capped at the set sizes (default 1000)")
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 40));
  cmd->add_option("--kid-seed", a.kid_opt.seed, "KID: seed of the subset draws (default 0)");
}

// The options shared by eval, fid and fid-stats as the metrics' DistanceOptions.
DistanceOptions distance_options(const FidArgs& a, FidProtocol protocol) {
  DistanceOptions o;
  o.protocol = protocol;
  o.batch_size = a.batch_size;
  o.sqrtm = a.sqrtm == "reference" ? SqrtmMethod::Reference : SqrtmMethod::Factored;
  o.cache = a.cache;
  o.kid = a.kid;
  o.kid_options = a.kid_opt;
  return o;
}

std::string fmt(double v) {
  std::ostringstream o;
  o << std::setprecision(10) << v;
  return o.str();
}

void write_json_if(const std::string& path, const nlohmann::json& j) {
  if (!path.empty()) write_json_file(path, j);
}

// An output file option (--json, --per-image) checked before any work: a folder cannot be one.
void check_output_file(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && fs::is_directory(path, ec))
    throw Error(option + " " + path + " is a folder; give a file name, e.g. " + (fs::path(path) / "scores.json").string());
}

// ---- egsde eval ------------------------------------------------------------------------------
struct EvalArgs {
  std::string task = "custom";
  std::string translated, source, target;
  std::string json, per_image;
  bool ms_ssim = false;
  bool no_fid = false;
  FidArgs fid;
};

FidProtocol protocol_for_task(const std::string& task, const std::string& explicit_protocol) {
  if (!explicit_protocol.empty()) return parse_fid_protocol(explicit_protocol);
  return default_protocol(parse_task(task));
}

// Options -> EvalRequest -> metrics::evaluate_folders -> stdout, --json, --per-image.
void run_eval(const EvalArgs& a) {
  const CpuCacheScope no_cache(false);  // evaluation: see core/cpu_cache.h
  check_output_file("--json", a.json);
  check_output_file("--per-image", a.per_image);
  if (!a.no_fid && a.target.empty()) throw Error("--target DIR|STATS.npz is required for FID (or pass --no-fid)");
  if (a.no_fid && a.fid.kid) throw Error("--kid needs the Inception features: drop --no-fid");
  EvalRequest r;
  static_cast<DistanceOptions&>(r) = distance_options(a.fid, protocol_for_task(a.task, a.fid.protocol));
  r.translated = a.translated;
  r.source = a.source;
  r.target = a.target;
  r.fid = !a.no_fid;
  r.ms_ssim = a.ms_ssim;
  InceptionFeatures inc{a.fid.inception};
  const auto result = evaluate_folders(r, inc);
  nlohmann::json out = result.scores;
  for (const auto& n : out["notes"]) std::cerr << "egsde: note: " << n.get<std::string>() << "\n";
  for (const auto& w : out["warnings"]) std::cerr << "egsde: warning: " << w.get<std::string>() << "\n";
  out["task"] = a.task;
  out["translated"] = a.translated;
  out["source"] = a.source;
  out["target"] = a.target;
  out["provenance"] = provenance();

  for (const char* k : {"fid", "kid", "l2", "mse", "psnr", "ssim", "ms_ssim"}) {
    if (out.contains(k) && !out[k].is_null()) std::cout << k << ": " << fmt(out[k].get<double>()) << "\n";
  }
  write_json_if(a.json, out);
  if (!a.per_image.empty()) {
    std::ostringstream csv;
    csv << std::setprecision(10) << "translated,source_by_name,source_by_order,l2,mse,psnr,ssim"
        << (a.ms_ssim ? ",ms_ssim" : "") << "\n";
    for (const auto& row : result.per_image) {
      csv << row.translated.filename().string() << "," << row.source_by_name.filename().string() << ","
          << row.source_by_order.filename().string() << "," << row.scores.l2 << "," << row.scores.mse << ","
          << row.scores.psnr << "," << row.scores.ssim;
      if (a.ms_ssim) csv << "," << row.scores.ms_ssim;
      csv << "\n";
    }
    write_file_atomic(a.per_image, csv.str());
  }
}

// ---- egsde fid / fid-stats -------------------------------------------------------------------
struct FidCmdArgs {
  std::string a, b, json, output, dir;
  bool overwrite = false;
  FidArgs fid;
};

void run_fid(const FidCmdArgs& x) {
  const CpuCacheScope no_cache(false);  // evaluation: see core/cpu_cache.h
  check_output_file("--json", x.json);
  const DistanceOptions opt = distance_options(x.fid, protocol_for_task("custom", x.fid.protocol));
  InceptionFeatures inc{x.fid.inception};
  auto a = checked_side(x.a, opt.kid), b = checked_side(x.b, opt.kid);
  load_side(a, inc, opt, opt.cache, opt.kid);
  load_side(b, inc, opt, opt.cache, opt.kid);
  nlohmann::json out = feature_distances(a, b, opt);
  std::cout << "fid: " << fmt(out["fid"].get<double>()) << "\n";
  if (x.fid.kid) std::cout << "kid: " << fmt(out["kid"].get<double>()) << " (std " << fmt(out["kid_std"].get<double>()) << ")\n";
  out["protocol"] = to_string(opt.protocol);
  out["a"] = x.a;
  out["b"] = x.b;
  out["dims"] = a.g.mu.size(0);
  out["provenance"] = provenance();
  write_json_if(x.json, out);
}

void run_fid_stats(const FidCmdArgs& x) {
  const CpuCacheScope no_cache(false);  // evaluation: see core/cpu_cache.h
  const FidProtocol protocol = protocol_for_task("custom", x.fid.protocol);
  if (is_stats_file(x.dir)) throw Error(x.dir + " is already a statistics file; give a folder of images");
  if (!is_stats_file(x.output)) {
    throw Error("cannot write FID statistics to " + x.output + ": name it .npz (pytorch-fid) or .h5 (HDF5)");
  }
  std::error_code ec;
  if (fs::is_directory(x.output, ec)) throw Error("-o " + x.output + " is a folder; give a file name ending in .npz or .h5");
  if (fs::exists(x.output, ec) && !x.overwrite)
    throw Error(x.output + " exists; pass --overwrite to replace it, or choose another -o");
  InceptionFeatures inc{x.fid.inception};
  auto s = checked_side(x.dir, false);
  load_side(s, inc, distance_options(x.fid, protocol), x.fid.cache, /*need_features=*/true);  // always computed
  write_fid_stats(x.output, s.g, {to_string(protocol), inc.weights_id(), s.count});
  std::cout << "wrote " << x.output << " (" << s.g.mu.size(0) << "-d, " << s.count << " images, protocol "
            << to_string(protocol) << ")\n";
}

}  // namespace

void register_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "FID, L2, MSE, PSNR, SSIM of translated images, as the official eval");
  std::string tasks;
  for (const auto& t : task_names()) tasks += (tasks.empty() ? "" : " | ") + t;
  cmd->add_option("--task", args->task, tasks + " (sets the FID protocol)")->check(CLI::IsMember(task_names()))
      ->capture_default_str();
  cmd->add_option("--translated", args->translated, "folder of translated images")->required();
  cmd->add_option("--source", args->source, "folder of source images (same names, any extension)")->required();
  cmd->add_option("--target", args->target, "target-domain folder or FID statistics (.npz or .h5)");
  cmd->add_option("--json", args->json, "write the results as JSON (keys fid, l2, mse, psnr, ssim; kid, kid_std with --kid)");
  cmd->add_option("--per-image", args->per_image, "write per-image l2/mse/psnr/ssim as CSV");
  cmd->add_flag("--ms-ssim", args->ms_ssim, "also report MS-SSIM (official calculate_msssim)");
  cmd->add_flag("--no-fid", args->no_fid, "skip FID (no Inception weights needed)");
  add_fid_options(cmd, args->fid, "from --task: official-celeba for male2female, else official-afhq");
  add_kid_options(cmd, args->fid);
  cmd->callback([args] { run_eval(*args); });

  auto fargs = std::make_shared<FidCmdArgs>();
  auto* fid = app.add_subcommand("fid", "FID (and KID) between two image folders or statistics files (any dimension)");
  fid->add_option("A", fargs->a, "folder, or statistics .npz / .h5 (mu, sigma)")->required();
  fid->add_option("B", fargs->b, "folder, or statistics .npz / .h5 (mu, sigma)")->required();
  fid->add_option("--json", fargs->json, "write the result as JSON (keys fid, fid_sqrtm; kid, kid_std with --kid)");
  add_fid_options(fid, fargs->fid, "official-afhq");
  add_kid_options(fid, fargs->fid);
  fid->callback([fargs] { run_fid(*fargs); });

  auto sargs = std::make_shared<FidCmdArgs>();
  auto* stats = app.add_subcommand("fid-stats", "FID statistics of an image folder as pytorch-fid .npz or HDF5 .h5");
  stats->add_option("DIR", sargs->dir, "folder of images")->required();
  stats->add_option("-o,--output", sargs->output,
                    "output: X.npz (mu, sigma; pytorch-fid) or X.h5 (mu, sigma + attributes protocol, weights, count)")
      ->required();
  stats->add_flag("--overwrite", sargs->overwrite, "Replace an existing output file");
  add_fid_options(stats, sargs->fid, "official-afhq");
  stats->callback([sargs] { run_fid_stats(*sargs); });
}

}  // namespace egsde::cli
