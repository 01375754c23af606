#pragma once
// AWS Signature Version 4, written from the AWS documentation ("Create a signed AWS API request").
// Pure: the time comes in SigningParams, no clock, no I/O, no environment. Thread-safe: no shared state.
// Each documented step is callable on its own so the tests can check them one by one against the vectors.
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/crypto.hpp"
#include "aws/http.hpp"

namespace bw::aws::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct SigningParams {
  std::string region;
  std::string service;
  Time time;
  bool normalize_path = true;  // false only for S3, which signs the path exactly as sent
  bool sign_body = false;      // header mode: adds X-Amz-Content-Sha256 (and signs it)
  Duration expires{3600};      // presign only; AWS accepts 1s..7d
  // Sends the session token but leaves it out of the signature, as a few services (IoT) require.
  bool omit_session_token = false;
};

// Header mode. Adds X-Amz-Date, X-Amz-Security-Token (when creds.session_token is non-empty),
// X-Amz-Content-Sha256 (when params.sign_body) and Authorization; adds Host from the URL when absent.
// Any of these already present (a request signed before, being retried) is replaced. The body is untouched.
void sign(HttpRequest& request, const Credentials& creds, const SigningParams& params);

// Query mode: the full URL carrying X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
// -Security-Token (if any) and -Signature after the request's own query parameters.
std::string presign(const HttpRequest& request, const Credentials& creds, const SigningParams& params);

// ---- The steps, named after the AWS documentation ----

// The hashes themselves (SHA-256, HMAC-SHA256, hex) are aws/crypto.hpp's.
using Digest = crypto::Sha256Digest;

std::string amz_date(Time time);  // 20150830T123600Z
// 20150830/us-east-1/iam/aws4_request
std::string credential_scope(Time time, std::string_view region, std::string_view service);

// Task 1 parts. The URI path is URI-encoded once more (the "double encoding" every service but S3 expects),
// after removing dot segments and empty segments when normalize is set.
std::string canonical_uri(std::string_view path, bool normalize);
// Parameters decoded, re-encoded (RFC 3986, upper-case hex), sorted by key then value; "k" becomes "k=".
std::string canonical_query_string(std::string_view query);
// "content-type;host;x-amz-date": the lower-cased, sorted, de-duplicated names that get signed. All headers
// are signed except Authorization and those proxies or the transport may rewrite (User-Agent, Expect,
// Connection, Transfer-Encoding, X-Amzn-Trace-Id).
std::string signed_headers(const Headers& headers);

// Task 1: the canonical request of a request that already carries its X-Amz-* headers (header mode)
// or X-Amz-* query parameters (query mode). payload_hash is crypto::sha256_hex(body).
struct CanonicalRequest {
  std::string text;
  std::string signed_headers;
};
CanonicalRequest canonical_request(std::string_view method, std::string_view url, const Headers& headers,
                                   std::string_view payload_hash, bool normalize_path = true);

// Task 2.
std::string string_to_sign(Time time, std::string_view credential_scope, std::string_view canonical_request);

// Task 3. date is yyyymmdd, the first 8 characters of amz_date().
Digest signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                   std::string_view service);
std::string signature(const Digest& signing_key, std::string_view string_to_sign);

}  // namespace bw::aws::sigv4
