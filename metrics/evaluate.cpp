#include "metrics/evaluate.h"

#include <mutex>

#include "core/error.h"
#include "metrics/pairing.h"
#include "metrics/pairwise.h"
#include "metrics/stats_cache.h"
#include "models/inception_fid.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

struct InceptionFeatures::Impl {
  fs::path weights;
  InceptionFid net{nullptr};
  std::mutex mu;
};

InceptionFeatures::InceptionFeatures(fs::path weights) : impl_(std::make_shared<Impl>()) {
  impl_->weights = std::move(weights);
}
InceptionFeatures::~InceptionFeatures() = default;

FeatureFn InceptionFeatures::fn() {
  auto impl = impl_;
  return [impl](const torch::Tensor& x) {
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (!impl->net) {
        if (impl->weights.empty())
          throw Error("FID of an image folder needs the Inception weights: give --inception W.pth (pt_inception-2015-12-05-6726825d.pth)");
        impl->net = load_inception_fid(impl->weights);
      }
    }
    torch::NoGradGuard no_grad;
    return impl->net->forward(x);
  };
}

std::string InceptionFeatures::weights_id() const {
  return impl_->weights.empty() ? "" : file_digest(impl_->weights);
}

EvalResult evaluate_folders(const EvalRequest& r, FeatureNetwork& inception) {
  const auto pairing = r.source_files.empty() ? pair_images(r.translated, r.source)
                                              : pair_images(r.translated, r.source_files, r.source);
  const auto pw = pairwise_metrics(pairing);
  FeatureOptions opt;
  opt.protocol = r.protocol;
  opt.batch_size = r.batch_size;
  if (!fs::exists(r.target)) throw Error("no such target folder or statistics file: " + r.target.string());
  const std::string id = r.cache.empty() ? "" : inception.weights_id();
  // The translated folder changes with every run: never cached. The target is.
  const auto g1 = statistics_of(r.translated, inception.fn(), opt);
  const auto g2 = statistics_of(r.target, inception.fn(), opt, r.cache, id);
  const auto fid = frechet_distance(g1.mu, g1.sigma, g2.mu, g2.sigma, r.sqrtm);
  EvalResult out;
  out.per_image = pw.per_image;
  out.scores = {{inception.distance_key(), fid.distance},
          {"l2", pw.mean.l2},
          {"mse", pw.mean.mse},
          {"psnr", pw.mean.psnr},
          {"ssim", pw.mean.ssim},
          {"protocol", to_string(r.protocol)},
          {"fid_sqrtm", to_string(fid.method)},
          {"fid_eps_offset", fid.used_offset},
          {"n_images", pairing.translated.size()},
          {"n_sources", pairing.sources},
          {"pairing", "name"},
          {"warnings", pw.warnings},
          {"notes", pairing.notes}};
  if (r.target_class >= 0) {
    const FeatureFn logits = inception.logits_fn();
    if (!logits) throw Error("target-class accuracy needs a classifier feature network (not the FID Inception)");
    const auto predicted = image_features(pairing.translated, logits, opt).argmax(1);
    out.scores["accuracy"] = predicted.eq(r.target_class).to(torch::kFloat64).mean().item<double>();
  }
  return out;
}

}  // namespace egsde::metrics
