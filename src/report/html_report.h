// `egsde report`: one self-contained index.html for a spec's results, readable offline from the
// file system (no network fonts, scripts or images): the table (mean ± std, n, the paper's value
// and Δ), the differences between methods, the trade-off plot (inline SVG), the sample grid, a
// per-image browser and the provenance of every run.
//
// Images are embedded as data: URIs (thumbnails), not linked: the page then survives being
// copied off the cluster, attached or committed, while the runs folder it came from is scratch
// space that is moved or deleted; thumbnails keep 500 sources × 4 methods at a few MB.
//
// The browser honours a query string, so a view can be shared or checked by a script:
//   index.html?sort=egsde.l2&order=desc&page=0&size=50&filter=egsde.ssim&min=0.4&max=0.9&name=sandal
// (sort/filter keys: "name" or "<method>.<metric>", method as in specs: egsde, sdedit, ilvr,
// egsde-dagger). Each rendered row carries data-name and data-sort-value; the body gets
// data-ready="1" when the script has run, and #errors lists any script error.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/table_writers.h"

namespace egsde::report {

struct BrowserColumn {
  std::string key;     // "egsde" (the spec's method name)
  std::string title;   // "EGSDE"
  std::string run_id;  // the run shown: repeat 0 at the default grid point
};

struct BrowserCell {
  std::string image_uri;                  // data:image/...; "" = not translated (yet)
  std::map<std::string, double> scores;   // per-image l2, mse, psnr, ssim (per_image.h5)
};

struct BrowserRow {
  std::string name;        // source file name
  std::string source_uri;  // the source's thumbnail
  std::vector<BrowserCell> cells;  // one per column
};

struct ImageBrowser {
  std::vector<BrowserColumn> columns;
  std::vector<std::string> metrics;  // per-image metrics offered for sorting/filtering
  std::vector<BrowserRow> rows;      // in the source list's order
  int thumb = 64;                    // thumbnail size in pixels (CSS width of every image)
};

struct HtmlPage {
  const Table* table = nullptr;
  std::string tradeoff_svg;        // tradeoff_svg() output
  std::string samples_uri;         // samples.png as a data: URI; "" = none
  ImageBrowser browser;
  nlohmann::json runs = nlohmann::json::array();  // run_provenance() rows
  std::vector<std::string> notes;  // what could not be shown, and why
};

// The page, from what write_report gathered (pure: no file access).
std::string render_html(const HtmlPage& page);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(const std::string& s);

}  // namespace egsde::report
