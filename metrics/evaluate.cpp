#include "metrics/evaluate.h"

#include "core/error.h"
#include "metrics/pairing.h"

namespace egsde::metrics {

EvalResult evaluate_folders(const EvalRequest& r, FeatureNetwork& network) {
  if (r.kid && !r.fid) throw Error("KID needs the feature network's features: it cannot be computed without FID");
  if (r.fid && r.target.empty()) throw Error("FID needs a target folder or statistics file");
  const auto pairing = r.source_files.empty() ? pair_images(r.translated, r.source)
                                              : pair_images(r.translated, r.source_files, r.source);
  DistanceSide x, y;
  if (r.fid) {
    x = checked_side(r.translated, r.kid);
    y = checked_side(r.target, r.kid);
  }
  PairwiseOptions popt;
  popt.ms_ssim = r.ms_ssim;
  const auto pw = pairwise_metrics(pairing, popt);
  EvalResult out;
  out.per_image = pw.per_image;
  out.scores = {{"l2", pw.mean.l2},
                {"mse", pw.mean.mse},
                {"psnr", pw.mean.psnr},
                {"ssim", pw.mean.ssim},
                {"protocol", to_string(r.protocol)},
                {"n_images", pairing.translated.size()},
                {"n_sources", pairing.sources},
                {"pairing", "name"},
                {"warnings", pw.warnings},
                {"notes", pairing.notes}};
  if (r.ms_ssim) out.scores["ms_ssim"] = pw.mean.ms_ssim;
  if (r.fid) {
    load_side(x, network, r, /*cache=*/{}, r.kid);  // the translated folder: never cached
    load_side(y, network, r, r.cache, r.kid);
    out.scores.update(feature_distances(x, y, r, network.distance_key()));
  } else {
    out.scores[network.distance_key()] = nullptr;
  }
  if (r.target_class >= 0) {
    const FeatureFn logits = network.logits_fn();
    if (!logits) throw Error("target-class accuracy needs a classifier feature network (not the FID Inception)");
    FeatureOptions opt;
    opt.protocol = r.protocol;
    opt.batch_size = r.batch_size;
    const auto l = image_features(pairing.translated, logits, opt).to(torch::kFloat64);
    if (r.target_class >= l.size(1))
      throw Error("target class " + std::to_string(r.target_class) + " is not one of the classifier's " +
                  std::to_string(l.size(1)) + " classes");
    const auto verdict = l.argmax(1).eq(r.target_class).to(torch::kFloat64).contiguous();
    const auto prob = torch::softmax(l, 1).select(1, r.target_class).contiguous();
    out.scores["accuracy"] = verdict.mean().item<double>();
    // pairing.translated is per_image's order
    out.classifier["verdict"] = std::vector<double>(verdict.data_ptr<double>(), verdict.data_ptr<double>() + verdict.numel());
    out.classifier["target_prob"] = std::vector<double>(prob.data_ptr<double>(), prob.data_ptr<double>() + prob.numel());
  }
  return out;
}

}  // namespace egsde::metrics
