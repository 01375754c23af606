#pragma once
// SHA-256, HMAC-SHA256 and lower-case hex, the one implementation the program hashes and signs
// with: SigV4, the webhook signature and the notification idempotency keys. OpenSSL's EVP digest
// underneath; no state shared between threads.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace bw::aws::crypto {

using Sha256Digest = std::array<unsigned char, 32>;

// One digest context reused for many digests: a SigV4 signature takes a dozen digests and five
// HMACs, and a context (or OpenSSL's one-shot HMAC(), which fetches the MAC) per digest dominated it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256Digest digest(std::string_view data);
  Sha256Digest hmac(std::string_view key, std::string_view data);  // RFC 2104 over SHA-256

 private:
  void begin();
  void update(std::string_view s);
  Sha256Digest finish();

  evp_md_ctx_st* ctx_;
};

// The digest's bytes as a string_view, to feed it to another HMAC (SigV4's key derivation).
inline std::string_view as_view(const Sha256Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

std::string hex(const unsigned char* data, std::size_t size);  // lower-case
inline std::string hex(const Sha256Digest& d) { return hex(d.data(), d.size()); }

inline Sha256Digest sha256(std::string_view data) { return Sha256().digest(data); }
inline std::string sha256_hex(std::string_view data) { return hex(sha256(data)); }
inline Sha256Digest hmac_sha256(std::string_view key, std::string_view data) { return Sha256().hmac(key, data); }

}  // namespace bw::aws::crypto
