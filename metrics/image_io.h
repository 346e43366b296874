// Image listing as the official evaluation sees folders. Decoding and encoding are core's
// (core/image_io.h: equal to PIL's `Image.open(p).convert('RGB')` bit for bit for JPEG and PNG).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/image_io.h"

namespace egsde::metrics {

// The image files of `dir` by egsde's one listing rule (core/image_list.h: the official
// dataset's extensions, recursive, sorted by path), so that the metrics see the images translate
// and run read. Throws egsde::Error if `dir` is not a directory.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir);

}  // namespace egsde::metrics
