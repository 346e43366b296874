// FID statistics as HDF5: datasets `mu` [D] and `sigma` [D, D] (float64) in the root group, and
// root attributes `protocol`, `weights` (strings) and `count` (int64, images summarised). The
// same content as pytorch-fid's .npz plus provenance; readable by h5py (f["mu"][()]).
#pragma once
#include <filesystem>

#include "metrics/fid_stats.h"

namespace egsde::metrics {

// Reads mu and sigma (any floating type on disk, returned float64) and, when `meta` is given,
// the attributes that are present. Throws egsde::Error naming the file.
Gaussian read_fid_stats_h5(const std::filesystem::path& path, FidStatsMeta* meta = nullptr);

// Writes a temp file next to `path`, then renames it over `path` (atomic).
void write_fid_stats_h5(const std::filesystem::path& path, const Gaussian& g, const FidStatsMeta& meta = {});

}  // namespace egsde::metrics
