// FID of image folders: features of every image under a protocol, their Gaussian statistics,
// and the Fréchet distance (tool/fid.py calculate_fid_given_paths, with the file list of
// compute_statistics_of_path: the image files of the folder, sorted).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "metrics/frechet.h"
#include "metrics/protocol.h"

namespace egsde::metrics {

// The feature network: a batch [N, 3, H, W] of fid_input tensors -> [N, D] features.
using FeatureFn = std::function<torch::Tensor(const torch::Tensor&)>;

struct FeatureOptions {
  FidProtocol protocol = FidProtocol::OfficialAfhq;
  int batch_size = 50;  // the official default; consecutive images of one size share a batch
};

// Features of `files` in order, float64 [N, D]. Images are decoded and preprocessed in
// parallel; batches go to `net` one at a time. Throws egsde::Error naming an unreadable file.
torch::Tensor image_features(const std::vector<std::filesystem::path>& files, const FeatureFn& net,
                             const FeatureOptions& opt = {});

}  // namespace egsde::metrics
