// `egsde translate` end to end. Expected values:
//  - OfficialRngReproducesTheOfficialRunner: tests/fixtures/translate/official/ — the official
//    runner (runners/egsde.py EGSDE.egsde() after set_seed(1234), real ADM UNet + DSE at random
//    weights, CPU, one thread) on the fixture's three source images, recorded by
//    scripts/fixtures/make_translate_fixtures.py: raw.npy (final float samples) and the images
//    tvu.save_image wrote.
//  - the other tests compare egsde's own runs with each other (batch-size invariance of the
//    per-sample protocol, resume) or check error messages.
// The CLI runs with OMP_NUM_THREADS=1 like the fixture, so reductions sum in the same order.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/test_util.h"
#include "core/checkpoint.h"
#include "core/digest.h"
#include "core/image_io.h"
#include "core/json_io.h"
#include "core/npy.h"
#include "models/winograd.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

class TranslateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("OMP_NUM_THREADS", "1", 1);
    dir_ = test::temp_dir("translate_cli");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The fixture profile with absolute paths and `changes` applied to its args, written to dir_.
  fs::path profile(const nlohmann::json& changes = nlohmann::json::object(), const std::string& name = "profile.json") {
    auto j = read_json_file(test::fixture("translate/profile.json"));
    j["args"]["testdata_path"] = test::fixture("translate/source").string();
    j["args"]["ckpt"] = test::fixture("translate/eps.pt").string();
    j["args"]["dsepath"] = test::fixture("translate/dse.pt").string();
    for (const auto& [k, v] : changes.items()) {
      if (v.is_null()) j["args"].erase(k);
      else j["args"][k] = v;
    }
    const auto p = dir_ / name;
    write_json_file(p, j);
    return p;
  }

  int translate(const std::vector<std::string>& extra, std::string* out = nullptr) {
    std::vector<std::string> args = {"translate"};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_cli(args, out);
  }

  fs::path dir_;
};

const std::vector<std::string> kNames = {"cat_a.jpg", "cat_b.png", "cat_c.jpg"};

// One line, "egsde: error: …", containing `needle`.
void expect_one_line_error(int rc, const std::string& out, const std::string& needle) {
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(out.rfind("egsde: error: ", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find(needle), std::string::npos) << out;
}

TEST_F(TranslateCli, OfficialRngReproducesTheOfficialRunner) {
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", test::fixture("translate/profile.json").string(), "--output", out.string(), "--rng",
                       "official", "--save-raw", "--quiet"},
                      &log),
            0)
      << log;
  const auto ref = read_npy(test::fixture("translate/official/raw.npy"))[0];
  bool all_bit_identical = true;
  double worst = 0;
  for (size_t i = 0; i < kNames.size(); ++i) {
    const auto stem = fs::path(kNames[i]).stem().string();
    const auto raw = read_npy(out / "0" / (stem + ".npy"));
    const double err = test::rel_error(raw, ref[static_cast<int64_t>(i)]);
    worst = std::max(worst, err);
    all_bit_identical &= torch::equal(raw, ref[static_cast<int64_t>(i)]);
    EXPECT_LT(err, 1e-5) << kNames[i];
    // the written image: same pixels as the official file
    const auto mine = read_image_rgb(out / "0" / kNames[i]);
    const auto theirs = read_image_rgb(test::fixture("translate/official/0/" + kNames[i]));
    const auto diff = (mine.to(torch::kInt32) - theirs.to(torch::kInt32)).abs().max().item<int>();
    EXPECT_LE(diff, 1) << kNames[i];
    test::record("max_pixel_diff_" + stem, diff);
  }
  test::record("rel_error_max", worst);
  test::record("bit_identical", all_bit_identical);
  const auto rec = read_json_file(out / "translate.json");
  EXPECT_EQ(rec["status"], "complete");
  EXPECT_EQ(rec["settings"]["rng"], "official");
  EXPECT_EQ(rec["translated"], 3);
  EXPECT_TRUE(rec["provenance"].contains("commit"));
}

