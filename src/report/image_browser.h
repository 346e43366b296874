// What the report page shows of the images and the runs, gathered from an output root of
// `egsde run`: thumbnails of each source and of each method's translation, the per-image scores
// (OUT/<run>/per_image.h5), and one provenance row per run (OUT/<run>/run.json, metrics.json).
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/html_report.h"

namespace egsde::report {

// `columns`: the run shown for each method (repeat 0 at its default grid point); `names` and
// `sources`: the source list as the plan has it (runner::list_images). Sources no column
// translated (beyond max_images) are left out with a note. Thumbnails are `thumb` pixels square (PNG).
// Unreadable images or score files become notes, not errors.
ImageBrowser collect_image_browser(const std::vector<const RunResult*>& columns, const std::filesystem::path& runs_root,
                                   const std::vector<std::string>& names,
                                   const std::vector<std::filesystem::path>& sources, int thumb,
                                   std::vector<std::string>& notes);

// One row per run: id, label, repeat, images, devices, and who translated and evaluated it
// ("egsde 0.1.0 @ <commit>, libtorch …" from the run record's last session and metrics.json).
nlohmann::json run_provenance(const std::vector<RunResult>& runs, const std::filesystem::path& runs_root);

// Bytes, or a file's bytes, as a data: URI of type `mime` ("image/png").
std::string data_uri(const std::string& bytes, const std::string& mime);
std::string file_data_uri(const std::filesystem::path& file, const std::string& mime);

}  // namespace egsde::report
