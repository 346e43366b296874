// egsde's one image listing, the official dataset's (datasets/basedataset.make_dataset +
// namedataset): every file under the folder (recursively, following links) whose name ends with
// one of IMG_EXTENSIONS (case-sensitive: .jpg .JPG .jpeg .JPEG .png .PNG .ppm .PPM .bmp .BMP .tif
// .TIF .tiff .TIFF), sorted by path; with several folders (multi-domain), each folder's sorted
// list in turn. The output name is the file name. Folders in `exclude` (an output folder inside
// a source folder) are not entered. translate, run, eval/metrics and report all list through it
// (scripts/reproduce.sh counts with the same rule in `find`).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace egsde {

struct SourceImage {
  std::filesystem::path path;
  std::string name;  // file name, kept for the output
};

// The image files under `dir` by the rule above (empty when it holds none). Throws
// egsde::Error when `dir` does not exist or is a file.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& dir,
                                                    const std::vector<std::filesystem::path>& exclude = {});

// Throws egsde::Error when a folder does not exist, is a file, or holds no image.
std::vector<SourceImage> list_source_images(const std::vector<std::filesystem::path>& folders,
                                            const std::vector<std::filesystem::path>& exclude = {});

// Throws egsde::Error naming both files when two images of `images` have the same file name
// (their outputs, records and metric pairs would collide); `what` names the listing.
void require_distinct_names(const std::vector<std::filesystem::path>& images, const std::string& what);

bool is_image_file(const std::string& name);

}  // namespace egsde
