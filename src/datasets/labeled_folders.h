// Labeled image folders for training a classifier of domains: the official labeldataset
// (datasets/basedataset.py), one folder per class, class i = the i-th folder given, each
// folder's images by egsde's one listing (core/image_list.h, the official make_dataset rule),
// decoded as PIL convert('RGB') (core/image_io.h) and resized as the official train transform's
// first step, Resize(image_size, BICUBIC) (Pillow-exact). The resized pixels are held in memory
// as uint8; the random part of the transform (flip) and ToTensor come per batch (train/).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace egsde {

struct LabeledFolders {
  torch::Tensor images;  // uint8 [N, 3, S, S], S = image_size
  torch::Tensor labels;  // int64 [N]: the index of the image's folder in the list
  std::vector<std::filesystem::path> paths;      // the N images, in order
  std::vector<int64_t> counts;                   // images per folder
  std::vector<std::filesystem::path> skipped;    // unreadable images left out (skip_bad)
};

// Throws egsde::Error (one line naming the folder or file and what to do) for fewer than two
// folders, a folder that does not exist or holds no image, an unreadable image (unless
// `skip_bad`: then it is left out and listed in `skipped`; a folder left empty still fails) and
// an image that Resize(image_size) does not make square (the official batches stack images).
LabeledFolders read_labeled_folders(const std::vector<std::filesystem::path>& folders, int64_t image_size,
                                    bool skip_bad);

// One folder of training images (train-score --images): the same listing, decoding, Resize and
// checks as read_labeled_folders with one class (every label 0); errors name --images.
LabeledFolders read_image_folder(const std::filesystem::path& folder, int64_t image_size, bool skip_bad);

// The first check of read_labeled_folders, for a command to make before slower ones: throws the
// one-line error for fewer than two folders.
void check_domain_count(const std::vector<std::filesystem::path>& folders);

// The class name of a domain folder: its last component ("data/train/cat/" -> "cat").
std::string domain_name(const std::filesystem::path& folder);

// "N unreadable image(s) skipped: a, b, … (and K more)" naming at most `max_names` files.
std::string skipped_summary(const std::vector<std::filesystem::path>& skipped, size_t max_names = 10);

}  // namespace egsde
