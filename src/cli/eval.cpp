// `egsde eval`, `egsde fid`, `egsde fid-stats`: the official evaluation (tool/eval_score.py)
// on any folders. Each is a thin layer over metrics/.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/atomic_write.h"
#include "core/error.h"
#include "core/json_io.h"
#include "core/provenance.h"
#include "metrics/fid_stats.h"
#include "metrics/pairwise.h"
#include "metrics/stats_cache.h"
#include "models/inception_fid.h"

namespace egsde::cli {
namespace {
namespace fs = std::filesystem;
using namespace egsde::metrics;

struct FidArgs {
  std::string inception;
  std::string protocol;
  std::string sqrtm = "eigh";
  std::string cache;
  int batch_size = 50;
};

void add_fid_options(CLI::App* cmd, FidArgs& a) {
  cmd->add_option("--inception", a.inception, "pt_inception-2015-12-05-6726825d.pth (pytorch-fid FID weights)");
  cmd->add_option("--protocol", a.protocol, "official-afhq | official-celeba | clean (default: from --task)");
  cmd->add_option("--sqrtm", a.sqrtm, "eigh (fast, symmetric PSD) | reference (general eigenvalues)")
      ->check(CLI::IsMember({"eigh", "reference"}));
  cmd->add_option("--cache", a.cache, "folder caching reference statistics (.npz, keyed by files+protocol+weights)");
  cmd->add_option("--batch-size", a.batch_size, "images per Inception batch")->check(CLI::PositiveNumber);
}

SqrtmMethod sqrtm_of(const FidArgs& a) {
  return a.sqrtm == "reference" ? SqrtmMethod::Reference : SqrtmMethod::SymmetricEigh;
}

// Feature network for FID, loaded lazily (not needed when both sides are .npz statistics).
struct LazyInception {
  std::string weights;
  InceptionFid net{nullptr};
  FeatureFn fn() {
    return [this](const torch::Tensor& x) {
      if (!net) {
        if (weights.empty()) throw Error("--inception W.pth is required to compute FID statistics of an image folder");
        net = load_inception_fid(weights);
      }
      return net->forward(x);
    };
  }
  std::string id() const { return weights.empty() ? "" : file_digest(weights); }
};

Gaussian stats_for(const std::string& path, LazyInception& inc, const FidArgs& a, FidProtocol protocol) {
  FeatureOptions opt;
  opt.protocol = protocol;
  opt.batch_size = a.batch_size;
  if (!fs::exists(path)) throw Error("no such folder or statistics file: " + path);
  const bool cached = !a.cache.empty() && !is_stats_file(path);
  return statistics_of(path, inc.fn(), opt, cached ? fs::path(a.cache) : fs::path(), cached ? inc.id() : "");
}

std::string fmt(double v) {
  std::ostringstream o;
  o << std::setprecision(10) << v;
  return o.str();
}

void write_json_if(const std::string& path, const nlohmann::json& j) {
  if (!path.empty()) write_json_file(path, j);
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
  return task == "male2female" ? FidProtocol::OfficialCeleba : FidProtocol::OfficialAfhq;
}

void run_eval(const EvalArgs& a) {
  const FidProtocol protocol = protocol_for_task(a.task, a.fid.protocol);
  const auto pairing = pair_images(a.translated, a.source);
  for (const auto& w : pairing.warnings) std::cerr << "egsde: warning: " << w << "\n";
  PairwiseOptions popt;
  popt.ms_ssim = a.ms_ssim;
  const auto pw = pairwise_metrics(pairing, popt);

  nlohmann::json out;
  if (!a.no_fid) {
    if (a.target.empty()) throw Error("--target DIR|STATS.npz is required for FID (or pass --no-fid)");
    LazyInception inc{a.fid.inception};
    const auto g1 = stats_for(a.translated, inc, a.fid, protocol);
    const auto g2 = stats_for(a.target, inc, a.fid, protocol);
    const auto r = frechet_distance(g1.mu, g1.sigma, g2.mu, g2.sigma, sqrtm_of(a.fid));
    out["fid"] = r.distance;
    out["fid_sqrtm"] = to_string(r.method);
    if (r.used_offset) out["fid_eps_offset"] = true;
  } else {
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
  out["translated"] = a.translated;
  out["source"] = a.source;
  out["target"] = a.target;
  out["warnings"] = pairing.warnings;
  out["provenance"] = provenance();

  for (const char* k : {"fid", "l2", "mse", "psnr", "ssim", "ms_ssim"}) {
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
  FidArgs fid;
};

void run_fid(const FidCmdArgs& x) {
  const FidProtocol protocol = protocol_for_task("custom", x.fid.protocol);
  LazyInception inc{x.fid.inception};
  const auto g1 = stats_for(x.a, inc, x.fid, protocol);
  const auto g2 = stats_for(x.b, inc, x.fid, protocol);
  const auto r = frechet_distance(g1.mu, g1.sigma, g2.mu, g2.sigma, sqrtm_of(x.fid));
  std::cout << "fid: " << fmt(r.distance) << "\n";
  write_json_if(x.json, {{"fid", r.distance},
                         {"protocol", to_string(protocol)},
                         {"fid_sqrtm", to_string(r.method)},
                         {"fid_eps_offset", r.used_offset},
                         {"a", x.a},
                         {"b", x.b},
                         {"dims", g1.mu.size(0)},
                         {"provenance", provenance()}});
}

void run_fid_stats(const FidCmdArgs& x) {
  const FidProtocol protocol = protocol_for_task("custom", x.fid.protocol);
  if (is_stats_file(x.dir)) throw Error(x.dir + " is already a statistics file; give a folder of images");
  LazyInception inc{x.fid.inception};
  const auto g = stats_for(x.dir, inc, x.fid, protocol);
  write_fid_stats_npz(x.output, g);
  std::cout << "wrote " << x.output << " (" << g.mu.size(0) << "-d, protocol " << to_string(protocol) << ")\n";
}

}  // namespace

void register_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "FID, L2, MSE, PSNR, SSIM of translated images, as the official eval");
  cmd->add_option("--task", args->task, "cat2dog | wild2dog | male2female | custom (sets the FID protocol)")
      ->check(CLI::IsMember({"cat2dog", "wild2dog", "male2female", "custom"}));
  cmd->add_option("--translated", args->translated, "folder of translated images")->required();
  cmd->add_option("--source", args->source, "folder of source images (same names, any extension)")->required();
  cmd->add_option("--target", args->target, "target-domain folder or FID statistics .npz");
  cmd->add_option("--json", args->json, "write the results as JSON (keys fid, l2, mse, psnr, ssim, ...)");
  cmd->add_option("--per-image", args->per_image, "write per-image l2/mse/psnr/ssim as CSV");
  cmd->add_flag("--ms-ssim", args->ms_ssim, "also report MS-SSIM (official calculate_msssim)");
  cmd->add_flag("--no-fid", args->no_fid, "skip FID (no Inception weights needed)");
  add_fid_options(cmd, args->fid);
  cmd->callback([args] { run_eval(*args); });

  auto fargs = std::make_shared<FidCmdArgs>();
  auto* fid = app.add_subcommand("fid", "FID between two image folders or .npz statistics (any dimension)");
  fid->add_option("A", fargs->a, "folder or .npz (mu, sigma)")->required();
  fid->add_option("B", fargs->b, "folder or .npz (mu, sigma)")->required();
  fid->add_option("--json", fargs->json, "write the result as JSON");
  add_fid_options(fid, fargs->fid);
  fid->callback([fargs] { run_fid(*fargs); });

  auto sargs = std::make_shared<FidCmdArgs>();
  auto* stats = app.add_subcommand("fid-stats", "FID statistics of an image folder as a pytorch-fid .npz");
  stats->add_option("DIR", sargs->dir, "folder of images")->required();
  stats->add_option("-o,--output", sargs->output, "output .npz")->required();
  add_fid_options(stats, sargs->fid);
  stats->callback([sargs] { run_fid_stats(*sargs); });
}

}  // namespace egsde::cli
