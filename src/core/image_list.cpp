#include "core/image_list.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace egsde {

bool is_image_file(const std::string& name) {
  static const char* kExtensions[] = {".jpg", ".JPG", ".jpeg", ".JPEG", ".png", ".PNG", ".ppm",
                                      ".PPM", ".bmp", ".BMP", ".tif", ".TIF", ".tiff", ".TIFF"};
  for (const char* ext : kExtensions) {
    const std::string e(ext);
    if (name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& dir,
                                                    const std::vector<std::filesystem::path>& exclude) {
  namespace fs = std::filesystem;
  auto excluded = [&](const fs::path& d) {
    std::error_code ec;
    for (const auto& x : exclude)
      if (fs::equivalent(d, x, ec)) return true;  // the same folder, however it is spelled or linked
    return false;
  };
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw Error("source " + dir.string() + " is a file, not a folder; give the folder that holds the images");
  if (!fs::is_directory(dir, ec)) throw Error("source folder " + dir.string() + " does not exist");
  std::vector<std::string> paths;  // os.path.join(root, fname), sorted as strings
  const auto opts = fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(dir, opts); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory()) {
      if (!exclude.empty() && excluded(it->path())) it.disable_recursion_pending();
      continue;
    }
    if (is_image_file(it->path().filename().string())) paths.push_back(it->path().string());
  }
  std::sort(paths.begin(), paths.end());
  return {paths.begin(), paths.end()};
}

std::vector<SourceImage> list_source_images(const std::vector<std::filesystem::path>& folders,
                                            const std::vector<std::filesystem::path>& exclude) {
  std::vector<SourceImage> all;
  for (const auto& dir : folders) {
    const auto paths = list_image_files(dir, exclude);
    if (paths.empty()) throw Error("source folder " + dir.string() + " holds no images (.jpg, .png, .ppm, .bmp, .tif)");
    for (const auto& p : paths) all.push_back({p, p.filename().string()});
  }
  return all;
}

void require_distinct_names(const std::vector<std::filesystem::path>& images, const std::string& what) {
  std::map<std::string, const std::filesystem::path*> first;
  for (const auto& p : images) {
    const auto [it, fresh] = first.emplace(p.filename().string(), &p);
    if (!fresh)
      throw Error(what + ": " + it->second->string() + " and " + p.string() + " have the same file name '" +
                  it->first + "' (outputs and records are named by it); rename one or remove it");
  }
}

}  // namespace egsde
