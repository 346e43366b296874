// FID (and KID) between two sides, each an image folder or a statistics file (.npz/.h5): the one
// computation behind evaluate_folders (egsde eval, egsde run) and egsde fid / fid-stats.
// Path rule: when both sides have their features at hand (image folders computed now, sqrtm not
// reference), tr sqrt(S1 S2) comes from the features (frechet_distance_features, "features");
// when a side has statistics only (a statistics file, or a folder served from the cache), from
// the covariances (frechet_distance with `sqrtm`, "factored" by default). The two exact paths
// agree to ~1e-15 relative (tests/parity/test_metrics_frechet.cpp).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/feature_network.h"
#include "metrics/frechet.h"
#include "metrics/kid.h"
#include "metrics/protocol.h"

namespace egsde::metrics {

struct DistanceOptions {
  FidProtocol protocol = FidProtocol::OfficialAfhq;
  int batch_size = 50;  // images per feature-network batch (the official default)
  SqrtmMethod sqrtm = SqrtmMethod::Factored;  // of the statistics path; Reference also for folders
  std::filesystem::path cache;  // statistics cache folder ("" = none); which sides use it: the caller
  bool kid = false;             // also KID (needs the features of both sides: image folders)
  KidOptions kid_options;
};

// One side. `files` empty = a statistics file; `features` undefined = statistics only.
struct DistanceSide {
  std::filesystem::path path;
  std::vector<std::filesystem::path> files;
  Gaussian g;
  torch::Tensor features;  // [N, D] float64
  int64_t count = -1;      // images (-1 for a statistics file)
};

// The side's image files, checked before any feature is computed (so that a bad second side
// fails fast): it exists, is a statistics file (not with `need_features`) or holds >= 2 images.
DistanceSide checked_side(const std::filesystem::path& path, bool need_features);

// Reads the statistics file, or computes the folder's features and statistics. With a non-empty
// `cache`, computed statistics are stored there and, unless `need_features` (KID), the side is
// statistics only (read from the cache when it holds them).
void load_side(DistanceSide& side, FeatureNetwork& net, const DistanceOptions& opt, const std::filesystem::path& cache,
               bool need_features);

// {key: distance, "fid_sqrtm", "fid_eps_offset"} and, with opt.kid, {"kid", "kid_std",
// "kid_subsets", "kid_subset_size", "kid_seed"}. `key`: the network's distance_key().
nlohmann::json feature_distances(const DistanceSide& a, const DistanceSide& b, const DistanceOptions& opt,
                                 const std::string& key = "fid");

}  // namespace egsde::metrics
