// Docs true to the tree: every repository path the Markdown docs name, and every document or
// repository path the source comments cite, exists in the checkout. A failure prints one line per
// bad path: "DOC:LINE: 'PATH' ...". Also: README.md's Layout lists every folder.
//
// What counts as a path:
//  - In the docs (every README.md, and any other .md outside results/; the other .md files under
//    results/ are tables and drift reports that commands wrote, stamped with the commit they came
//    from, so the paths they name were true at that commit): every whitespace/backtick/bracket-
//    separated token of a line (prose, `code`, fenced blocks) that starts with a top-level name
//    (src/ metrics/ experiments/ datasets/ results/ scripts/ tests/ .ci/ CMakeLists.txt Makefile
//    README.md), resolved from the repository root or from the doc's folder; in a doc below the
//    root, also a token whose first folder is an entry of the doc's folder (`smoke/smoke.json` in
//    experiments/README.md) or a ../ token that lands on a top-level name; every relative Markdown
//    link target, resolved from the doc's folder.
//  - In docs and comments: a .h/.cpp named as its #include names it (`core/atomic_write.h`: the
//    first folder is one under src/) must be in src/.
//  - In comments (// and /* */ in .h/.cpp, # in scripts, CMake and the Makefile) under src/,
//    metrics/, tests/ (not tests/fixtures/), scripts/, .ci/ and the top-level build files: tokens
//    starting with a top-level name, resolved from the root, the file's folder, src/ (include
//    paths: core/…) or tests/fixtures/ (fixture paths); document names in capitals (README.md;
//    a bare lower-case `table.md` is a file a command writes); and the names of kWorkspaceNotes,
//    the workspace's notes, which are not in the repository. Text in double quotes is a value the
//    code uses (a temp folder's entry), not a citation, and is skipped.
// Accepted placeholder forms: a path whose part before the first `*`, `<`, `{` or `…` is an
// existing folder (`experiments/*.json`, `results/<spec>/`, `src/core/image_io.{h,cpp}`);
// a trailing `:LINE` or `#anchor` is dropped. A path under an anchored .gitignore entry (/data/,
// /runs/, /build*/, /datasets/fashion_mnist/data/) is made by a command or downloaded by hand:
// it is accepted unchecked, so the test passes on a fresh clone as in a used checkout.
#include <gtest/gtest.h>

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/test_util.h"

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTopDirs = {"src/",     "metrics/", "experiments/", "datasets/",
                                           "results/", "scripts/", "tests/",       ".ci/"};
const std::vector<std::string> kTopFiles = {"CMakeLists.txt", "Makefile", "README.md"};

// Outside the repository by design, with the reason. The official EGSDE code's Python modules,
// cited as the reference a function reproduces (datasets/basedataset.py there, not ours).
const std::vector<std::string> kOutsideByDesign = {"datasets/basedataset."};

// Notes of the workspace this project is developed in, outside the repository: a reader of the
// repository has none of them, so a comment gives the fact instead of citing them.
const std::vector<std::string> kWorkspaceNotes = {"TOOLCHAIN", "DESIGN"};

// The repository root: tests/fixtures -> ../..
fs::path repo_root() { return fs::path(EGSDE_FIXTURES_DIR).parent_path().parent_path(); }

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// core/atomic_write.h: a C++ file named as its #include names it, from src/.
bool src_relative(const fs::path& root, const std::string& tok) {
  const auto slash = tok.find('/');
  if (slash == std::string::npos || slash == 0) return false;
  const std::string last = tok.substr(tok.rfind('/') + 1);
  std::error_code ec;
  return (last.find(".h") != std::string::npos || last.find(".cpp") != std::string::npos) &&
         fs::is_directory(root / "src" / tok.substr(0, slash), ec);
}

bool top_level(const std::string& tok) {
  for (const auto& d : kTopDirs)
    if (starts_with(tok, d)) return true;
  return std::find(kTopFiles.begin(), kTopFiles.end(), tok) != kTopFiles.end();
}

// The tokens of one line: split at whitespace and the delimiters of Markdown and prose, with
// trailing sentence punctuation, a :LINE suffix and an #anchor dropped.
std::vector<std::string> tokens(const std::string& line) {
  static const std::string seps = " \t\r\n`()[],;\"'|=";
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = cur;
    cur.clear();
    for (const char c : {':', '#'})
      if (const auto p = t.find(c); p != std::string::npos && p > 0) t.resize(p);
    while (!t.empty() && (t.back() == '.' || t.back() == '*' || t.back() == '!' || t.back() == '?')) t.pop_back();
    while (!t.empty() && t.front() == '*') t.erase(0, 1);
    if (!t.empty()) out.push_back(t);
  };
  for (const char c : line) {
    if (seps.find(c) != std::string::npos) flush();
    else cur += c;
  }
  flush();
  return out;
}

