// NumPy .npz archives (numpy.savez / savez_compressed): a zip file whose members are .npy files.
// Reads stored and deflated members, zip64 records included; writes stored members.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace egsde::metrics {

// Member name without ".npy" -> array. Throws egsde::Error naming the file on bad input.
std::map<std::string, torch::Tensor> read_npz(const std::filesystem::path& path);

// Writes the arrays as <name>.npy members (uncompressed, like numpy.savez). Atomic.
void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays);

}  // namespace egsde::metrics
