// core/digest: the one FNV-1a 64 of the tree. Expected values: the FNV reference test vectors
// (FNV-1a 64 of "" is the offset basis, of "a" af63dc4c8601ec8c; isthe.com/chongo/tech/comp/fnv).
#include <gtest/gtest.h>

#include <fstream>

#include "common/test_util.h"
#include "core/digest.h"
#include "core/error.h"

using namespace egsde;

TEST(Digest, FnvReferenceVectors) {
  EXPECT_EQ(hex_digits(fnv1a64("")), "cbf29ce484222325");
  EXPECT_EQ(hex_digits(fnv1a64("a")), "af63dc4c8601ec8c");
  EXPECT_EQ(hex_digits(fnv1a64("foobar")), "85944171f73967e8");
}

TEST(Digest, StreamingEqualsOneShotAndFileDigestUsesTheEgsdeBasis) {
  const auto dir = test::temp_dir("digest");
  const std::string bytes(200000, 'x');  // longer than one 64 KiB read
  { std::ofstream(dir / "f.bin", std::ios::binary) << bytes; }
  Fnv1a64 f(kEgsdeDigestBasis);
  f.add(bytes.substr(0, 7));
  f.add(bytes.substr(7));
  EXPECT_EQ(f.value(), fnv1a64(bytes, kEgsdeDigestBasis));
  EXPECT_EQ(file_digest(dir / "f.bin"), hex_digits(fnv1a64(bytes, kEgsdeDigestBasis)));
  EXPECT_NE(fnv1a64(bytes, kEgsdeDigestBasis), fnv1a64(bytes));
  EXPECT_THROW(file_digest(dir / "missing.bin"), Error);
}
