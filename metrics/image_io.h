// Image listing as the official evaluation sees folders. Decoding and encoding are core's
// (core/image_io.h: equal to PIL's `Image.open(p).convert('RGB')` bit for bit for JPEG and PNG).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/image_io.h"

namespace egsde::metrics {

// True for the extensions the official evaluation reads (bmp jpg jpeg pgm png ppm tif tiff
// webp), compared case-insensitively.
bool is_image_file(const std::filesystem::path& path);

// The image files directly inside `dir` (not recursive), sorted by file name byte order (the
// order of Python's sorted() on the official file lists). Throws egsde::Error if `dir` is not a
// directory.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir);

}  // namespace egsde::metrics
