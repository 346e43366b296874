// NumPy .npy files (format 1.0/2.0/3.0, C order, little endian): float32, float64, int32,
// int64, uint8, bool. Writes are atomic (temp file + rename).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace egsde {

// Reads a .npy file into a CPU tensor of the matching dtype. Throws egsde::Error on bad input.
torch::Tensor read_npy(const std::filesystem::path& path);

// Writes a CPU-contiguous copy of `t` as .npy (dtype kept). Atomic.
void write_npy(const std::filesystem::path& path, const torch::Tensor& t);

// The same from bytes in memory (e.g. a member of an .npz); `what` names the source in errors.
torch::Tensor parse_npy(std::string_view bytes, const std::string& what);

// The .npy encoding of a CPU-contiguous copy of `t` (what write_npy writes).
std::string npy_bytes(const torch::Tensor& t);

}  // namespace egsde