// --conv winograd (models/winograd.h): the same official run within the same tolerance, the
// setting recorded; where oneDNN has no Winograd, one clear line instead.
TEST_F(TranslateCli, WinogradStaysWithinToleranceOfTheOfficialRunner) {
  const auto out = dir_ / "out";
  std::string log;
  const int rc = translate({"--profile", test::fixture("translate/profile.json").string(), "--output", out.string(),
                            "--rng", "official", "--save-raw", "--quiet", "--conv", "winograd"},
                           &log);
  if (!winograd_available()) {
    expect_one_line_error(rc, log, "--conv winograd: ");
    return;
  }
  ASSERT_EQ(rc, 0) << log;
  const auto ref = read_npy(test::fixture("translate/official/raw.npy"))[0];
  double worst = 0;
  for (size_t i = 0; i < kNames.size(); ++i) {
    const auto raw = read_npy(out / "0" / (fs::path(kNames[i]).stem().string() + ".npy"));
    worst = std::max(worst, test::rel_error(raw, ref[static_cast<int64_t>(i)]));
  }
  test::record("rel_error_max", worst);
  EXPECT_LT(worst, 1e-5);
  EXPECT_EQ(read_json_file(out / "translate.json")["settings"]["conv"], "winograd");
}

// Where Winograd is unavailable (a CPU without AVX-512, or EGSDE_NO_WINOGRAD=1): one clear line.
TEST_F(TranslateCli, WinogradUnavailableGivesOneClearLine) {
  ::setenv("EGSDE_NO_WINOGRAD", "1", 1);
  std::string log;
  const int rc = translate({"--profile", test::fixture("translate/profile.json").string(), "--output",
                            (dir_ / "out").string(), "--quiet", "--conv", "winograd"},
                           &log);
  ::unsetenv("EGSDE_NO_WINOGRAD");
  expect_one_line_error(rc, log, "--conv winograd: ");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "0")) << "nothing translated";
}

TEST_F(TranslateCli, PerSampleResultsDoNotDependOnBatchSize) {
  const auto p = profile({{"t", 6}});
  const auto a = dir_ / "b1", b = dir_ / "b3";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", a.string(), "--batch-size", "1", "--save-raw", "--quiet"}, &log), 0) << log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", b.string(), "--batch-size", "3", "--save-raw", "--quiet"}, &log), 0) << log;
  double worst = 0;
  bool identical = true;
  for (const auto& n : kNames) {
    const auto stem = fs::path(n).stem().string() + ".npy";
    const auto x = read_npy(a / "0" / stem), y = read_npy(b / "0" / stem);
    worst = std::max(worst, test::rel_error(x, y));
    identical &= torch::equal(x, y);
  }
  test::record("rel_error_batch1_vs_batch3", worst);
  test::record("bit_identical", identical);
  EXPECT_LT(worst, 1e-6);
}

TEST_F(TranslateCli, SecondRunSkipsFinishedImages) {
  const auto p = profile({{"t", 3}});
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("3 translated, 0 already done"), std::string::npos) << log;
  const auto before = fs::last_write_time(out / "0" / "cat_a.jpg");
  fs::remove(out / "0" / "cat_b.png");
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("1 translated, 2 already done"), std::string::npos) << log;
  EXPECT_EQ(fs::last_write_time(out / "0" / "cat_a.jpg"), before);
  EXPECT_TRUE(fs::exists(out / "0" / "cat_b.png"));
  // other settings into the same folder: refused without --overwrite
  const auto q = profile({{"t", 4}}, "other.json");
  expect_one_line_error(translate({"--profile", q.string(), "--output", out.string()}, &log), log, "other settings");
  ASSERT_EQ(translate({"--profile", q.string(), "--output", out.string(), "--overwrite", "--quiet"}, &log), 0) << log;
  EXPECT_NE(fs::last_write_time(out / "0" / "cat_a.jpg"), before);
}

TEST_F(TranslateCli, ResumeRefusesRetrainedWeights) {
  // The DSE retrained under the same path: translate.json's weights digests make the resume
  // refuse (the finished images came from the old DSE); the original back, it resumes.
  const auto dse = dir_ / "retrained_dse.pt";
  fs::copy_file(test::fixture("translate/dse.pt"), dse, fs::copy_options::overwrite_existing);
  const auto p = profile({{"t", 3}, {"dsepath", dse.string()}}, "retrained.json");
  const auto out = dir_ / "out_retrained";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_EQ(read_json_file(out / "translate.json").at("weights").at("dsepath").at("digest"),
            file_digest(test::fixture("translate/dse.pt")));
  auto sd = read_state_dict(dse);
  sd.begin()->second = sd.begin()->second + 1;
  write_state_dict(dse, sd);
  fs::remove(out / "0" / "cat_b.png");
  expect_one_line_error(translate({"--profile", p.string(), "--output", out.string()}, &log), log,
                        "translated with other weights: args.dsepath");
  EXPECT_NE(log.find("retrained since?"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(out / "0" / "cat_b.png")) << "nothing translated";
  fs::copy_file(test::fixture("translate/dse.pt"), dse, fs::copy_options::overwrite_existing);
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("1 translated, 2 already done"), std::string::npos) << log;
}

