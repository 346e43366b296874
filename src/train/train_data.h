// Training images for the demo's networks (issue 7): Fashion-MNIST classes straight from the
// Debian package's IDX files (the same pixels `egsde fmnist-prepare` writes as PNG: 32×32,
// gray replicated to RGB), held in memory, and seeded random minibatches.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/fashion_mnist.h"

namespace egsde::train {

struct LabeledImages {
  torch::Tensor images;  // float32 [N, 3, 32, 32] in [0, 1] (torchvision ToTensor)
  torch::Tensor labels;  // int64 [N]: the index of the class in the requested list
};

// The images of `classes` (names as fashion_mnist_classes(); all 10 in label order when empty)
// from `split` ("train" / "test").
LabeledImages fashion_mnist_classes_data(const std::string& split, const std::vector<std::string>& classes,
                                         const std::filesystem::path& dir = kFashionMnistDir);

// A minibatch of `batch_size` indices drawn uniformly with replacement from `gen`.
torch::Tensor sample_indices(int64_t n, int64_t batch_size, torch::Generator& gen);

}  // namespace egsde::train
