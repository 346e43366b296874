// Training images for the demo's networks (issue 7): Fashion-MNIST classes straight from the
// Debian package's IDX files (the same pixels `egsde fmnist-prepare` writes as PNG: 32×32,
// gray replicated to RGB), held in memory, and seeded random minibatches.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/fashion_mnist.h"
#include "datasets/labeled_folders.h"

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

// A training batch of labeled folders as run_train_dse.py gets one, next(iter(DataLoader(
// shuffle=True))): min(batch_size, N) distinct images (the first of a fresh random permutation),
// through the rest of the official train transform: RandomHorizontalFlip(p=0.5) per image (when
// `flip`), ToTensor, then 2x − 1. x0 float32 [B, 3, S, S] in [−1, 1], labels int64 [B]; CPU.
// The rest of the official transform on held uint8 pixels [N, 3, S, S]: ToTensor, then 2x − 1
// (float32 in [−1, 1]).
torch::Tensor to_model_range(const torch::Tensor& images_u8);

struct FolderBatch {
  torch::Tensor x0, labels;
};
FolderBatch draw_folder_batch(const LabeledFolders& data, int64_t batch_size, torch::Generator& gen, bool flip = true);

}  // namespace egsde::train
