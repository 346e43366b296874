// Reference statistics computed once: FID statistics of an image folder cached as
// <cache_dir>/<key>.npz (pytorch-fid format), key = digest of the sorted file list, every file's
// bytes, the protocol and the network weights. Any change to one of them is a different key.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/digest.h"  // file_digest, used with the cache key
#include "metrics/fid.h"
#include "metrics/frechet.h"
#include "metrics/protocol.h"

namespace egsde::metrics {

// The cache key: hex digest over (protocol, weights_id, then name + bytes of each file in order).
std::string stats_cache_key(const std::vector<std::filesystem::path>& files, FidProtocol protocol,
                            const std::string& weights_id);

std::optional<Gaussian> load_cached_stats(const std::filesystem::path& cache_dir, const std::string& key);
void store_cached_stats(const std::filesystem::path& cache_dir, const std::string& key, const Gaussian& g);

// Statistics of an image folder (list_images order) or of an .npz file; with a non-empty
// `cache_dir`, folder statistics are read from / written to the cache.
Gaussian statistics_of(const std::filesystem::path& folder_or_npz, const FeatureFn& net, const FeatureOptions& opt,
                       const std::filesystem::path& cache_dir = {}, const std::string& weights_id = {});

}  // namespace egsde::metrics
