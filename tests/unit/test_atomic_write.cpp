// core/atomic_write: a failed write says why (the system's reason) and leaves no temp file.
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/atomic_write.h"
#include "core/error.h"

using namespace egsde;
namespace fs = std::filesystem;

namespace {

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

// Issue 19: a rename onto a folder said "rename failed: Success" (the error code was reused
// by the clean-up before the message was made).
TEST(AtomicWrite, RenameOntoAFolderSaysWhy) {
  const auto dir = test::temp_dir("atomic_write");
  fs::create_directories(dir / "taken" / "inside");
  try {
    write_file_atomic(dir / "taken", "bytes");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("Success"), std::string::npos) << what;
    EXPECT_NE(what.find("rename failed: Is a directory"), std::string::npos) << what;
    EXPECT_NE(what.find((dir / "taken").string()), std::string::npos) << what;
  }
  EXPECT_EQ(entries(dir), 1u) << "the temp file is removed";
  write_file_atomic(dir / "ok.txt", "bytes");
  std::ifstream in(dir / "ok.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "bytes");
  EXPECT_EQ(entries(dir), 2u);
  fs::remove_all(dir);
}

// A writer that fails half-way (as a full disk makes it) leaves neither the target nor the temp.
TEST(AtomicWrite, WriterFailureRemovesTheTempFile) {
  const auto dir = test::temp_dir("atomic_write_fail");
  EXPECT_THROW(write_file_atomic(dir / "x.json", [](std::ostream&) { throw Error("writer failed"); }), Error);
  EXPECT_EQ(entries(dir), 0u);
  fs::remove_all(dir);
}

}  // namespace
