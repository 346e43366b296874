// `egsde report` opened in a real browser: the demo's smoke spec (16 images, 4 steps, ~5 s) is
// run, its report written, and Debian's headless Chromium (package chromium, installed by
// scripts/install-deps.sh) loads index.html from the file system. Checked: no console message
// and no script error, the table, plot, sample grid and image browser are in the rendered DOM,
// sorting/filtering/paging through the query string give the order and counts computed here from
// the runs' per_image.h5, and a screenshot is mostly not background.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <regex>
#include <sys/wait.h>

#include "common/test_util.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "metrics/per_image_h5.h"

namespace egsde {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = fs::path(EGSDE_FIXTURES_DIR).parent_path().parent_path();

int shell(const std::string& cmd, std::string* out) { return test::run_shell(cmd, out); }

class ReportBrowser : public ::testing::Test {
 protected:
  // The runs and report are made once for the suite. A failure here is kept and reported by every
  // test (an assertion in SetUpTestSuite makes GoogleTest >= 1.13 skip the tests, which ctest counts
  // as passing).
  static void SetUpTestSuite() { setup_error_ = prepare(); }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the suite's setup failed"; }

  static std::string prepare() {
    dir_ = test::temp_dir("report_browser");
    std::string log;
    if (shell("command -v chromium", &log) != 0)
      return "Debian's chromium is not installed: run scripts/install-deps.sh (it installs it for this test)";
    if (test::run_cli({"fmnist-prepare", "--out", (kRepo / "datasets/fashion_mnist/data").string(), "--split", "test",
                       "--classes", "sandal,sneaker"},
                      &log) != 0)
      return "egsde fmnist-prepare failed:\n" + log;
    const fs::path smoke = kRepo / "experiments/demo/smoke.json";
    if (test::run_cli({"run", smoke.string(), "--output", (dir_ / "runs").string(), "--quiet"}, &log) != 0)
      return "egsde run failed:\n" + log;
    if (log.find("egsde run: report: file://") == std::string::npos)
      return "egsde run does not print where its report is:\n" + log;
    if (test::run_cli({"report", smoke.string(), "--runs", (dir_ / "runs").string(), "--output",
                       (dir_ / "report").string(), "--no-reference"},
                      &log) != 0)
      return "egsde report failed:\n" + log;
    page_ = dir_ / "report" / "index.html";
    if (!fs::is_regular_file(page_)) return "egsde report wrote no " + page_.string() + ":\n" + log;
    return "";
  }

  // chromium's rendered DOM of index.html?query; *console: the page's console lines.
  static std::string dom(const std::string& query, std::string* console = nullptr) {
    const fs::path err = dir_ / "chromium.err";
    std::string out;
    const std::string cmd = "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                            "--user-data-dir=" + (dir_ / "profile").string() + " --enable-logging=stderr --v=0 "
                            "--dump-dom 'file://" + page_.string() + query + "' 2>" + err.string();
    EXPECT_EQ(shell(cmd, &out), 0) << cmd;
    if (console) {
      std::string lines;
      shell("grep ':CONSOLE' " + err.string() + " || true", &lines);
      *console = lines;
    }
    return out;
  }

  // (data-name, data-sort-value) of the rendered browser rows, in order.
  static std::vector<std::pair<std::string, std::string>> rows(const std::string& html) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::regex re("data-name=\"([^\"]*)\" data-sort-value=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator(); ++it)
      out.emplace_back((*it)[1], (*it)[2]);
    return out;
  }

  // name → l2 (or another metric) of the smoke spec's EGSDE run, from its per_image.h5.
  static std::vector<std::pair<std::string, double>> egsde_scores(const std::string& metric) {
    for (const auto& e : fs::directory_iterator(dir_ / "runs")) {
      if (!fs::exists(e.path() / "run.json")) continue;
      if (read_json_file(e.path() / "run.json").value("method", "") != "egsde") continue;
      const auto rec = metrics::read_per_image_h5(e.path() / "per_image.h5");
      std::vector<std::pair<std::string, double>> out;
      for (size_t i = 0; i < rec.image.size(); ++i) out.emplace_back(rec.image[i], rec.scores.at(metric)[i]);
      return out;
    }
    ADD_FAILURE() << "no EGSDE run under " << (dir_ / "runs");
    return {};
  }