// `tok` exists under `base`, or its part before the first placeholder character is a folder there.
bool resolves(const fs::path& base, const std::string& tok) {
  size_t cut = tok.size();
  for (const std::string ph : {"*", "<", "{", "\xE2\x80\xA6"}) cut = std::min(cut, tok.find(ph));
  std::error_code ec;
  if (cut == tok.size()) return fs::exists(base / tok, ec);
  const auto slash = tok.rfind('/', cut);
  return fs::is_directory(base / (slash == std::string::npos ? "" : tok.substr(0, slash + 1)), ec);
}

std::string rel(const fs::path& p, const fs::path& root) { return p.lexically_relative(root).generic_string(); }

std::vector<std::string> split_path(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string c; std::getline(in, c, '/');)
    if (!c.empty()) out.push_back(c);
  return out;
}

// The anchored folder entries of ROOT/.gitignore ("/data/", "/build*/"), as path components.
std::vector<std::vector<std::string>> ignored_folders(const fs::path& root) {
  std::vector<std::vector<std::string>> out;
  std::ifstream in(root / ".gitignore");
  for (std::string l; std::getline(in, l);)
    if (l.size() > 2 && l.front() == '/' && l.back() == '/') out.push_back(split_path(l));
  return out;
}

// `repo_rel` (relative to the root) lies under one of `ignored`.
bool is_ignored(const std::vector<std::vector<std::string>>& ignored, const std::string& repo_rel) {
  const auto parts = split_path(fs::path(repo_rel).lexically_normal().generic_string());
  for (const auto& pat : ignored) {
    if (parts.size() < pat.size()) continue;
    bool match = true;
    for (size_t i = 0; i < pat.size() && match; ++i) match = ::fnmatch(pat[i].c_str(), parts[i].c_str(), 0) == 0;
    if (match) return true;
  }
  return false;
}

struct Finding {
  std::vector<std::vector<std::string>> ignored;
  std::vector<std::string> lines;
  void add(const fs::path& file, const fs::path& root, int line, const std::string& path, const std::string& why) {
    lines.push_back(rel(file, root) + ":" + std::to_string(line) + ": '" + path + "' " + why);
  }
};

bool skipped_dir(const fs::path& p, const fs::path& root) {
  const std::string r = rel(p, root);
  const std::string name = p.filename().string();
  return starts_with(name, "build") || name == ".git" || name == "__pycache__" || starts_with(name, ".device") ||
         r == "tests/fixtures" || r == "runs" || r == "data" || r == "pretrained_model" || r == ".cache";
}

std::vector<fs::path> walk(const fs::path& root, const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && skipped_dir(it->path(), root)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- Markdown docs ----------------------------------------------------------------------------

std::vector<fs::path> docs(const fs::path& root) {
  std::vector<fs::path> out;
  if (fs::exists(root / "README.md")) out.push_back(root / "README.md");
  for (const auto& d : kTopDirs)
    for (const auto& f : walk(root, root / d)) {
      if (f.extension() != ".md") continue;
      if (f.filename() == "README.md" || !starts_with(rel(f, root), "results/")) out.push_back(f);
    }
  return out;
}

void check_doc(const fs::path& root, const fs::path& doc, Finding* bad) {
  const fs::path dir = doc.parent_path();
  const std::string dir_rel = rel(dir, root);
  const bool below_root = dir_rel != ".";
  std::ifstream in(doc);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    for (const auto& tok : tokens(line)) {
      if (tok.find("://") != std::string::npos) continue;
      const std::string from_doc = (fs::path(dir_rel) / tok).lexically_normal().generic_string();
      if (is_ignored(bad->ignored, tok) || (below_root && is_ignored(bad->ignored, from_doc))) continue;
      if (src_relative(root, tok)) {
        if (!resolves(root / "src", tok)) bad->add(doc, root, n, tok, "does not exist in src/");
      } else if (top_level(tok)) {
        if (!resolves(root, tok) && !resolves(dir, tok)) bad->add(doc, root, n, tok, "does not exist");
      } else if (below_root && starts_with(tok, "../")) {
        if (top_level(from_doc) && !resolves(dir, tok)) bad->add(doc, root, n, tok, "does not exist (from " + dir_rel + "/)");
      } else if (below_root && tok.find('/') != std::string::npos && tok[0] != '/' && tok[0] != '.') {
        std::error_code ec;
        if (fs::exists(dir / tok.substr(0, tok.find('/')), ec) && !resolves(dir, tok))
          bad->add(doc, root, n, tok, "does not exist in " + dir_rel + "/");
      }
    }
    // Markdown links: [text](target), relative to the doc's folder.
    for (size_t p = line.find("]("); p != std::string::npos; p = line.find("](", p + 2)) {
      const size_t end = line.find(')', p + 2);
      if (end == std::string::npos) break;
      std::string target = line.substr(p + 2, end - p - 2);
      if (target.empty() || target[0] == '#' || target.find("://") != std::string::npos || starts_with(target, "mailto:"))
        continue;
      if (const auto h = target.find('#'); h != std::string::npos) target.resize(h);
      if (is_ignored(bad->ignored, (fs::path(dir_rel) / target).lexically_normal().generic_string())) continue;
      if (!resolves(dir, target)) bad->add(doc, root, n, target, "(link) does not exist");
    }
  }
}

