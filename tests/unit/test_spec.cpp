// Experiment specs: strict parsing with nearest-key suggestions, grid expansion, stable run ids,
// and every committed spec under experiments/ parses and expands.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "common/test_util.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/json_io.h"
#include "runner/expand.h"
#include "runner/spec.h"
#include "runner/work_queue.h"

using namespace egsde;
using namespace egsde::runner;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json small_spec() { return read_json_file(test::fixture("specs/small.json")); }

// Parses and expects an egsde::Error whose message contains every needle.
void expect_error(const json& spec, const std::vector<std::string>& needles) {
  try {
    expand(parse_spec(spec, "spec.json"));
    ADD_FAILURE() << "expected an error for " << spec.dump();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
  }
}

// The repository root: tests/fixtures/<x> -> ../../..
fs::path source_root() { return test::fixture("x").parent_path().parent_path().parent_path(); }

}  // namespace

TEST(Spec, ParsesFixtureWithDefaults) {
  const Spec s = read_spec(test::fixture("specs/small.json"));
  EXPECT_EQ(s.name, "small");
  ASSERT_EQ(s.methods.size(), 2u);
  EXPECT_EQ(s.methods[0], Method::Egsde);
  EXPECT_EQ(s.methods[1], Method::Sdedit);
  EXPECT_EQ(s.seeds, (std::vector<int64_t>{1234, 1235}));
  EXPECT_EQ(s.rng, RngProtocol::PerSample);
  EXPECT_EQ(s.profile_dir, test::fixture("specs"));
  EXPECT_TRUE(s.profile["args"]["ls"].is_number_float());  // normalised: 500 -> 500.0
  EXPECT_FALSE(s.profile.contains("_comment"));
  ASSERT_TRUE(s.evaluation.has_value());
  EXPECT_EQ(s.evaluation->protocol, FidProtocol::Clean);
  EXPECT_EQ(s.evaluation->source, (test::fixture("specs") / "images").lexically_normal());
}

TEST(Spec, UnknownKeysNameTheNearest) {
  json j = small_spec();
  j["metods"] = j["methods"];
  j.erase("methods");
  expect_error(j, {"spec.json", "'metods'", "'methods'"});

  j = small_spec();
  j["profile"]["args"]["lss"] = 1;
  expect_error(j, {"'lss'", "did you mean 'ls'"});

  j = small_spec();
  j["grid"] = {{"args.lss", {1, 2}}};
  expect_error(j, {"'args.lss'", "'args.ls'"});

  j = small_spec();  // issue 19: a bare key means the path ending in it (it suggested 'args.t')
  j["grid"] = {{"ls", {1, 2}}};
  expect_error(j, {"unknown grid key 'ls'; did you mean 'args.ls'?"});
  j["grid"] = {{"num_channels", {1, 2}}};
  expect_error(j, {"did you mean 'config.model.num_channels'?"});

  j = small_spec();
  j["grid"] = {{"config.model.num_chanels", {1, 2}}};
  expect_error(j, {"'config.model.num_channels'"});

  j = small_spec();
  j["methods"] = {"egsde", "sdedt"};
  expect_error(j, {"'sdedt'", "'sdedit'"});

  j = small_spec();
  j["evaluation"]["protocl"] = "clean";
  expect_error(j, {"'protocl'", "'protocol'"});

  j = small_spec();
  j["profile"]["config"]["difusion"] = json::object();
  expect_error(j, {"'difusion'", "'diffusion'"});
}

