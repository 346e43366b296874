// NumPy .npy files (format 1.0/2.0/3.0, C order, little endian): float32, float64, int32,
// int64, uint8, bool. Writes are atomic (temp file + rename).
#pragma once
#include <torch/torch.h>

#include <filesystem>

namespace egsde {

// Reads a .npy file into a CPU tensor of the matching dtype. Throws egsde::Error on bad input.
torch::Tensor read_npy(const std::filesystem::path& path);

// Writes a CPU-contiguous copy of `t` as .npy (dtype kept). Atomic.
void write_npy(const std::filesystem::path& path, const torch::Tensor& t);

}  // namespace egsde
