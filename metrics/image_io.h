// Image decoding and listing as the official evaluation sees images.
// Decoding equals PIL's `Image.open(p).convert('RGB')` bit for bit for JPEG (both use the
// system libjpeg-turbo) and PNG: EXIF orientation is NOT applied (PIL's open does not), a
// grayscale image is replicated to three channels, an alpha channel is dropped.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace egsde::metrics {

// An RGB image as a CPU uint8 tensor [H, W, 3] (contiguous, row-major like PIL's buffer).
using ImageU8 = torch::Tensor;

// Reads `path` as 8-bit RGB. Throws egsde::Error naming the file when it is missing or cannot
// be decoded.
ImageU8 read_image_rgb(const std::filesystem::path& path);

// Writes an [H, W, 3] uint8 image; a .jpg/.jpeg name is written as JPEG with `jpeg_quality`
// (4:2:0 like PIL's default), anything else by extension (PNG lossless). Atomic.
void write_image_rgb(const std::filesystem::path& path, const ImageU8& image, int jpeg_quality = 75);

// True for the extensions the official evaluation reads (bmp jpg jpeg pgm png ppm tif tiff
// webp), compared case-insensitively.
bool is_image_file(const std::filesystem::path& path);

// The image files directly inside `dir` (not recursive), sorted by file name byte order (the
// order of Python's sorted() on the official file lists). Throws egsde::Error if `dir` is not a
// directory.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir);

}  // namespace egsde::metrics
