#include "util/base64.h"

#include <gtest/gtest.h>

namespace zerospof::util {
namespace {

TEST(Base64Test, EveryByteComesBackAndPaddingIsRight) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (std::size_t length : {0, 1, 2, 3, 4, 255, 256}) {
    std::string data = all.substr(0, length);
    std::string encoded = encode_base64(data);
    EXPECT_EQ(encoded.size() % 4, 0u) << length;
    EXPECT_EQ(decode_base64(encoded).value_or("?"), data) << length;
  }
  EXPECT_EQ(encode_base64("ab"), "YWI=");
  EXPECT_EQ(decode_base64("YW\nI=").value_or("?"), "ab");
}

TEST(Base64Test, TextThatIsNotBase64IsRefusedWithoutQuotingIt) {
  for (std::string text : {"abc", "ab!=", "secretkey"}) {
    auto decoded = decode_base64(text);
    ASSERT_FALSE(decoded.has_value()) << text;
    EXPECT_EQ(decoded.error().message.find(text), std::string::npos);
  }
}

}  // namespace
}  // namespace zerospof::util
