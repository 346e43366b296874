// Fashion-MNIST from Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist:
// gzip'd IDX files, 60k train / 10k test, 28×28 grayscale, labels 0–9) as class folders of PNGs
// for the embedded demo:
//   <out>/<split>/<class name>/<index in split, 5 digits>.png
// Size: 32×32 — the 28×28 image padded by 2 black pixels on each side (the ADM networks need a
// power-of-two size; FMNIST's background is 0). Channels: the gray value replicated to RGB
// (the networks and the metrics take 3 channels; PNG RGB, lossless).
// <out>/manifest.json lists every file with its FNV-1a 64 digest; preparing again verifies it
// and writes nothing when it matches (idempotent).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace egsde {

inline const std::filesystem::path kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// The 10 class names, index = label (file-system friendly spelling of the official names).
const std::vector<std::string>& fashion_mnist_classes();
int fashion_mnist_class(const std::string& name);  // throws egsde::Error naming the valid ones

struct FashionMnistSplit {
  torch::Tensor images;  // uint8 [N, 28, 28]
  torch::Tensor labels;  // int64 [N]
};

// Reads <dir>/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. split: "train" or "test".
FashionMnistSplit read_fashion_mnist(const std::string& split, const std::filesystem::path& dir = kFashionMnistDir);

// The demo's image: [32, 32, 3] uint8 (padded, gray replicated).
torch::Tensor fashion_mnist_rgb32(const torch::Tensor& image28);

struct PrepareReport {
  int64_t written = 0, unchanged = 0;
};

// Writes the class folders of `classes` (all when empty) for `splits`; see the header comment.
PrepareReport prepare_fashion_mnist(const std::filesystem::path& out, const std::vector<std::string>& splits,
                                    const std::vector<std::string>& classes,
                                    const std::filesystem::path& dir = kFashionMnistDir);

}  // namespace egsde
