// `egsde eval`, `egsde fid`, `egsde fid-stats`: the official evaluation (tool/eval_score.py)
// on any folders. Each is a thin layer over metrics/.
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
#include "metrics/fid_stats.h"
#include "metrics/image_io.h"
#include "metrics/kid.h"
#include "metrics/pairwise.h"
#include "metrics/stats_cache.h"
#include "metrics/evaluate.h"

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

SqrtmMethod sqrtm_of(const FidArgs& a) {
  return a.sqrtm == "reference" ? SqrtmMethod::Reference : SqrtmMethod::Factored;
}

// One side of FID/KID: a statistics file (.npz/.h5) or an image folder. Folder features are kept
// for the fast Fréchet path and KID; the cache (--cache) serves statistics only, so it is
// consulted when no features are needed (no --kid).
struct Side {
  Gaussian g;
  torch::Tensor features;  // [N, D], undefined for statistics files and cache hits
  int64_t count = -1;
};

// The image files of a folder side (empty for a statistics file), checked before any feature
// is computed so that a bad second argument fails fast.
std::vector<fs::path> checked_files(const std::string& path, bool need_features) {
  if (!fs::exists(path)) throw Error("no such folder or statistics file: " + path);
  if (is_stats_file(path)) {
    if (need_features) throw Error("--kid needs image folders, but " + path + " holds statistics only (mu, sigma)");
    return {};
  }
  auto files = list_images(path);
  if (files.empty()) throw Error("no images in " + path + " (expected .png/.jpg/... files in it or its subfolders)");
  if (files.size() < 2) {
    throw Error("FID needs at least 2 images, " + path + " has 1 (the covariance of one sample is undefined)");
  }
  return files;
}

Side side_for(const std::string& path, const std::vector<fs::path>& files, InceptionFeatures& inc, const FidArgs& a,
              FidProtocol protocol, bool need_features) {
  if (files.empty()) return {read_fid_stats(path), {}, -1};
  FeatureOptions opt;
  opt.protocol = protocol;
  opt.batch_size = a.batch_size;
  const int64_t n = static_cast<int64_t>(files.size());
  const bool cached = !a.cache.empty();
  if (cached && !need_features) return {statistics_of(path, inc.fn(), opt, a.cache, inc.weights_id()), {}, n};
  Side s;
  s.features = image_features(files, inc.fn(), opt);
  s.g = gaussian_statistics(s.features);
  s.count = n;
  if (cached) store_cached_stats(a.cache, stats_cache_key(files, protocol, inc.weights_id()), s.g);
  return s;
}

// Both sides of FID/KID, checked first.
std::pair<Side, Side> sides_for(const std::string& x, const std::string& y, InceptionFeatures& inc, const FidArgs& a,
                                FidProtocol protocol) {
  const auto fx = checked_files(x, a.kid), fy = checked_files(y, a.kid);
  auto sx = side_for(x, fx, inc, a, protocol, a.kid);
  return {std::move(sx), side_for(y, fy, inc, a, protocol, a.kid)};
}

// FID (and KID with --kid) between two sides into `out`: keys fid, fid_sqrtm, fid_eps_offset,
// kid, kid_std, kid_subsets, kid_subset_size.
void fid_and_kid(const Side& x, const Side& y, const FidArgs& a, nlohmann::json& out) {
  const bool features = a.sqrtm != "reference" && x.features.defined() && y.features.defined();
  const auto r = features ? frechet_distance_features(x.features, y.features)
                          : frechet_distance(x.g.mu, x.g.sigma, y.g.mu, y.g.sigma, sqrtm_of(a));
  out["fid"] = r.distance;
  out["fid_sqrtm"] = to_string(r.method);
  out["fid_eps_offset"] = r.used_offset;
  if (a.kid) {
    const auto k = kernel_inception_distance(x.features, y.features, a.kid_opt);
    out["kid"] = k.mean;
    out["kid_std"] = k.std;
    out["kid_subsets"] = k.subsets;
    out["kid_subset_size"] = k.subset_size;
    out["kid_seed"] = a.kid_opt.seed;
  }
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

void run_eval(const EvalArgs& a) {
  const CpuCacheScope no_cache(false);  // evaluation: see core/cpu_cache.h
  check_output_file("--json", a.json);
  check_output_file("--per-image", a.per_image);
  const FidProtocol protocol = protocol_for_task(a.task, a.fid.protocol);
  const auto pairing = pair_images(a.translated, a.source);
  for (const auto& n : pairing.notes) std::cerr << "egsde: note: " << n << "\n";
  for (const auto& w : pairing.warnings) std::cerr << "egsde: warning: " << w << "\n";
  PairwiseOptions popt;
  popt.ms_ssim = a.ms_ssim;
  const auto pw = pairwise_metrics(pairing, popt);

  nlohmann::json out;
  if (!a.no_fid) {
    if (a.target.empty()) throw Error("--target DIR|STATS.npz is required for FID (or pass --no-fid)");
    InceptionFeatures inc{a.fid.inception};
    const auto [x, y] = sides_for(a.translated, a.target, inc, a.fid, protocol);
    fid_and_kid(x, y, a.fid, out);
  } else {
    if (a.fid.kid) throw Error("--kid needs the Inception features: drop --no-fid");
    out["fid"] = nullptr;
  }
  out["l2"] = pw.mean.l2;
  out["mse"] = pw.mean.mse;
  out["psnr"] = pw.mean.psnr;
  out["ssim"] = pw.mean.ssim;
  if (a.ms_ssim) out["ms_ssim"] = pw.mean.ms_ssim;
  out["task"] = a.task;
  out["protocol"] = to_string(protocol);
  out["n_images"] = pairing.translated.size();
  out["n_sources"] = pairing.sources;
  out["pairing"] = "name";
  out["translated"] = a.translated;
  out["source"] = a.source;
  out["target"] = a.target;
  out["warnings"] = pairing.warnings;
  out["notes"] = pairing.notes;
  out["provenance"] = provenance();

  for (const char* k : {"fid", "kid", "l2", "mse", "psnr", "ssim", "ms_ssim"}) {
    if (out.contains(k) && !out[k].is_null()) std::cout << k << ": " << fmt(out[k].get<double>()) << "\n";
  }
  write_json_if(a.json, out);
  if (!a.per_image.empty()) {
    std::ostringstream csv;
    csv << std::setprecision(10) << "translated,source_by_name,source_by_order,l2,mse,psnr,ssim"
        << (a.ms_ssim ? ",ms_ssim" : "") << "\n";
    for (const auto& row : pw.per_image) {
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
  const FidProtocol protocol = protocol_for_task("custom", x.fid.protocol);
  InceptionFeatures inc{x.fid.inception};
  const auto [a, b] = sides_for(x.a, x.b, inc, x.fid, protocol);
  nlohmann::json out;
  fid_and_kid(a, b, x.fid, out);
  std::cout << "fid: " << fmt(out["fid"].get<double>()) << "\n";
  if (x.fid.kid) std::cout << "kid: " << fmt(out["kid"].get<double>()) << " (std " << fmt(out["kid_std"].get<double>()) << ")\n";
  out["protocol"] = to_string(protocol);
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
  const auto s = side_for(x.dir, checked_files(x.dir, false), inc, x.fid, protocol, /*need_features=*/true);
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
