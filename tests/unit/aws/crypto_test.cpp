// SHA-256 and HMAC-SHA256 against the published vectors (FIPS 180-2 examples, RFC 4231).
#include "aws/crypto.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bw::aws::crypto {
namespace {

TEST(Crypto, Sha256Hex) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231) {
  // Test case 2 (short key) and 6 (key longer than the block size, hashed first).
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, HexOfAnyLength) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(hex(bytes, 4), "000fa0ff");
  EXPECT_EQ(hex(bytes, 0), "");
}

}  // namespace
}  // namespace bw::aws::crypto