// ---- Comments in code ---------------------------------------------------------------------------

// The comment text of each line ("" when none). C++: // and /* */ outside string and character
// literals; scripts, CMake, Makefile: # at the line's start or after a blank, outside quotes (not
// a #! line).
std::vector<std::string> comments(const fs::path& file) {
  const std::string ext = file.extension().string();
  const bool cpp = ext == ".h" || ext == ".cpp" || ext == ".hpp" || ext == ".cc";
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  bool block = false;
  while (std::getline(in, line)) {
    std::string text;
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (cpp && block) {
        if (line.compare(i, 2, "*/") == 0) block = false, ++i;
        else text += c;
      } else if (quote) {
        if (c == '\\') ++i;
        else if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (cpp && line.compare(i, 2, "//") == 0) {
        text += line.substr(i + 2);
        break;
      } else if (cpp && line.compare(i, 2, "/*") == 0) {
        block = true, ++i;
      } else if (!cpp && c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t') &&
                 !(out.empty() && line.compare(0, 2, "#!") == 0)) {
        text += line.substr(i + 1);
        break;
      }
    }
    out.push_back(text);
  }
  return out;
}

// Drops "…" spans: values the code uses, not citations.
std::string without_quoted(const std::string& s) {
  std::string out;
  bool in = false;
  for (const char c : s) {
    if (c == '"') in = !in;
    else if (!in) out += c;
  }
  return out;
}

bool commented_file(const fs::path& f) {
  const std::string ext = f.extension().string(), name = f.filename().string();
  return ext == ".h" || ext == ".cpp" || ext == ".sh" || ext == ".py" || ext == ".sbatch" || ext == ".cmake" ||
         name == "CMakeLists.txt" || name == "Makefile" || (ext.empty() && f.parent_path().filename() == ".ci");
}

std::vector<fs::path> commented_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (const std::string d : {"src", "metrics", "tests", "scripts", ".ci"})
    for (const auto& f : walk(root, root / d))
      if (commented_file(f)) out.push_back(f);
  for (const std::string f : {"CMakeLists.txt", "Makefile"})
    if (fs::exists(root / f)) out.push_back(root / f);
  return out;
}

bool doc_name(const std::string& tok) {  // README.md: a document, not a file a command writes
  if (!ends_with(tok, ".md") || tok.find('/') != std::string::npos) return false;
  const std::string stem = tok.substr(0, tok.size() - 3);
  return !stem.empty() && std::all_of(stem.begin(), stem.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

void check_comments(const fs::path& root, const fs::path& file, Finding* bad) {
  const auto text = comments(file);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i].empty()) continue;
    for (const auto& tok : tokens(without_quoted(text[i]))) {
      const std::string stem = tok.substr(0, tok.find('.'));
      if (std::find(kWorkspaceNotes.begin(), kWorkspaceNotes.end(), stem) != kWorkspaceNotes.end()) {
        bad->add(file, root, int(i + 1), tok, "is a workspace note outside the repository: give the fact itself");
        continue;
      }
      const bool outside = std::any_of(kOutsideByDesign.begin(), kOutsideByDesign.end(),
                                       [&](const std::string& p) { return starts_with(tok, p); });
      if (outside || tok.find("://") != std::string::npos || !(top_level(tok) || doc_name(tok) || src_relative(root, tok)))
        continue;
      if (is_ignored(bad->ignored, tok)) continue;
      bool ok = false;
      for (const fs::path& base : {root, file.parent_path(), root / "src", root / "tests" / "fixtures"})
        ok = ok || resolves(base, tok);
      if (!ok) bad->add(file, root, int(i + 1), tok, "is not in the repository");
    }
  }
}

