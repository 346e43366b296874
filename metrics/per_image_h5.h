// Per-image records of an evaluated folder as one HDF5 file (what `egsde run` writes to
// OUT/<run>/per_image.h5): datasets image (names), l2, mse, psnr, ssim (the official eval's
// per-image values), noise_seed (int64, the per-sample generator's seed, bit for bit) and
// seconds (translation time per image); string attributes from `attrs`. Written atomically.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "metrics/pairwise.h"

namespace egsde::metrics {

void write_per_image_h5(const std::filesystem::path& path, const std::vector<PerImageScores>& rows,
                        const std::vector<int64_t>& noise_seed, const std::vector<double>& seconds,
                        const std::map<std::string, std::string>& attrs);

}  // namespace egsde::metrics