TEST(Spec, BadValuesAreErrors) {
  json j = small_spec();
  j["profile"]["args"]["t"] = "5";
  expect_error(j, {"'t' must be an integer"});

  j = small_spec();
  j["profile"]["args"]["t"] = 11;
  expect_error(j, {"t = 11 exceeds num_diffusion_timesteps 10"});

  j = small_spec();
  j["profile"]["args"].erase("seed");
  expect_error(j, {"required key 'seed' is missing"});

  j = small_spec();
  j["profile"]["args"]["down_N"] = 3;
  expect_error(j, {"image_size 8 is not divisible by down_N 3"});

  j = small_spec();
  j["profile"]["args"]["s1"] = "cosin";
  expect_error(j, {"'cosine'"});

  j = small_spec();  // grid values are checked like the profile itself
  j["grid"] = {{"args.s1", {"cosine", "cosin"}}};
  expect_error(j, {"args.s1=cosin", "'cosine'"});

  j = small_spec();
  j["grid"] = {{"args.seed", {1, 2}}};
  expect_error(j, {"use 'repeats' or 'seeds'"});

  j = small_spec();
  j["grid"] = {{"args.ls", json::array()}};
  expect_error(j, {"non-empty list"});

  j = small_spec();
  j["seeds"] = {1, 1};
  j.erase("repeats");
  expect_error(j, {"duplicate"});

  j = small_spec();
  j["seeds"] = {1, 2, 3};
  expect_error(j, {"'repeats' is 2", "lists 3"});

  j = small_spec();
  j["evaluation"] = {{"task", "custom"}, {"target", "x"}, {"inception", "y"}};
  expect_error(j, {"needs a 'protocol'"});

  j = small_spec();
  j["precision"] = "bf61";
  expect_error(j, {"spec.json", "precision 'bf61'", "'bf16'"});

  j = small_spec();
  j["conv"] = "winogard";
  expect_error(j, {"spec.json", "'winogard'", "'winograd'"});
}

TEST(Expand, GridCountsAndCollapse) {
  json j = small_spec();
  j["methods"] = {"egsde", "sdedit", "egsde-dagger", "ilvr"};
  j["grid"] = {{"args.ls", {0, 100, 500}}, {"args.t", {3, 5}}};
  j["repeats"] = 2;
  const Expansion e = expand(parse_spec(j, "spec.json"));
  // egsde: 3 ls x 2 t x 2 repeats = 12; sdedit and ilvr fix ls = li = 0: 2 t x 2 repeats = 4 each;
  // egsde-dagger fixes ls, li and t: 2 repeats.
  EXPECT_EQ(e.runs.size(), 12u + 4u + 4u + 2u);
  EXPECT_EQ(e.collapsed, (6u - 2u) * 2 * 2 + (6u - 1u) * 2);
  std::set<std::string> ids;
  for (const auto& r : e.runs) {
    EXPECT_EQ(r.id.size(), 12u);
    EXPECT_EQ(r.id.find_first_not_of("0123456789abcdef"), std::string::npos);
    ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), e.runs.size());
  // Order: methods in spec order, grid keys sorted (args.ls before args.t), last fastest, repeats innermost.
  EXPECT_EQ(e.runs[0].label, "egsde args.ls=0 args.t=3 seed=1234");
  EXPECT_EQ(e.runs[1].label, "egsde args.ls=0 args.t=3 seed=1235");
  EXPECT_EQ(e.runs[2].label, "egsde args.ls=0 args.t=5 seed=1234");
  EXPECT_EQ(e.runs[11].label, "egsde args.ls=500 args.t=5 seed=1235");
  EXPECT_EQ(e.runs[12].method, Method::Sdedit);
}

