// Expected values: RFC 4648 §10 test vectors.
#include <gtest/gtest.h>

#include "core/base64.h"

namespace egsde {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, HighBytes) { EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A"); }

}  // namespace egsde
