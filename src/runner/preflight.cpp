#include "runner/preflight.h"

#include <algorithm>

#include "core/error.h"
#include "core/file_check.h"
#include "diffusion/respace.h"

namespace egsde::runner {
namespace fs = std::filesystem;

egsde::Method sampler_method(Method m) {
  switch (m) {
    case Method::Egsde:
    case Method::EgsdeDagger:  // its ls/li/t are already in the run's profile (apply_method)
      return egsde::Method::Egsde;
    case Method::Sdedit:
      return egsde::Method::Sdedit;
    case Method::Ilvr:
      return egsde::Method::Ilvr;
  }
  return egsde::Method::Egsde;
}
void check_rng(RngProtocol rng, const std::string& where) {
  if (rng == RngProtocol::Official)
    throw Error(where + ": rng 'official' depends on the whole folder's batching, which a work queue does not keep; "
                "use 'per-sample' in the spec, or egsde translate --rng official");
}

namespace {

// Lines in the order first met, each once however many runs share it.
struct Lines : std::vector<std::string> {
  void insert(const std::string& line) {
    if (std::find(begin(), end(), line) == end()) push_back(line);
  }
};

// `what path` must be a file: a folder is an error now (prefixed by `of`, the run), a missing
// file a line of `missing` (once for all runs that share it).
void need_file(const std::string& of, const std::string& what, const fs::path& path, const std::string& fix,
               Lines& missing) {
  const std::string why = not_a_file_reason(path);
  if (why.empty()) return;
  const std::string line = what + " " + path.string() + " " + why + "; " + fix;
  if (why == "does not exist") missing.insert(line);
  else throw Error(of + line);
}

}  // namespace

Preflight preflight(const Plan& plan, const PreflightOptions& options) {
  Lines missing, warnings;
  const std::string where = plan.spec.file.empty() ? std::string("spec") : plan.spec.file.string();
  check_rng(plan.spec.rng, where);
  for (const auto& pr : plan.runs) {
    const Profile& profile = pr.run.resolved;
    const std::string of = "run " + pr.run.id + " (" + pr.run.label + "): ";
    if (plan.spec.respace > 0)
      if (const std::string w = respace_warning(profile.schedule.num_diffusion_timesteps, plan.spec.respace,
                                                profile.args.t);
          !w.empty())
        warnings.insert(where + ": " + w);
    const std::string download = "download it (README.md, 'Weights and data') or fix the path";
    need_file(of, "args.ckpt", profile.args.ckpt, download, missing);
    if (needs_dse(sampler_method(pr.run.method), profile.args))
      need_file(of, "args.dsepath", profile.args.dsepath, download, missing);
    std::error_code ec;
    if (!pr.images.found) {
      if (fs::exists(pr.images.dir, ec))
        throw Error(of + "args.testdata_path " + pr.images.dir.string() + " is a file; it must be a folder of images");
      missing.insert("source folder " + pr.images.dir.string() +
                     " does not exist; download the data (see datasets/) or fix args.testdata_path");
    }
  }
  if (options.evaluate && plan.spec.evaluation) {
    const Evaluation& ev = *plan.spec.evaluation;
    const std::string of = where + ": ";
    if (!ev.inception.empty())
      need_file(of, "evaluation.inception", ev.inception,
                "download pt_inception-2015-12-05 (metrics/README.md) or fix the path", missing);
    if (!ev.classifier.empty())
      need_file(of, "evaluation.classifier", ev.classifier, "train it (make demo-train) or fix the path", missing);
    std::error_code ec;
    if (!fs::exists(ev.target, ec))
      missing.insert("evaluation.target " + ev.target.string() +
                     " does not exist; give a folder of target-domain images or FID statistics (.npz)");
    bool translated_from_it = false;  // then its line is there already
    for (const auto& pr : plan.runs) translated_from_it = translated_from_it || pr.images.dir == ev.source.lexically_normal();
    if (!translated_from_it && !fs::exists(ev.source, ec))
      missing.insert("evaluation.source " + ev.source.string() + " does not exist; fix the path");
  }
  return {std::move(missing), std::move(warnings)};
}

}  // namespace egsde::runner