TEST(Expand, MethodsSetTheirParameters) {
  json j = small_spec();
  j["methods"] = {"egsde", "egsde-dagger", "sdedit", "ilvr"};
  j.erase("grid");
  j["repeats"] = 1;
  const auto runs = expand(parse_spec(j, "spec.json")).runs;
  ASSERT_EQ(runs.size(), 4u);
  const auto args = [&](int i) { return runs[static_cast<std::size_t>(i)].profile["args"]; };
  EXPECT_DOUBLE_EQ(args(0)["ls"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(args(0)["li"].get<double>(), 2.0);
  EXPECT_EQ(args(0)["t"].get<int64_t>(), 5);
  EXPECT_DOUBLE_EQ(args(1)["ls"].get<double>(), 700.0);
  EXPECT_DOUBLE_EQ(args(1)["li"].get<double>(), 0.5);
  EXPECT_EQ(args(1)["t"].get<int64_t>(), 6);  // 0.6 T with T = 10
  for (int i : {2, 3}) {
    EXPECT_EQ(args(i)["ls"].get<double>(), 0.0);
    EXPECT_EQ(args(i)["li"].get<double>(), 0.0);
  }
  EXPECT_EQ(runs[1].config["method"], "egsde-dagger");
}

TEST(Expand, IdsAreStable) {
  // The same spec written with its keys in another order, with comments and ints-as-floats.
  const std::string a = R"({"name": "x", "profile": {"args": {"testdata_path": "i", "ckpt": "c", "dsepath": "d",
    "t": 5, "ls": 500, "li": 2, "s1": "cosine", "s2": "neg_l2", "phase": "test", "sample_step": 1, "batch_size": 2,
    "diffusionmodel": "ADM", "down_N": 4, "seed": 1234}, "config": {"data": {"image_size": 8},
    "model": {"a": 1, "b": 2, "var_type": "fixedsmall"}, "dse": {}, "diffusion": {"num_diffusion_timesteps": 10,
    "beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}}}, "grid": {"args.li": [1, 2], "args.ls": [0, 9]}})";
  const std::string b = R"({"grid": {"args.ls": [0, 9], "args.li": [1, 2]}, "_source": "comment", "profile": {
    "config": {"diffusion": {"beta_end": 0.02, "beta_start": 0.0001, "beta_schedule": "linear", "num_diffusion_timesteps": 10},
    "dse": {}, "model": {"var_type": "fixedsmall", "b": 2, "a": 1}, "data": {"image_size": 8}},
    "args": {"seed": 1234, "down_N": 4, "diffusionmodel": "ADM", "batch_size": 2, "sample_step": 1, "phase": "test",
    "s2": "neg_l2", "s1": "cosine", "li": 2.0, "ls": 500.0, "t": 5.0, "dsepath": "d", "ckpt": "c", "testdata_path": "i",
    "_note": "x"}}, "name": "x"})";
  const auto ra = expand(parse_spec(json::parse(a), "a.json")).runs;
  const auto rb = expand(parse_spec(json::parse(b), "b.json")).runs;
  ASSERT_EQ(ra.size(), 4u);
  ASSERT_EQ(rb.size(), 4u);
  for (std::size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].id, rb[i].id);
    EXPECT_EQ(ra[i].label, rb[i].label);
  }
  // Pinned: the canonical config format is part of every record's identity; change it knowingly.
  EXPECT_EQ(hex_digits(fnv1a64(""), 16), "cbf29ce484222325");
  EXPECT_EQ(hex_digits(fnv1a64("a"), 16), "af63dc4c8601ec8c");
  EXPECT_EQ(ra[0].config.dump(),
            R"({"method":"egsde","profile":{"args":{"batch_size":2,"ckpt":"c","diffusionmodel":"ADM","down_N":4,)"
            R"("dsepath":"d","li":1.0,"ls":0.0,"phase":"test","s1":"cosine","s2":"neg_l2","sample_step":1,"seed":1234,)"
            R"("t":5,"testdata_path":"i"},"config":{"data":{"image_size":8},"diffusion":{"beta_end":0.02,)"
            R"("beta_schedule":"linear","beta_start":0.0001,"num_diffusion_timesteps":10},"dse":{},)"
            R"("model":{"a":1,"b":2,"var_type":"fixedsmall"}}},"repeat":0,"rng":"per-sample"})");
  EXPECT_EQ(ra[0].id, hex_digits(fnv1a64(ra[0].config.dump()), 12));
  // Evaluation settings and max_images do not change a run's id; rng does.
  json c = json::parse(a);
  c["max_images"] = 2;
  c["evaluation"] = {{"task", "cat2dog"}, {"target", "t"}, {"inception", "w"}};
  EXPECT_EQ(expand(parse_spec(c, "c.json")).runs[0].id, ra[0].id);
  c["precision"] = "fp32";  // the default: absent from the config, the same ids
  EXPECT_EQ(expand(parse_spec(c, "c.json")).runs[0].id, ra[0].id);
  c["precision"] = "bf16";
  const auto bf16 = expand(parse_spec(c, "c.json")).runs[0];
  EXPECT_NE(bf16.id, ra[0].id);
  EXPECT_EQ(bf16.config.value("precision", ""), "bf16");
  c["conv"] = "direct";  // the default: absent, the same ids
  EXPECT_EQ(expand(parse_spec(c, "c.json")).runs[0].id, bf16.id);
  c["conv"] = "winograd";
  const auto wino = expand(parse_spec(c, "c.json")).runs[0];
  EXPECT_NE(wino.id, bf16.id);
  EXPECT_EQ(wino.config.value("conv", ""), "winograd");
  c["rng"] = "official";
  EXPECT_NE(expand(parse_spec(c, "c.json")).runs[0].id, wino.id);
}

