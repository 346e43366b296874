// FID statistics files: pytorch-fid's .npz (arrays `mu` [D] and `sigma` [D, D]; the format of
// published reference statistics, read by tool/fid.py compute_statistics_of_path), HDF5 (.h5,
// see h5_stats.h) and folders.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "metrics/fid.h"
#include "metrics/frechet.h"

namespace egsde::metrics {

// Provenance stored with HDF5 statistics (.npz holds mu and sigma only).
struct FidStatsMeta {
  std::string protocol;  // e.g. official-afhq
  std::string weights;   // digest of the Inception weights file
  int64_t count = -1;    // images summarised, -1 unknown
};

// True when `path` names a statistics file (.npz, .h5, .hdf5) rather than a folder of images.
bool is_stats_file(const std::filesystem::path& path);

// Reads mu and sigma (any D, stored as float32 or float64; returned float64). Throws
// egsde::Error naming the file when a key is missing or the shapes disagree.
Gaussian read_fid_stats_npz(const std::filesystem::path& path);

// Writes mu and sigma as float64 .npz readable by numpy.load / pytorch-fid. Atomic.
void write_fid_stats_npz(const std::filesystem::path& path, const Gaussian& g);

// By extension: .npz or .h5/.hdf5 (meta is filled from HDF5 attributes only). Anything else is
// an egsde::Error that names the accepted extensions.
Gaussian read_fid_stats(const std::filesystem::path& path, FidStatsMeta* meta = nullptr);
void write_fid_stats(const std::filesystem::path& path, const Gaussian& g, const FidStatsMeta& meta = {});

}  // namespace egsde::metrics