TEST_F(TranslateCli, FormatPngAndSdeditMethod) {
  const auto p = profile({{"t", 2}});
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--format", "png", "--method", "sdedit",
                       "--limit", "2", "--quiet"},
                      &log),
            0)
      << log;
  EXPECT_TRUE(fs::exists(out / "0" / "cat_a.png"));
  EXPECT_TRUE(fs::exists(out / "0" / "cat_b.png"));
  EXPECT_FALSE(fs::exists(out / "0" / "cat_c.png"));  // --limit 2
}

TEST_F(TranslateCli, BadInputGivesOneClearLine) {
  std::string log;
  const auto out = (dir_ / "out").string();
  expect_one_line_error(translate({"--profile", profile({{"seed", nullptr}}).string(), "--output", out}, &log), log,
                        "required key 'seed' is missing");
  expect_one_line_error(
      translate({"--profile", profile({{"ckpt", (dir_ / "nope.pt").string()}}).string(), "--output", out}, &log), log,
      "nope.pt");
  expect_one_line_error(translate({"--profile", (dir_ / "missing.json").string(), "--output", out}, &log), log,
                        "missing.json");
  const auto empty = dir_ / "empty";
  fs::create_directories(empty);
  expect_one_line_error(
      translate({"--profile", profile({{"testdata_path", empty.string()}}).string(), "--output", out}, &log), log,
      "holds no images");
  const auto bad = dir_ / "bad";
  fs::create_directories(bad);
  std::ofstream(bad / "broken.jpg") << "not a jpeg";
  expect_one_line_error(
      translate({"--profile", profile({{"testdata_path", bad.string()}, {"t", 1}}).string(), "--output", out}, &log),
      log, "broken.jpg");
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// Issue 19, Bad 1: an --output that cannot be a folder (a file, a path under a file; a 0555
// folder for a non-root user) is one line and rc 1, not an uncaught filesystem_error (SIGABRT).
TEST_F(TranslateCli, OutputThatCannotBeAFolderGivesOneLine) {
  const auto p = profile({{"t", 1}});
  const auto file = dir_ / "a_file";
  write_bytes(file, "x");
  std::string log;
  expect_one_line_error(translate({"--profile", p.string(), "--output", file.string(), "--quiet"}, &log), log,
                        file.string());
  expect_one_line_error(translate({"--profile", p.string(), "--output", (file / "sub").string(), "--quiet"}, &log),
                        log, (file / "sub").string());
  EXPECT_EQ(bytes_of(file), "x");
  if (::geteuid() == 0) return;  // root writes into 0555 folders: nothing to refuse
  const auto ro = dir_ / "read_only";
  fs::create_directories(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  expect_one_line_error(translate({"--profile", p.string(), "--output", ro.string(), "--quiet"}, &log), log,
                        ro.string());
  expect_one_line_error(translate({"--profile", p.string(), "--output", (ro / "out").string(), "--quiet"}, &log), log,
                        (ro / "out").string());
  fs::permissions(ro, fs::perms::owner_all);
}

// Issue 19, Bad 2: a folder egsde did not write (no translate.json, other files) is refused
// without --overwrite; a foreign 6-byte file named like an output is never taken as the result.
TEST_F(TranslateCli, ForeignFilesAreNotTakenAsFinished) {
  const auto p = profile({{"t", 2}});
  const auto out = dir_ / "out";
  fs::create_directories(out / "0");
  write_bytes(out / "0" / "cat_a.jpg", "hello\n");
  std::string log;
  expect_one_line_error(translate({"--profile", p.string(), "--output", out.string()}, &log), log, "--overwrite");
  EXPECT_EQ(bytes_of(out / "0" / "cat_a.jpg"), "hello\n");
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--overwrite"}, &log), 0) << log;
  EXPECT_NE(log.find("3 translated, 0 already done"), std::string::npos) << log;
  EXPECT_EQ(read_image_rgb(out / "0" / "cat_a.jpg").size(0), 64);  // a real 64x64 image now
}

// Issue 19, Bad 2: resume skips an output only when translate.json records its size and
// digest and the file still matches; a truncated or replaced output is translated again (the
// per-sample protocol makes the redone file byte-identical to the first one).
TEST_F(TranslateCli, ResumeRedoesOutputsThatNoLongerMatchTheirRecord) {
  const auto p = profile({{"t", 2}});
  const auto out = dir_ / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--save-raw", "--quiet"}, &log), 0) << log;
  const auto rec = read_json_file(out / "translate.json");
  for (const std::string rel : {"0/cat_a.jpg", "0/cat_b.png", "0/cat_c.jpg", "0/cat_a.npy"}) {
    ASSERT_TRUE(rec["outputs"].contains(rel)) << rel << " " << rec["outputs"].dump();
    EXPECT_EQ(rec["outputs"][rel]["size"], fs::file_size(out / rel)) << rel;
    EXPECT_EQ(rec["outputs"][rel]["digest"], file_digest(out / rel)) << rel;
  }
  const std::string a = bytes_of(out / "0" / "cat_a.jpg"), c = bytes_of(out / "0" / "cat_c.jpg");
  const std::string b = bytes_of(out / "0" / "cat_b.png"), raw_b = bytes_of(out / "0" / "cat_b.npy");
  write_bytes(out / "0" / "cat_a.jpg", a.substr(0, a.size() / 2));  // truncated
  write_bytes(out / "0" / "cat_c.jpg", std::string(c.size(), 'x'));  // same size, other bytes
  write_bytes(out / "0" / "cat_b.npy", raw_b.substr(0, raw_b.size() - 4));  // image fine, raw truncated
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--save-raw"}, &log), 0) << log;
  EXPECT_NE(log.find("3 translated, 0 already done"), std::string::npos) << log;
  EXPECT_EQ(bytes_of(out / "0" / "cat_a.jpg"), a);
  EXPECT_EQ(bytes_of(out / "0" / "cat_c.jpg"), c);
  EXPECT_EQ(bytes_of(out / "0" / "cat_b.png"), b);
  EXPECT_EQ(bytes_of(out / "0" / "cat_b.npy"), raw_b);
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string(), "--save-raw"}, &log), 0) << log;
  EXPECT_NE(log.find("0 translated, 3 already done"), std::string::npos) << log;
}

