#include "train/train_data.h"

#include "core/error.h"

namespace egsde::train {

LabeledImages fashion_mnist_classes_data(const std::string& split, const std::vector<std::string>& classes,
                                         const std::filesystem::path& dir) {
  const auto data = read_fashion_mnist(split, dir);
  std::vector<int64_t> labels;  // package label -> our index, or -1
  labels.assign(fashion_mnist_classes().size(), -1);
  if (classes.empty()) {
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int64_t>(i);
  } else {
    for (size_t i = 0; i < classes.size(); ++i) labels[fashion_mnist_class(classes[i])] = static_cast<int64_t>(i);
  }
  std::vector<torch::Tensor> images;
  std::vector<int64_t> ours;
  const auto lab = data.labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < data.images.size(0); ++i) {
    const int64_t l = labels[lab[i]];
    if (l < 0) continue;
    images.push_back(fashion_mnist_rgb32(data.images[i]).permute({2, 0, 1}));
    ours.push_back(l);
  }
  if (images.empty()) throw Error("no Fashion-MNIST images of the requested classes in split " + split);
  LabeledImages out;
  out.images = torch::stack(images).to(torch::kFloat32).div_(255.0);
  out.labels = torch::tensor(ours, torch::kInt64);
  return out;
}

torch::Tensor sample_indices(int64_t n, int64_t batch_size, torch::Generator& gen) {
  return torch::randint(n, {batch_size}, gen, torch::kInt64);
}

FolderBatch draw_folder_batch(const LabeledFolders& data, int64_t batch_size, torch::Generator& gen, bool flip) {
  const int64_t n = data.images.size(0);
  const auto idx = torch::randperm(n, gen, torch::kInt64).slice(0, 0, std::min(batch_size, n));
  auto x = data.images.index_select(0, idx);
  if (flip) {
    const auto flipped = torch::rand({idx.size(0)}, gen) < 0.5;
    x = torch::where(flipped.view({-1, 1, 1, 1}), x.flip({3}), x);
  }
  return {to_model_range(x), data.labels.index_select(0, idx)};
}

torch::Tensor to_model_range(const torch::Tensor& images_u8) { return images_u8.to(torch::kFloat32).div(255) * 2 - 1.0; }

}  // namespace egsde::train
