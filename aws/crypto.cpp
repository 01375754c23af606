#include "aws/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <new>
#include <stdexcept>

namespace bw::aws::crypto {
namespace {

const EVP_MD* sha256_md() {
  // Fetched once (thread-safe static init; an EVP_MD is immutable and shareable): EVP_sha256() would repeat
  // the provider lookup on every digest, and a signature takes a dozen digests.
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

[[noreturn]] void fail() { throw std::runtime_error("OpenSSL SHA-256 failed"); }

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();  // as std::string would on the same condition
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256Digest Sha256::digest(std::string_view data) {
  begin();
  update(data);
  return finish();
}

Sha256Digest Sha256::hmac(std::string_view key, std::string_view data) {
  constexpr std::size_t kBlock = 64;
  unsigned char k[kBlock] = {};
  if (key.size() > kBlock) {
    const Sha256Digest hashed = digest(key);
    std::memcpy(k, hashed.data(), hashed.size());
  } else if (!key.empty()) {
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  const auto pass = [&](unsigned char mask, std::string_view message) {
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ mask;
    begin();
    update({reinterpret_cast<const char*>(pad), kBlock});
    update(message);
    return finish();
  };
  Sha256Digest inner = pass(0x36, data);
  const Sha256Digest out = pass(0x5c, as_view(inner));
  // The padded keys are derived from the key, which may be a secret (SigV4's secret access key).
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(pad, sizeof pad);
  OPENSSL_cleanse(inner.data(), inner.size());
  return out;
}

void Sha256::begin() {
  if (EVP_DigestInit_ex(ctx_, sha256_md(), nullptr) != 1) fail();
}

void Sha256::update(std::string_view s) {
  if (!s.empty() && EVP_DigestUpdate(ctx_, s.data(), s.size()) != 1) fail();
}

Sha256Digest Sha256::finish() {
  Sha256Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, d.data(), &len) != 1 || len != d.size()) fail();
  return d;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

}  // namespace bw::aws::crypto