std::vector<std::string> scan(const fs::path& root) {
  Finding bad;
  bad.ignored = ignored_folders(root);
  for (const auto& d : docs(root)) check_doc(root, d, &bad);
  for (const auto& f : commented_files(root)) check_comments(root, f, &bad);
  return bad.lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += "\n  " + l;
  return s;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

// The scanner itself, on a made-up tree: what it must flag (expected by hand) and what it accepts.
TEST(DocsPaths, ScannerFlagsMissingPathsAndAcceptsPlaceholders) {
  const fs::path root = egsde::test::temp_dir("docs_paths");
  write(root / "src/core/a.h", "// See src/core/a.h, core/a.h, core/gone.h and README.md.\n// Facts: TOOLCHAIN.md\n"
                               "const char* s = \"src/missing.h\";  // \"src/quoted.h\" is a value\n");
  write(root / "scripts/x.sh", "#!/bin/sh\n# runs scripts/gone.sh\necho '#' scripts/code.sh\n");
  write(root / "experiments/smoke/smoke.json", "{}");
  write(root / "results/baselines/smoke.json", "{}");
  write(root / "README.md",
        "Build `src/core/a.h` and [x](experiments/README.md), `experiments/*.json`, `results/<spec>/`,\n"
        "`src/core/a.{h,cpp}`, src/core/a.h:12, then `src/nope.cpp` and [y](docs/none.md#top).\n"
        "```sh\nscripts/x.sh --out results/NAME.json\n```\n");
  write(root / "experiments/README.md", "`smoke/smoke.json`, `smoke/other.json`, [r](../README.md), ../src/none/\n");
  write(root / ".gitignore", "/build*/\n/datasets/fashion_mnist/data/\n*.pyc\n");
  write(root / "datasets/README.md", "writes `datasets/fashion_mnist/data/<split>/` and build-cuda/egsde, `fashion_mnist/x.png`\n");
  const auto got = scan(root);
  const std::vector<std::string> want = {
      "README.md:2: 'src/nope.cpp' does not exist",
      "README.md:2: 'docs/none.md' (link) does not exist",
      "README.md:4: 'results/NAME.json' does not exist",
      "experiments/README.md:1: 'smoke/other.json' does not exist in experiments/",
      "experiments/README.md:1: '../src/none/' does not exist (from experiments/)",
      "src/core/a.h:1: 'core/gone.h' is not in the repository",
      "src/core/a.h:2: 'TOOLCHAIN.md' is a workspace note outside the repository: give the fact itself",
      "scripts/x.sh:2: 'scripts/gone.sh' is not in the repository",
  };
  EXPECT_EQ(got.size(), want.size()) << joined(got);
  for (const auto& w : want)
    EXPECT_NE(std::find(got.begin(), got.end(), w), got.end()) << "not flagged: " << w << "\ngot:" << joined(got);
  fs::remove_all(root);
}

// README.md's "Layout" section has a line for every folder under src/ and every top-level folder
// (a folder that a .gitignore entry covers, such as build/, is not part of the layout).
TEST(DocsPaths, ReadmeLayoutListsEveryFolder) {
  const fs::path root = repo_root();
  std::ifstream in(root / "README.md");
  std::vector<std::string> layout;
  bool inside = false;
  for (std::string l; std::getline(in, l);) {
    if (starts_with(l, "## ")) inside = l == "## Layout";
    else if (inside) layout.push_back(l);
  }
  ASSERT_FALSE(layout.empty()) << "README.md has no \"## Layout\" section";
  const auto ignored = ignored_folders(root);
  std::vector<std::string> want;
  for (const auto& e : fs::directory_iterator(root / "src"))
    if (e.is_directory()) want.push_back("src/" + e.path().filename().string());
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name != ".git" && name != "src" && !is_ignored(ignored, name)) want.push_back(name + "/");
  }
  std::sort(want.begin(), want.end());
  std::string missing;
  for (const auto& w : want) {
    const bool listed = std::any_of(layout.begin(), layout.end(), [&](const std::string& l) {
      return starts_with(l, w) && (w.back() == '/' || l.size() == w.size() || l[w.size()] == ' ' || l[w.size()] == '/');
    });
    if (!listed) missing += "\n  README.md Layout: no line for " + w;
  }
  EXPECT_TRUE(missing.empty()) << missing;
}

// The checkout: the docs and comments name only what exists.
TEST(DocsPaths, DocsAndCommentsNameOnlyWhatExists) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto bad = scan(repo_root());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(bad.empty()) << bad.size() << " path(s) named but not in the repository:" << joined(bad);
  EXPECT_LT(s, 1.0) << "the scan should stay fast";
}