TEST(Expand, FindRunByIdOrPrefix) {
  const auto runs = expand(read_spec(test::fixture("specs/small.json"))).runs;
  EXPECT_EQ(find_run(runs, runs[3].id).id, runs[3].id);
  EXPECT_EQ(find_run(runs, runs[3].id.substr(0, 10)).id, runs[3].id);
  try {
    find_run(runs, "zzzz");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--dry-run"), std::string::npos);
  }
}

TEST(Spec, ShardAndDeviceParsing) {
  EXPECT_EQ(parse_shard("2/4").index, 2);
  EXPECT_EQ(parse_shard("2/4").count, 4);
  for (const char* bad : {"4/4", "-1/2", "1", "a/b", "1/0", "1/2x"}) EXPECT_THROW(parse_shard(bad), Error) << bad;
  EXPECT_EQ(parse_devices("cuda:0,cuda:1"), (std::vector<std::string>{"cuda:0", "cuda:1"}));
  EXPECT_THROW(parse_devices("gpu"), Error);
  EXPECT_THROW(parse_devices("cpu,cpu"), Error);
  const auto w = make_workers({"cuda:0", "cuda:1"}, 3);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[2].device, "cuda:0");
  EXPECT_EQ(make_workers({"cpu"}, 0).size(), 1u);
}

// Every committed spec parses and expands; experiments/paper/ holds only specs and reference.json.
TEST(Spec, CommittedSpecsParseAndExpand) {
  const fs::path experiments = source_root() / "experiments";
  ASSERT_TRUE(fs::is_directory(experiments)) << experiments;
  int specs = 0;
  for (const auto& entry : fs::recursive_directory_iterator(experiments)) {
    if (entry.path().extension() != ".json") continue;
    const json j = read_json_file(entry.path());
    const bool in_paper = entry.path().parent_path().filename() == "paper";
    if (entry.path().filename() == "reference.json") continue;
    if (!in_paper && !(j.is_object() && j.contains("profile") && j.contains("name"))) continue;  // e.g. profiles
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW({
      const auto e = expand(parse_spec(j, entry.path()));
      EXPECT_FALSE(e.runs.empty());
    });
    ++specs;
  }
  EXPECT_GE(specs, 3);
}

TEST(Spec, ReferenceTableIsWellFormed) {
  const json ref = read_json_file(source_root() / "experiments/paper/reference.json");
  ASSERT_TRUE(ref.contains("cat2dog"));
  for (const char* method : {"egsde", "egsde-dagger", "sdedit", "ilvr"}) {
    const json& row = ref["cat2dog"]["methods"][method];
    for (const char* metric : {"fid", "l2", "psnr", "ssim"}) {
      ASSERT_TRUE(row.contains(metric)) << method << " " << metric;
      EXPECT_TRUE(row[metric]["mean"].is_number()) << method << " " << metric;
    }
  }
  EXPECT_DOUBLE_EQ(ref["cat2dog"]["methods"]["egsde"]["fid"]["mean"].get<double>(), 65.82);
}

