#include "metrics/fid.h"

#include <ATen/Parallel.h>

#include "core/error.h"
#include "metrics/image_io.h"

namespace egsde::metrics {

torch::Tensor image_features(const std::vector<std::filesystem::path>& files, const FeatureFn& net,
                             const FeatureOptions& opt) {
  if (files.empty()) throw Error("FID: no images to compute features of");
  const int64_t n = static_cast<int64_t>(files.size());
  std::vector<torch::Tensor> rows;
  for (int64_t start = 0; start < n;) {
    const int64_t stop = std::min<int64_t>(n, start + std::max(1, opt.batch_size));
    std::vector<torch::Tensor> inputs(stop - start);
    std::vector<std::string> errors(stop - start);
    at::parallel_for(start, stop, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        try {
          inputs[i - start] = fid_input(read_image_rgb(files[i]), opt.protocol);
        } catch (const std::exception& ex) {
          errors[i - start] = ex.what();
        }
      }
    });
    for (const auto& e : errors) {
      if (!e.empty()) throw Error(e);
    }
    // Split the batch where the image size changes (official-afhq feeds native sizes).
    for (size_t a = 0; a < inputs.size();) {
      size_t z = a + 1;
      while (z < inputs.size() && inputs[z].sizes() == inputs[a].sizes()) ++z;
      std::vector<torch::Tensor> group(inputs.begin() + a, inputs.begin() + z);
      torch::NoGradGuard no_grad;
      rows.push_back(net(torch::stack(group, 0)).to(torch::kFloat64).reshape({static_cast<int64_t>(group.size()), -1}));
      // Non-finite features poison the statistics: name the image (one check per group, no per-row sync).
      if (!torch::isfinite(rows.back()).all().item<bool>()) {
        const auto bad = torch::isfinite(rows.back()).all(1).logical_not().nonzero().flatten();
        const auto first = static_cast<std::size_t>(start) + a + static_cast<std::size_t>(bad[0].item<int64_t>());
        throw Error("the feature network gave NaN or Inf features for " + files[first].string() + " (" +
                    std::to_string(bad.size(0)) + " of " + std::to_string(group.size()) +
                    " images of its batch); check the image and the network weights");
      }
      a = z;
    }
    start = stop;
  }
  return torch::cat(rows, 0);
}

}  // namespace egsde::metrics
