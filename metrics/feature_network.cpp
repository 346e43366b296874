#include "metrics/feature_network.h"

#include <mutex>

#include "core/digest.h"
#include "core/error.h"
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

}  // namespace egsde::metrics
