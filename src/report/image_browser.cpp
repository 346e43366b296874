#include "report/image_browser.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "core/base64.h"
#include "core/error.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "metrics/per_image_h5.h"
#include "runner/spec.h"

namespace egsde::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A PNG thumbnail: images larger than `thumb` are resized (shorter side, Pillow bicubic, as the
// networks see them); smaller ones are kept as they are (the page scales them up, pixelated).
std::string thumbnail_uri(const fs::path& file, int thumb) {
  torch::Tensor rgb = read_image_rgb(file);
  if (std::max(rgb.size(0), rgb.size(1)) > thumb) rgb = to_image_u8(source_tensor(rgb, thumb));
  return data_uri(encode_image(rgb, "thumb.png"), "image/png");
}

// image name → metric → value, from a run's per_image.h5.
std::map<std::string, std::map<std::string, double>> scores_by_image(const fs::path& file) {
  std::map<std::string, std::map<std::string, double>> out;
  const metrics::PerImageRecords rec = metrics::read_per_image_h5(file);
  for (std::size_t i = 0; i < rec.image.size(); ++i)
    for (const auto& [metric, values] : rec.scores) out[rec.image[i]][metric] = values.at(i);
  return out;
}

std::string session_text(const json& prov) {
  if (!prov.is_object()) return "";
  return "egsde " + prov.value("egsde", std::string("?")) + " @ " + prov.value("commit", std::string("?")) + ", libtorch " +
         prov.value("libtorch", std::string("?"));
}

}  // namespace

std::string data_uri(const std::string& bytes, const std::string& mime) {
  return "data:" + mime + ";base64," + base64_encode(bytes);
}

std::string file_data_uri(const fs::path& file, const std::string& mime) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read " + file.string());
  return data_uri(std::string(std::istreambuf_iterator<char>(in), {}), mime);
}

ImageBrowser collect_image_browser(const std::vector<const RunResult*>& columns, const fs::path& runs_root,
                                   const std::vector<std::string>& names, const std::vector<fs::path>& sources,
                                   int thumb, std::vector<std::string>& notes) {
  ImageBrowser b;
  b.thumb = thumb;
  b.metrics = metrics::per_image_metrics();
  std::vector<std::map<std::string, std::map<std::string, double>>> scores;
  for (const RunResult* r : columns) {
    b.columns.push_back({runner::to_string(r->method), method_title(r->method), r->id});
    const fs::path h5 = runs_root / r->id / "per_image.h5";
    std::error_code ec;
    scores.emplace_back();
    if (!fs::exists(h5, ec)) {
      notes.push_back("images: run " + r->id + " (" + r->label + ") has no per_image.h5 yet: no per-image scores for " +
                      method_title(r->method));
      continue;
    }
    try {
      scores.back() = scores_by_image(h5);
    } catch (const Error& e) {
      notes.push_back(std::string("images: ") + e.what());
    }
  }
  // the classifier's verdict and p(target) when a run's evaluation had a classifier (the demo)
  for (const auto& m : metrics::per_image_classifier_columns()) {
    bool any = false;
    for (const auto& by_image : scores)
      for (const auto& [name, s] : by_image) any = any || s.count(m) > 0;
    if (any) b.metrics.push_back(m);
  }
  std::size_t unreadable = 0;
  const auto thumb_or_empty = [&](const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::string();
    try {
      return thumbnail_uri(file, thumb);
    } catch (const Error&) {
      ++unreadable;
      return std::string();
    }
  };
  std::size_t untranslated = 0;
  for (std::size_t i = 0; i < names.size() && i < sources.size(); ++i) {
    BrowserRow row;
    row.name = names[i];
    bool any = false;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      BrowserCell cell;
      cell.image_uri = thumb_or_empty(runs_root / columns[c]->id / "images" / row.name);
      any = any || !cell.image_uri.empty();
      if (const auto it = scores[c].find(row.name); it != scores[c].end()) cell.scores = it->second;
      row.cells.push_back(std::move(cell));
    }
    if (!any) {  // a source beyond the spec's max_images, or not reached yet
      ++untranslated;
      continue;
    }
    row.source_uri = thumb_or_empty(sources[i]);
    b.rows.push_back(std::move(row));
  }
  if (untranslated)
    notes.push_back("images: " + std::to_string(untranslated) + " of " + std::to_string(names.size()) +
                    " sources translated by none of the shown runs are left out");
  if (unreadable) notes.push_back("images: " + std::to_string(unreadable) + " images could not be decoded (shown empty)");
  return b;
}

json run_provenance(const std::vector<RunResult>& runs, const fs::path& runs_root) {
  json rows = json::array();
  for (const auto& r : runs) {
    json row = {{"id", r.id}, {"label", r.label}, {"repeat", r.repeat}};
    std::string devices;
    for (const auto& d : r.devices) devices += (devices.empty() ? "" : ", ") + d;
    row["devices"] = devices.empty() ? "\u2014" : devices;
    std::error_code ec;
    const fs::path dir = runs_root / r.id;
    if (fs::exists(dir / "run.json", ec)) {
      try {
        const json rec = read_json_file(dir / "run.json");
        if (rec.contains("sessions") && rec["sessions"].is_array() && !rec["sessions"].empty()) {
          const json& last = rec["sessions"].back();
          row["translated_by"] = session_text(last.value("provenance", json())) + " (" +
                                 std::to_string(rec["sessions"].size()) + " session" +
                                 (rec["sessions"].size() == 1 ? "" : "s") + ", last " + last.value("finished", std::string("?")) + ")";
        }
        if (rec.contains("items_done")) row["images"] = rec["items_done"];
      } catch (const Error&) {
        row["translated_by"] = "run.json unreadable";
      }
    }
    if (fs::exists(dir / "metrics.json", ec)) {
      try {
        row["evaluated_by"] = session_text(read_json_file(dir / "metrics.json").value("provenance", json()));
      } catch (const Error&) {
        row["evaluated_by"] = "metrics.json unreadable";
      }
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace egsde::report