  static fs::path dir_, page_;
  static std::string setup_error_;
};

fs::path ReportBrowser::dir_, ReportBrowser::page_;
std::string ReportBrowser::setup_error_;

TEST_F(ReportBrowser, RendersWithoutErrors) {
  std::string console;
  const std::string html = dom("", &console);
  EXPECT_EQ(console, "") << "the page logged to the console";
  EXPECT_NE(html.find("data-ready=\"1\""), std::string::npos) << "the browser script did not finish";
  EXPECT_NE(html.find("<pre id=\"errors\"></pre>"), std::string::npos) << "script errors on the page";
  EXPECT_NE(html.find("<table id=\"results\">"), std::string::npos);
  const auto plot = html.find("<div id=\"tradeoff-plot\">");
  ASSERT_NE(plot, std::string::npos);
  EXPECT_EQ(html.compare(plot + 24, 4, "<svg"), 0) << "the trade-off plot is not an inline SVG";
  EXPECT_NE(html.find("id=\"sample-grid\" alt=\"sample grid\" src=\"data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(rows(html).size(), 16u) << "16 sources, one page of 50";
  EXPECT_EQ(html.find("src=\"http"), std::string::npos) << "the page must load nothing from the network";
}

TEST_F(ReportBrowser, SortsFiltersAndPagesByTheQueryString) {
  auto l2 = egsde_scores("l2");
  ASSERT_EQ(l2.size(), 16u);
  std::stable_sort(l2.begin(), l2.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  const auto desc = rows(dom("?sort=egsde.l2&order=desc&size=5"));
  ASSERT_EQ(desc.size(), 5u);
  for (size_t i = 0; i < desc.size(); ++i) EXPECT_EQ(desc[i].first, l2[i].first) << "row " << i;
  const auto last_page = rows(dom("?sort=egsde.l2&order=asc&size=5&page=3"));
  ASSERT_EQ(last_page.size(), 1u) << "16 rows in pages of 5: the 4th page has one";
  EXPECT_EQ(last_page[0].first, l2.front().first) << "ascending, the largest L2 comes last";

  const auto ssim = egsde_scores("ssim");
  std::vector<double> v;
  for (const auto& [n, s] : ssim) v.push_back(s);
  std::sort(v.begin(), v.end());
  const double cut = v[v.size() / 2];
  const auto kept = rows(dom("?filter=egsde.ssim&min=" + std::to_string(cut) + "&sort=egsde.ssim"));
  size_t expected = 0;
  for (double s : v) expected += s >= std::stod(std::to_string(cut));
  EXPECT_EQ(kept.size(), expected);
  for (size_t i = 1; i < kept.size(); ++i) EXPECT_LE(std::stod(kept[i - 1].second), std::stod(kept[i].second));
}

// The demo's classifier verdict per image (per_image.h5 "verdict", whose mean is metrics.json's
// accuracy) is a browser column: filtering EGSDE's verdict to 1 leaves the images it calls "sneaker".
TEST_F(ReportBrowser, FiltersByTheClassifierVerdict) {
  const auto verdict = egsde_scores("verdict");
  ASSERT_EQ(verdict.size(), 16u);
  double accepted = 0;
  for (const auto& [name, v] : verdict) accepted += v;
  for (const auto& e : fs::directory_iterator(dir_ / "runs")) {
    if (!fs::exists(e.path() / "run.json") || read_json_file(e.path() / "run.json").value("method", "") != "egsde") continue;
    EXPECT_DOUBLE_EQ(accepted / 16, read_json_file(e.path() / "metrics.json")["accuracy"].get<double>());
  }
  const std::string html = dom("?filter=egsde.verdict&min=1&sort=egsde.target_prob&order=desc");
  const auto r = rows(html);
  EXPECT_EQ(r.size(), static_cast<size_t>(accepted));
  for (size_t i = 1; i < r.size(); ++i) EXPECT_GE(std::stod(r[i - 1].second), std::stod(r[i].second));
  EXPECT_NE(html.find("TARGET? yes"), std::string::npos);
}

TEST_F(ReportBrowser, ScreenshotShowsThePage) {
  const fs::path shot = dir_ / "shot.png";
  const std::string cmd = "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                          "--hide-scrollbars --user-data-dir=" + (dir_ / "profile").string() +
                          " --window-size=1280,2400 --screenshot=" + shot.string() + " 'file://" + page_.string() +
                          "' > /dev/null 2>&1";
  ASSERT_EQ(shell(cmd, nullptr), 0) << cmd;
  const auto rgb = read_image_rgb(shot);  // [H, W, 3]
  ASSERT_EQ(rgb.size(1), 1280);
  const auto background = (rgb.to(torch::kInt32) - 255).abs().sum(2).gt(30);
  const double drawn = background.to(torch::kFloat64).mean().item<double>();
  test::record("drawn_fraction", drawn);
  EXPECT_GT(drawn, 0.05) << "the screenshot is mostly blank";
}

}  // namespace
}  // namespace egsde