// Issue 19: a translate that fails part-way records "failed" and the error, not "running".
TEST_F(TranslateCli, FailedRunIsRecordedAsFailed) {
  const auto src = dir_ / "src";
  fs::create_directories(src);
  fs::copy_file(test::fixture("translate/source/cat_a.jpg"), src / "cat_a.jpg");
  write_bytes(src / "cat_z.jpg", "not a jpeg");
  const auto out = dir_ / "out";
  std::string log;
  expect_one_line_error(translate({"--profile", profile({{"t", 1}}).string(), "--output", out.string(), "--source",
                                   src.string(), "--batch-size", "1", "--quiet"},
                                  &log),
                        log, "cat_z.jpg");
  const auto rec = read_json_file(out / "translate.json");
  EXPECT_EQ(rec["status"], "failed");
  EXPECT_NE(rec.value("error", "").find("cat_z.jpg"), std::string::npos) << rec.dump();
  EXPECT_TRUE(rec["outputs"].contains("0/cat_a.jpg")) << "the finished image stays recorded";
}

// Issue 19: a second translate on an output another process holds (flock on .egsde.lock, taken
// here by the test process) is refused with one line and writes nothing.
TEST_F(TranslateCli, SecondTranslateOnTheSameOutputIsRefused) {
  const auto out = dir_ / "out";
  fs::create_directories(out);
  const int fd = ::open((out / ".egsde.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string log;
  const auto p = profile({{"t", 1}});
  expect_one_line_error(translate({"--profile", p.string(), "--output", out.string(), "--quiet"}, &log), log,
                        "another egsde process is writing");
  ::close(fd);
  EXPECT_FALSE(fs::exists(out / "translate.json"));
  EXPECT_FALSE(fs::exists(out / "0"));
}

// Issue 19: an output folder inside the source folder is left out of the listing, so the second
// run resumes instead of failing on duplicate names; the source folder itself is refused.
TEST_F(TranslateCli, OutputInsideTheSourceFolderIsNotASource) {
  const auto src = dir_ / "src";
  fs::create_directories(src);
  for (const auto& n : kNames) fs::copy_file(test::fixture("translate/source/" + n), src / n);
  const auto p = profile({{"t", 1}, {"testdata_path", src.string()}});
  const auto out = src / "out";
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("3 translated, 0 already done (of 3)"), std::string::npos) << log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", out.string()}, &log), 0) << log;
  EXPECT_NE(log.find("0 translated, 3 already done (of 3)"), std::string::npos) << log;
  expect_one_line_error(translate({"--profile", p.string(), "--output", src.string()}, &log), log,
                        "is the source folder");
  EXPECT_FALSE(fs::exists(src / ".egsde.lock")) << "refused before anything is written there";
}

// Issue 19: --source naming a file says so (it exists; it is not a folder).
TEST_F(TranslateCli, SourceThatIsAFileSaysSo) {
  const auto file = test::fixture("translate/source/cat_a.jpg");
  std::string log;
  expect_one_line_error(translate({"--profile", profile({{"t", 1}}).string(), "--output", (dir_ / "out").string(),
                                   "--source", file.string()},
                                  &log),
                        log, file.string() + " is a file, not a folder");
}

// Issue 19: libpng / libjpeg warnings ("tEXt: CRC error", "Premature end of JPEG
// file") come as egsde warnings naming the file, once, and not at all with --quiet.
// tests/fixtures/decode_warnings/text_crc.png: scripts/fixtures/make_decoder_warning_fixtures.py;
// the truncated JPEG is the first half of the fixture's cat_a.jpg.
TEST_F(TranslateCli, DecoderWarningsGoThroughEgsdeWarnings) {
  const auto src = dir_ / "src";
  fs::create_directories(src);
  fs::copy_file(test::fixture("decode_warnings/text_crc.png"), src / "text_crc.png");
  const std::string jpg = bytes_of(test::fixture("translate/source/cat_a.jpg"));
  write_bytes(src / "truncated.jpg", jpg.substr(0, jpg.size() / 2));
  const auto p = profile({{"t", 1}, {"testdata_path", src.string()}});
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", (dir_ / "quiet").string(), "--quiet"}, &log), 0) << log;
  EXPECT_EQ(log, "");
  ASSERT_EQ(translate({"--profile", p.string(), "--output", (dir_ / "loud").string(), "--batch-size", "1"}, &log), 0)
      << log;
  for (const std::string raw : {"libpng", "Premature"})  // no line of the libraries' own
    EXPECT_TRUE(log.rfind(raw, 0) != 0 && log.find("\n" + raw) == std::string::npos) << log;
  const std::string png_line = "egsde: warning: " + (src / "text_crc.png").string() + ": ";
  const std::string jpg_line = "egsde: warning: " + (src / "truncated.jpg").string() + ": ";
  ASSERT_NE(log.find(png_line), std::string::npos) << log;
  ASSERT_NE(log.find(jpg_line), std::string::npos) << log;
  EXPECT_EQ(log.find(png_line, log.find(png_line) + 1), std::string::npos) << "once: " << log;
  EXPECT_NE(log.find("tEXt: CRC error", log.find(png_line)), std::string::npos) << log;
  EXPECT_NE(log.find("Premature end of JPEG file", log.find(jpg_line)), std::string::npos) << log;
}

// Issue 19: whole-number options say what is valid, not "Value 0 not in range 0.000000 to
// 1797693…" (CLI11's double range), and the range is the help's POSITIVE (at least 1).
TEST_F(TranslateCli, NumericOptionsSayWhatIsValid) {
  const auto p = profile({{"t", 1}});
  std::string log;
  for (const std::string opt : {"--limit", "--batch-size", "--respace"}) {
    for (const std::string bad : {"0", "-3", "abc", "2.5"}) {
      EXPECT_NE(translate({"--profile", p.string(), "--output", (dir_ / "out").string(), opt, bad}, &log), 0);
      EXPECT_EQ(log.find("1797693"), std::string::npos) << log;
      EXPECT_NE(log.find(opt + ": "), std::string::npos) << log;
      EXPECT_NE(log.find("a whole number of at least 1"), std::string::npos) << opt << " " << bad << ": " << log;
    }
  }
  ASSERT_EQ(translate({"--help"}, &log), 0);
  EXPECT_NE(log.find("--limit INT:POSITIVE"), std::string::npos) << log;
}

// Issue 19: --respace K spaces K steps over the whole schedule and runs those below t; with t = 30
// of 1000 steps, K = 8 keeps only step 0 below t: one denoising step, said before sampling.
TEST_F(TranslateCli, RespaceThatLeavesOneStepWarns) {
  const auto p = profile({{"t", 30}});
  std::string log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", (dir_ / "r8").string(), "--respace", "8", "--limit", "1"},
                      &log),
            0)
      << log;
  EXPECT_NE(log.find("egsde: warning: --respace 8 spaces the whole 1000-step schedule and keeps 1 step below t = 30: "
                     "the translation is one denoising step; raise it to about 67 or more for 2 steps"),
            std::string::npos)
      << log;
  ASSERT_EQ(translate({"--profile", p.string(), "--output", (dir_ / "r100").string(), "--respace", "100", "--limit",
                       "1", "--quiet"},
                      &log),
            0)
      << log;
  EXPECT_EQ(log.find("warning"), std::string::npos) << log;
}

}  // namespace
