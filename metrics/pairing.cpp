#include "metrics/pairing.h"

#include <map>

#include "core/error.h"
#include "metrics/image_io.h"

namespace egsde::metrics {
namespace fs = std::filesystem;

std::string official_stem(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.substr(0, name.find('.'));
}

Pairing pair_images(const fs::path& translated_dir, const fs::path& source_dir) {
  return pair_images(translated_dir, list_images(source_dir), source_dir);
}

Pairing pair_images(const fs::path& translated_dir, const std::vector<fs::path>& sources, const fs::path& source_dir) {
  Pairing p;
  p.translated = list_images(translated_dir);
  if (p.translated.empty()) throw Error("no images in " + translated_dir.string() + " (expected .png/.jpg files)");
  if (sources.empty()) throw Error("no images in " + source_dir.string() + " (expected .png/.jpg files)");

  std::map<std::string, std::vector<fs::path>> by_stem;
  for (const auto& s : sources) by_stem[official_stem(s)].push_back(s);

  std::vector<std::string> missing, ambiguous;
  for (const auto& t : p.translated) {
    const std::string stem = official_stem(t);
    auto it = by_stem.find(stem);
    fs::path match;
    if (it != by_stem.end()) {
      for (const auto& s : it->second) {
        if (s.filename() == stem + ".jpg") match = s;
      }
      if (match.empty()) {
        if (it->second.size() == 1) match = it->second.front();
        else ambiguous.push_back(t.filename().string());
      }
    } else {
      missing.push_back(t.filename().string());
    }
    p.by_name.push_back(match);
  }
  auto list = [](const std::vector<std::string>& names) {
    std::string s;
    for (size_t i = 0; i < names.size() && i < 10; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > 10) s += ", … (" + std::to_string(names.size()) + " in all)";
    return s;
  };
  if (!missing.empty()) {
    throw Error(std::to_string(missing.size()) + " translated image(s) in " + translated_dir.string() +
                " have no source image with the same name in " + source_dir.string() + ": " + list(missing) +
                " (a translated image keeps its source's name; any extension)");
  }
  if (!ambiguous.empty()) {
    throw Error("ambiguous source images in " + source_dir.string() + " for " + list(ambiguous) +
                ": several files share the name before the first '.' and none is <name>.jpg; keep one");
  }
  std::map<fs::path, fs::path> partner_of;  // source → its first translated image
  for (size_t i = 0; i < p.translated.size(); ++i) {
    const auto [it, fresh] = partner_of.emplace(p.by_name[i], p.translated[i]);
    if (!fresh)
      throw Error("translated images " + it->second.filename().string() + " and " + p.translated[i].filename().string() +
                  " in " + translated_dir.string() + " both pair with " + p.by_name[i].string() +
                  " (same name before the first '.'); keep one");
  }
  p.sources = sources.size();
  if (p.translated.size() < sources.size())
    p.notes.push_back("the " + std::to_string(p.translated.size()) + " translated images cover " +
                      std::to_string(p.translated.size()) + " of the " + std::to_string(sources.size()) +
                      " source images in " + source_dir.string() + "; evaluating those pairs (paired by name)");
  // The official sorted-order partners, for the warning and the per-image listing.
  p.by_order.assign(sources.begin(), sources.begin() + static_cast<std::ptrdiff_t>(p.translated.size()));
  size_t differ = 0, first = 0;
  for (size_t i = 0; i < p.translated.size(); ++i) {
    if (p.by_order[i] != p.by_name[i] && differ++ == 0) first = i;
  }
  if (differ > 0) {
    p.warnings.push_back("the official MSE/PSNR/SSIM (sorted order) would pair " + std::to_string(differ) + " of " +
                         std::to_string(p.translated.size()) + " images with another source (first: " +
                         p.translated[first].filename().string() + " with " + p.by_order[first].filename().string() +
                         "); egsde pairs by name (" + p.by_name[first].filename().string() + ")");
  }
  return p;
}

}  // namespace egsde::metrics
