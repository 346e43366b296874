// The source images of a translation, listed as the official dataset lists them
// (datasets/basedataset.make_dataset + namedataset): every file under the folder (recursively,
// following links) whose name ends with one of IMG_EXTENSIONS (case-sensitive: .jpg .JPG .jpeg
// .JPEG .png .PNG .ppm .PPM .bmp .BMP .tif .TIF .tiff .TIFF), sorted by path; with several
// folders (multi-domain), each folder's sorted list in turn. The output name is the file name.
// Folders in `exclude` (an output folder inside a source folder) are not entered.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace egsde {

struct SourceImage {
  std::filesystem::path path;
  std::string name;  // file name, kept for the output
};

// Throws egsde::Error when a folder does not exist, is a file, or holds no image.
std::vector<SourceImage> list_source_images(const std::vector<std::filesystem::path>& folders,
                                            const std::vector<std::filesystem::path>& exclude = {});

bool is_image_file(const std::string& name);

}  // namespace egsde
