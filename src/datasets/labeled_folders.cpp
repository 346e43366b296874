#include "datasets/labeled_folders.h"

#include "core/error.h"
#include "core/image_io.h"
#include "core/image_list.h"

namespace egsde {
namespace fs = std::filesystem;

void check_domain_count(const std::vector<fs::path>& folders) {
  if (folders.size() < 2)
    throw Error("--domains needs at least two folders, one per class in label order (got " +
                std::to_string(folders.size()) + "); e.g. --domains data/train/cat,data/train/dog");
}

namespace {

// `option` names the command's flag in errors ("--domains" / "--images").
LabeledFolders read_folders(const std::vector<fs::path>& folders, int64_t image_size, bool skip_bad,
                            const std::string& option) {
  LabeledFolders out;
  std::vector<torch::Tensor> images;
  std::vector<int64_t> labels;
  for (size_t d = 0; d < folders.size(); ++d) {
    const auto files = list_image_files(folders[d]);
    if (files.empty())
      throw Error(option + ": " + folders[d].string() +
                  " holds no image (searched recursively for .jpg .jpeg .png .ppm .bmp .tif .tiff); " +
                  (option == "--domains" ? "put the domain's images there or leave the folder out"
                                         : "put the training images there"));
    int64_t kept = 0;
    for (const auto& f : files) {
      torch::Tensor rgb;
      try {
        rgb = read_image_rgb(f);
      } catch (const Error& e) {
        if (!skip_bad)
          throw Error(std::string(e.what()) + "; fix or remove the file, or pass --skip-bad to leave unreadable images out");
        out.skipped.push_back(f);
        continue;
      }
      const torch::Tensor img = resize_shorter_side(rgb, image_size);
      if (img.size(0) != image_size || img.size(1) != image_size)
        throw Error(option + ": " + f.string() + " is " + std::to_string(rgb.size(1)) + "x" +
                    std::to_string(rgb.size(0)) + ", which Resize(" + std::to_string(image_size) + ") makes " +
                    std::to_string(img.size(1)) + "x" + std::to_string(img.size(0)) +
                    "; the training batches need square images: crop the domain's images to a square first");
      images.push_back(img.permute({2, 0, 1}).contiguous());
      labels.push_back(static_cast<int64_t>(d));
      out.paths.push_back(f);
      ++kept;
    }
    if (kept == 0)
      throw Error(option + ": no readable image in " + folders[d].string() + " (" + skipped_summary(out.skipped) + ")");
    out.counts.push_back(kept);
  }
  out.images = torch::stack(images);
  out.labels = torch::tensor(labels, torch::kInt64);
  return out;
}

}  // namespace

LabeledFolders read_labeled_folders(const std::vector<fs::path>& folders, int64_t image_size, bool skip_bad) {
  check_domain_count(folders);
  return read_folders(folders, image_size, skip_bad, "--domains");
}

LabeledFolders read_image_folder(const fs::path& folder, int64_t image_size, bool skip_bad) {
  return read_folders({folder}, image_size, skip_bad, "--images");
}

std::string domain_name(const fs::path& folder) {
  const fs::path p = folder.lexically_normal();
  return p.has_filename() ? p.filename().string() : p.parent_path().filename().string();
}

std::string skipped_summary(const std::vector<fs::path>& skipped, size_t max_names) {
  std::string s = std::to_string(skipped.size()) + " unreadable image(s) skipped";
  for (size_t i = 0; i < skipped.size() && i < max_names; ++i) s += (i == 0 ? ": " : ", ") + skipped[i].string();
  if (skipped.size() > max_names) s += " (and " + std::to_string(skipped.size() - max_names) + " more)";
  return s;
}

}  // namespace egsde