TEST(Expand, GridListIsTheUnionOfItsProducts) {
  json j = small_spec();
  j["methods"] = {"egsde"};
  j["repeats"] = 1;
  // A λs sweep at the profile's li and a λi sweep at its ls: the profile's point (ls 500, li 2
  // in specs/small.json's profile) appears in both and runs once.
  const double ls = j["profile"]["args"]["ls"].get<double>(), li = j["profile"]["args"]["li"].get<double>();
  j["grid"] = json::array({{{"args.ls", {0.0, ls, 2000.0}}}, {{"args.li", {0.0, li}}}});
  const Expansion e = expand(parse_spec(j, "spec.json"));
  EXPECT_EQ(e.runs.size(), 3u + 2u - 1u);
  EXPECT_EQ(e.collapsed, 1u);
  EXPECT_EQ(e.runs[0].label.rfind("egsde args.ls=0", 0), 0u) << e.runs[0].label;
  EXPECT_EQ(e.runs[3].label.rfind("egsde args.li=0", 0), 0u) << e.runs[3].label;
  j["grid"] = json::array({1});
  expect_error(j, {"each entry of the 'grid' list must be an object"});
}

TEST(Spec, ClassifierEvaluation) {
  json j = small_spec();
  j["evaluation"] = {{"task", "custom"}, {"target", "t"}, {"classifier", "c.pt"}, {"target_class", "sneaker"}};
  const Spec s = parse_spec(j, "spec.json");
  ASSERT_TRUE(s.evaluation);
  EXPECT_EQ(s.evaluation->classifier.filename(), "c.pt");
  EXPECT_EQ(s.evaluation->target_class, 7);  // Fashion-MNIST label of 'sneaker'
  EXPECT_TRUE(s.evaluation->inception.empty());
  j["evaluation"]["inception"] = "i.pth";
  expect_error(j, {"exactly one of 'inception'"});
  j["evaluation"].erase("inception");
  j["evaluation"]["target_class"] = "snekaer";
  expect_error(j, {"snekaer"});
  j["evaluation"] = {{"task", "custom"}, {"target", "t"}, {"inception", "i"}, {"protocol", "clean"}, {"target_class", "sneaker"}};
  expect_error(j, {"need a 'classifier'"});
}

// Issue 18: the spec's profile goes through translate's own parser (one validator), so the spec
// fails exactly where `egsde translate --profile` (and every worker) would, with its message; the
// cases where the runner's former copy of the rules disagreed with it.
TEST(Spec, TheProfileHasOneValidator) {
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const fs::path dir = test::fixture("specs");
  for (const auto& change : std::vector<std::function<void(json&)>>{
           [](json& p) { p["args"]["phase"] = "train"; },     // the runner's copy accepted it
           [](json& p) { p["config"].erase("dse"); },         // unchecked there while ls ≠ 0
           [](json& p) { p["args"]["t"] = "5"; }}) {
    json j = small_spec();
    change(j["profile"]);
    const std::string from_spec = message([&] { parse_spec(j, dir / "spec.json"); });
    const std::string from_profile =
        message([&] { parse_profile(strip_comments(j["profile"]), dir, (dir / "spec.json").string() + " profile"); });
    EXPECT_FALSE(from_spec.empty()) << j["profile"].dump();
    EXPECT_EQ(from_spec, from_profile);
  }
  json j = small_spec();  // dsepath is optional where no DSE is used (the copy required it)
  j["profile"]["args"].erase("dsepath");
  j["profile"]["args"]["ls"] = 0;
  j["methods"] = {"sdedit"};
  EXPECT_EQ(expand(parse_spec(j, dir / "spec.json")).runs.size(), 2u);
  j = small_spec();  // a list of folders parses as a profile; egsde run says why it takes one
  j["profile"]["args"]["testdata_path"] = {"images", "images"};
  EXPECT_NE(message([&] { parse_spec(j, dir / "spec.json"); }).find("egsde run translates one source folder"),
            std::string::npos);
  j = small_spec();  // likewise through a grid value
  j["grid"] = {{"args.testdata_path", {"images", {"a", "b"}}}};
  EXPECT_NE(message([&] { expand(parse_spec(j, dir / "spec.json")); }).find("lists 2 folders"), std::string::npos);
}
