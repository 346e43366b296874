// Profile parsing (src/translate/profile.h): the one-file official profile, strict keys with
// nearest-name suggestions, relative paths against the profile's folder. Expected values are the
// fixture profile's own (tests/fixtures/translate/profile.json, written by
// scripts/fixtures/make_translate_fixtures.py from the official cat2dog profile in miniature).
#include <gtest/gtest.h>

#include <tuple>

#include "common/test_util.h"
#include "core/error.h"
#include "core/json_io.h"
#include "translate/profile.h"

using namespace egsde;

namespace {

nlohmann::json fixture_profile() { return read_json_file(test::fixture("translate/profile.json")); }

std::string error_of(const nlohmann::json& j) {
  try {
    parse_profile(j, "/base", "profile P");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Profile, ReadsTheOfficialKeysAndResolvesPaths) {
  const Profile p = read_profile(test::fixture("translate/profile.json"));
  EXPECT_EQ(p.args.t, 30);
  EXPECT_DOUBLE_EQ(p.args.ls, 500.0);
  EXPECT_DOUBLE_EQ(p.args.li, 2.0);
  EXPECT_EQ(p.args.s1, RealismScore::Cosine);
  EXPECT_EQ(p.args.s2, FaithfulScore::NegL2);
  EXPECT_EQ(p.args.diffusionmodel, DiffusionModel::Adm);
  EXPECT_EQ(p.args.batch_size, 2);
  EXPECT_EQ(p.args.down_N, 8);
  EXPECT_EQ(p.args.seed, 1234u);
  EXPECT_EQ(p.image_size, 64);
  EXPECT_EQ(p.schedule.var_type, VarType::FixedSmall);
  EXPECT_EQ(p.schedule.num_diffusion_timesteps, 1000);
  ASSERT_EQ(p.args.testdata_path.size(), 1u);
  EXPECT_EQ(p.args.testdata_path[0], test::fixture("translate/source").lexically_normal());
  EXPECT_EQ(p.args.ckpt, test::fixture("translate/eps.pt").lexically_normal());
}

TEST(Profile, TestdataPathMayBeAListOfFolders) {
  auto j = fixture_profile();
  j["args"]["testdata_path"] = {"a", "/abs/b"};
  const Profile p = parse_profile(j, "/base", "profile P");
  ASSERT_EQ(p.args.testdata_path.size(), 2u);
  EXPECT_EQ(p.args.testdata_path[0], "/base/a");
  EXPECT_EQ(p.args.testdata_path[1], "/abs/b");
}

TEST(Profile, UnknownKeysSuggestTheNearestName) {
  auto j = fixture_profile();
  j["args"]["lss"] = 1;
  EXPECT_NE(error_of(j).find("unknown key 'lss'; did you mean 'ls'?"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["config"]["diffusion"]["beta_schedul"] = "linear";
  EXPECT_NE(error_of(j).find("did you mean 'beta_schedule'"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["config"]["dse2"] = nlohmann::json::object();
  EXPECT_NE(error_of(j).find("did you mean 'dse'"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["arg"] = j["args"];
  EXPECT_NE(error_of(j).find("did you mean 'args'"), std::string::npos) << error_of(j);
}

TEST(Profile, MissingKeysBadValuesAndEnumsAreErrors) {
  auto j = fixture_profile();
  j["args"].erase("seed");
  EXPECT_NE(error_of(j).find("required key 'seed' is missing"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["config"].erase("diffusion");
  EXPECT_NE(error_of(j).find("required key 'diffusion' is missing"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["args"]["s1"] = "cosin";
  // the enum's error names the profile (it said only "unknown s1 'cosin'; …")
  EXPECT_EQ(error_of(j).rfind("profile P args: unknown s1 'cosin'; did you mean 'cosine'", 0), 0u) << error_of(j);
  j = fixture_profile();
  j["args"]["diffusionmodel"] = "ADN";
  EXPECT_EQ(error_of(j).rfind("profile P args: ", 0), 0u) << error_of(j);
  EXPECT_NE(error_of(j).find("did you mean 'ADM'"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["config"]["diffusion"]["beta_schedule"] = "linaer";
  EXPECT_EQ(error_of(j).rfind("profile P config.diffusion: ", 0), 0u) << error_of(j);
  j = fixture_profile();
  j["args"]["t"] = "30";
  EXPECT_NE(error_of(j).find("'t' must be an integer"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["args"]["down_N"] = 5;
  EXPECT_NE(error_of(j).find("not divisible by down_N"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["args"]["t"] = 1001;
  EXPECT_NE(error_of(j).find("exceeds num_diffusion_timesteps"), std::string::npos) << error_of(j);
  j = fixture_profile();
  j["args"]["phase"] = "train";
  EXPECT_NE(error_of(j).find("phase 'test'"), std::string::npos) << error_of(j);
}

// Issue 19: a value of the wrong type is called that (it said "missing"), and values that would
// fail later as NaN or pass silently are refused: negative λs/λi, β outside (0, 1], β_start > β_end.
TEST(Profile, WrongTypesAndOutOfRangeValuesAreNamed) {
  auto j = fixture_profile();
  j["config"]["data"]["image_size"] = "64";
  EXPECT_NE(error_of(j).find("'image_size' must be an integer, not string \"64\""), std::string::npos) << error_of(j);
  for (const char* key : {"ls", "li"}) {
    j = fixture_profile();
    j["args"][key] = -1.5;
    EXPECT_NE(error_of(j).find(std::string(key) + " = -1.500000 must be >= 0"), std::string::npos) << error_of(j);
  }
  const std::vector<std::tuple<std::string, double, std::string>> bad = {
      {"beta_end", 2.0, "beta_end = 2.000000 must be in (0, 1]"},
      {"beta_start", -0.001, "beta_start = -0.001000 must be in (0, 1]"},
      {"beta_start", 0.0, "beta_start = 0.000000 must be in (0, 1]"},
      {"beta_start", 0.05, "beta_start 0.050000 exceeds beta_end 0.020000"}};
  for (const auto& [key, value, message] : bad) {
    j = fixture_profile();
    j["config"]["diffusion"][key] = value;
    EXPECT_NE(error_of(j).find(message), std::string::npos) << key << ": " << error_of(j);
  }
  j = fixture_profile();  // const uses beta_end only, jsd neither: beta_start does not matter there
  j["config"]["diffusion"]["beta_start"] = 0.0;
  for (const char* schedule : {"const", "jsd"}) {
    j["config"]["diffusion"]["beta_schedule"] = schedule;
    EXPECT_EQ(error_of(j), "") << schedule;
  }
}

TEST(Profile, SdeditProfilesNeedNoDse) {
  auto j = fixture_profile();
  j["args"]["ls"] = 0;
  j["args"].erase("dsepath");
  j["config"].erase("dse");
  EXPECT_NO_THROW(parse_profile(j, "/base", "profile P"));
  j["args"]["ls"] = 1;
  EXPECT_NE(error_of(j).find("dsepath is required"), std::string::npos) << error_of(j);
}

// experiments/profiles/*.json: the official profiles (written from profiles/<task>/args.py + yml).
TEST(Profile, TheShippedOfficialProfilesParse) {
  const auto dir = test::fixture("../../experiments/profiles").lexically_normal();
  for (const std::string task : {"cat2dog", "wild2dog", "male2female", "multi_afhq"}) {
    const Profile p = read_profile(dir / (task + ".json"));
    EXPECT_EQ(p.args.t, 500) << task;
    EXPECT_EQ(p.args.down_N, 32) << task;
    EXPECT_EQ(p.image_size, 256) << task;
    EXPECT_EQ(p.args.diffusionmodel, task == "male2female" ? DiffusionModel::Ddpm : DiffusionModel::Adm) << task;
  }
}

TEST(Profile, ToJsonRoundTrips) {
  const Profile p = read_profile(test::fixture("translate/profile.json"));
  const Profile q = parse_profile(to_json(p), "/elsewhere", "round trip");
  EXPECT_EQ(to_json(q), to_json(p));
}

}  // namespace

// One profile schema for translate and run (issue 18): the canonical form a run's id hashes —
// the unused keys dropped, whole numbers as integers (5.0 = 5), λs/λi as floats, paths as written.
TEST(Profile, CanonicalFormIsWhatARunHashes) {
  auto j = fixture_profile();
  j["description"] = "a note";
  j["args"]["config_path"] = "cat2dog.yml";
  j["args"]["root"] = "runs";
  j["args"]["t"] = 30.0;
  j["args"]["batch_size"] = 2.0;
  j["args"]["ls"] = 500;
  const Profile p = parse_profile(j, "/base", "profile P");
  EXPECT_EQ(p.args.t, 30);
  EXPECT_FALSE(p.canonical.contains("description"));
  EXPECT_FALSE(p.canonical["args"].contains("config_path"));
  EXPECT_FALSE(p.canonical["args"].contains("root"));
  EXPECT_EQ(p.canonical["args"]["t"].dump(), "30");
  EXPECT_EQ(p.canonical["args"]["batch_size"].dump(), "2");
  EXPECT_EQ(p.canonical["args"]["ls"].dump(), "500.0");
  EXPECT_EQ(p.canonical["args"]["ckpt"], fixture_profile()["args"]["ckpt"]);  // as written, not resolved
  EXPECT_EQ(p.canonical["config"], fixture_profile()["config"]);
  j["args"]["t"] = 30.5;
  EXPECT_NE(error_of(j).find("key 't' must be an integer, got 30.5"), std::string::npos) << error_of(j);
}
