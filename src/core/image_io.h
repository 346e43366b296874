// Image files in and out as the official code reads and writes them:
//  - in:  datasets/basedataset.namedataset: PIL Image.open(path).convert('RGB'), then
//         torchvision Resize(image_size, BICUBIC), ToTensor (/255) and rescale (2x − 1).
//         Decoding is OpenCV's, through the same libjpeg/libpng as Pillow here (Debian's
//         libjpeg62-turbo): cv::imread + BGR→RGB gave PIL's pixels exactly on the JPEGs checked
//         (0 differing pixels; tests/unit/test_image_io.cpp keeps checking it against PIL's
//         output); EXIF orientation is ignored, as PIL does.
//  - out: torchvision.utils.save_image of inverse_rescale(y): uint8 = trunc(clamp(x·255 + 0.5)),
//         format from the file name; JPEG at Pillow's defaults (quality 75, 4:2:0), which
//         OpenCV's encoder reproduces byte for byte here.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace egsde {

// Decodes `path` to uint8 RGB [H, W, 3]. Grayscale is replicated and alpha dropped
// (PIL convert('RGB')); `*note` then says so ("" otherwise). What libpng / libjpeg print while
// decoding ("libpng warning: tEXt: CRC error", "Premature end of JPEG file")
// never reaches stderr raw: it is added to `*note`, or without `note` printed as one
// "egsde: warning: PATH: …" line. Throws egsde::Error naming the file.
torch::Tensor read_image_rgb(const std::filesystem::path& path, std::string* note = nullptr);

// torchvision Resize(image_size, BICUBIC) on uint8 RGB [H, W, 3]: the shorter side becomes
// image_size by Pillow's bicubic (core/pil_resize.h), the image handed on untouched when it
// already has that size. Returns uint8 [H', W', 3].
torch::Tensor resize_shorter_side(const torch::Tensor& rgb_u8, int64_t image_size);

// The official test transform: resize_shorter_side, ToTensor, ×2 − 1. Returns float32 [3, H', W'].
torch::Tensor source_tensor(const torch::Tensor& rgb_u8, int64_t image_size);

// inverse_rescale then save_image's quantisation: float [3, H, W] in [−1, 1] → uint8 [H, W, 3].
torch::Tensor to_image_u8(const torch::Tensor& y);

// Encodes uint8 RGB [H, W, 3] by the extension of `name` (.jpg/.jpeg: `jpeg_quality`, 75 being
// Pillow's default; .png lossless; .bmp, .ppm, .tif/.tiff, .webp). Throws egsde::Error for other
// extensions.
std::string encode_image(const torch::Tensor& rgb_u8, const std::string& name, int jpeg_quality = 75);

// encode_image + an atomic write.
void write_image(const std::filesystem::path& path, const torch::Tensor& rgb_u8, int jpeg_quality = 75);

}  // namespace egsde
