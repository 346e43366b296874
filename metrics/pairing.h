// Which source image each translated image is compared with: by name, translated
// "<stem>.<any>" ↔ source "<stem>.jpg" (or the one source of that stem), stem = text before the
// first '.', as the official L2 pairs (tool/eval_score.py calculate_l2_given_paths).
// The official MSE/PSNR/SSIM pair by sorted order instead (i-th sorted translated ↔ i-th sorted
// source, aligndataset): the same pairs whenever every translated image has its source at the
// same sorted position. egsde scores every metric by name (a missing image must not shift the
// pairs, issue 19); when the sorted-order pairing would differ a warning says so, and when the
// translated images cover only some of the sources a note says how many.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace egsde::metrics {

struct Pairing {
  std::vector<std::filesystem::path> translated;  // sorted
  std::vector<std::filesystem::path> by_name;     // partner of translated[i] by stem
  std::vector<std::filesystem::path> by_order;    // i-th sorted source image (the official MSE/PSNR/SSIM pairing)
  std::vector<std::string> warnings;              // e.g. the two pairings disagree
  std::vector<std::string> notes;                 // e.g. the translated images cover 5 of 20 sources
  std::size_t sources = 0;                        // images in the source folder
};

// The official stem: the file name up to its first '.'.
std::string official_stem(const std::filesystem::path& file);

// Pairs the images of `translated_dir` with those of `source_dir`. A source "<stem>.jpg" is
// preferred (official), any other image extension is accepted. Throws egsde::Error listing every
// translated image without a partner, on an ambiguous partner, on an empty folder, or when two
// translated images have the same partner.
Pairing pair_images(const std::filesystem::path& translated_dir, const std::filesystem::path& source_dir);

// The same with the source images given (sorted, as list_images gives them; e.g. the first N
// of a run's plan); `source_dir` names them in messages.
Pairing pair_images(const std::filesystem::path& translated_dir, const std::vector<std::filesystem::path>& sources,
                    const std::filesystem::path& source_dir);

}  // namespace egsde::metrics
