// FID statistics files: pytorch-fid's .npz (arrays `mu` [D] and `sigma` [D, D]; the format of
// published reference statistics, read by tool/fid.py compute_statistics_of_path) and folders.
#pragma once
#include <filesystem>
#include <string>

#include "metrics/fid.h"
#include "metrics/frechet.h"

namespace egsde::metrics {

// True when `path` names a statistics file (.npz) rather than a folder of images.
bool is_stats_file(const std::filesystem::path& path);

// Reads mu and sigma (any D, stored as float32 or float64; returned float64). Throws
// egsde::Error naming the file when a key is missing or the shapes disagree.
Gaussian read_fid_stats_npz(const std::filesystem::path& path);

// Writes mu and sigma as float64 .npz readable by numpy.load / pytorch-fid. Atomic.
void write_fid_stats_npz(const std::filesystem::path& path, const Gaussian& g);

}  // namespace egsde::metrics
