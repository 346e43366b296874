// core/json_io: a file that is not valid JSON gives one line naming the file, whether it is
// truncated or where it is invalid (line:column, counted by hand below), and what to do.
#include <gtest/gtest.h>

#include "common/test_util.h"
#include "core/atomic_write.h"
#include "core/json_io.h"

using namespace egsde;
namespace fs = std::filesystem;

TEST(JsonIo, TruncatedFileSaysWhereItEnds) {
  const fs::path dir = test::temp_dir("json_io_cut");
  // "{", "  \"a\": [1,", "": the file ends at line 3, column 1 inside the array.
  write_file_atomic(dir / "p.json", "{\n  \"a\": [1,\n");
  const std::string msg = test::error_of([&] { read_json_file(dir / "p.json"); });
  EXPECT_NE(msg.find((dir / "p.json").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3, column 1"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("at byte"), std::string::npos) << msg;
  // Specs and profiles (this overload) keep the hint for the official yml files.
  EXPECT_NE(msg.find("yml"), std::string::npos) << msg;
  fs::remove_all(dir);
}

TEST(JsonIo, InvalidFileSaysLineAndColumn) {
  const fs::path dir = test::temp_dir("json_io_bad");
  // Line 3 is `  "b": x`: the x is column 8.
  write_file_atomic(dir / "m.json", "{\n  \"a\": 1,\n  \"b\": x\n}\n");
  const std::string msg = test::error_of([&] { read_json_file(dir / "m.json", "rerun the evaluation"); });
  EXPECT_NE(msg.find("line 3, column 8"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("; rerun the evaluation"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("yml"), std::string::npos) << msg;  // the caller's fix replaces the yml hint
  // An empty file is named as such.
  write_file_atomic(dir / "e.json", "");
  const std::string empty = test::error_of([&] { read_json_file(dir / "e.json", "x"); });
  EXPECT_NE(empty.find("empty"), std::string::npos) << empty;
  fs::remove_all(dir);
}
