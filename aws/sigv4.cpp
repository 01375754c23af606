// AWS Signature Version 4, from the AWS documentation: Task 1 canonical request, Task 2 string to sign,
// Task 3 signing key and signature, then the Authorization header or the presigned query string.
#include "aws/sigv4.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bw::aws::sigv4 {
namespace {

constexpr std::string_view kTerminator = "aws4_request";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

template <class F>
void for_each_piece(std::string_view s, char separator, F&& f) {
  for (std::size_t pos = 0, end = 0; pos <= s.size(); pos = end + 1) {
    end = std::min(s.find(separator, pos), s.size());
    f(s.substr(pos, end - pos));
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Headers a proxy, tracer or the transport may add or rewrite after signing; signing them would only make
// the signature fragile. Authorization is here so that re-signing never signs the previous signature.
bool unsignable(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
         lower_name == "expect" || lower_name == "connection" || lower_name == "transfer-encoding";
}

// Trims and collapses inner whitespace runs (folded multi-line values included) to one space.
void append_header_value(std::string& out, std::string_view value) {
  value = trim(value);
  while (!value.empty()) {
    std::size_t word = 0;
    while (word < value.size() && !is_space(value[word])) ++word;
    out.append(value.substr(0, word));
    value = trim(value.substr(word));
    if (!value.empty()) out += ' ';
  }
}

struct HeaderBlock {
  std::string canonical;  // "name:value\n" per header
  std::string names;      // "name;name"
};

// extra_host: a Host header to sign as if present (presign of a request without one).
HeaderBlock build_headers(const Headers& headers, std::string_view extra_host = {}) {
  struct Entry {
    std::string name;
    std::string_view value;
    std::size_t order;
  };
  std::vector<Entry> entries;
  entries.reserve(headers.size() + 1);
  std::size_t value_bytes = 0;
  for (const auto& [raw_name, value] : headers) {
    std::string name(trim(raw_name));
    for (char& c : name) c = ascii_lower(c);
    if (unsignable(name)) continue;
    value_bytes += value.size();
    entries.push_back({std::move(name), value, entries.size()});
  }
  if (!extra_host.empty()) entries.push_back({"host", extra_host, entries.size()});
  // Stable on the original position: values of a repeated header are joined in the order they were given.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name != b.name ? a.name < b.name : a.order < b.order; });

  HeaderBlock block;
  block.canonical.reserve(value_bytes + entries.size() * 24);
  block.names.reserve(entries.size() * 16);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const bool continues = i > 0 && entries[i].name == entries[i - 1].name;
    if (continues) {
      block.canonical.back() = ',';  // replaces the previous value's '\n'
    } else {
      if (!block.names.empty()) block.names += ';';
      block.names += entries[i].name;
      block.canonical += entries[i].name;
      block.canonical += ':';
    }
    append_header_value(block.canonical, entries[i].value);
    block.canonical += '\n';
  }
  return block;
}

int hex_value(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// A malformed escape is kept literally (so re-encoded as %25...): signing has no channel to reject a URL.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Host as a client sends it: an explicit default port is dropped, as curl and the AWS SDKs do.
std::string host_header(const UrlParts& url) {
  std::string_view host = url.host;
  const std::string_view default_port = url.scheme == "https" ? ":443" : url.scheme == "http" ? ":80" : "";
  if (!default_port.empty() && host.size() > default_port.size() && host.ends_with(default_port))
    host.remove_suffix(default_port.size());
  return std::string(host);
}

std::string assemble(std::string_view method, std::string_view path, std::string_view query,
                     const HeaderBlock& headers, std::string_view payload_hash, bool normalize) {
  const std::string uri = canonical_uri(path, normalize);
  const std::string canonical_query = canonical_query_string(query);
  const std::string_view lines[] = {method, uri, canonical_query, headers.canonical, headers.names};
  std::string text;
  text.reserve(method.size() + uri.size() + canonical_query.size() + headers.canonical.size() +
               headers.names.size() + payload_hash.size() + 5);
  for (std::string_view line : lines) text.append(line).append(1, '\n');
  return text.append(payload_hash);
}

std::string make_string_to_sign(crypto::Sha256& hasher, std::string_view date_time, std::string_view scope,
                                std::string_view canonical) {
  std::string out;
  out.reserve(kAlgorithm.size() + date_time.size() + scope.size() + 64 + 3);
  out.append(kAlgorithm).append(1, '\n').append(date_time).append(1, '\n').append(scope).append(1, '\n');
  return out.append(crypto::hex(hasher.digest(canonical)));
}

Digest make_signing_key(crypto::Sha256& hasher, std::string_view secret, std::string_view date,
                        std::string_view region, std::string_view service) {
  std::string k_secret;
  k_secret.reserve(4 + secret.size());
  k_secret.append("AWS4").append(secret);
  Digest key = hasher.hmac(k_secret, date);
  OPENSSL_cleanse(k_secret.data(), k_secret.size());
  key = hasher.hmac(crypto::as_view(key), region);
  key = hasher.hmac(crypto::as_view(key), service);
  return hasher.hmac(crypto::as_view(key), kTerminator);
}

// Task 3 for a prepared request: the hex signature of string_to_sign.
std::string compute_signature(crypto::Sha256& hasher, const Credentials& creds, const SigningParams& params,
                              std::string_view date_time, std::string_view scope, std::string_view canonical) {
  const std::string sts = make_string_to_sign(hasher, date_time, scope, canonical);
  Digest key = make_signing_key(hasher, creds.secret_access_key, date_time.substr(0, 8), params.region,
                                params.service);
  std::string sig = crypto::hex(hasher.hmac(crypto::as_view(key), sts));
  OPENSSL_cleanse(key.data(), key.size());
  return sig;
}

}  // namespace

std::string amz_date(Time time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss hms{time - day};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string credential_scope(Time time, std::string_view region, std::string_view service) {
  std::string scope = amz_date(time).substr(0, 8);
  scope.reserve(8 + region.size() + service.size() + kTerminator.size() + 3);
  scope.append(1, '/').append(region).append(1, '/').append(service).append(1, '/').append(kTerminator);
  return scope;
}

std::string canonical_uri(std::string_view path, bool normalize) {
  if (path.empty() || path == "/") return "/";
  if (!normalize) return uri_encode(path, false);
  // RFC 3986 remove_dot_segments, and empty segments dropped too ("//a//" -> "/a/") as the vectors expect.
  std::vector<std::string_view> segments;
  for_each_piece(path, '/', [&](std::string_view segment) {
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
  });
  const std::string_view last = path.substr(path.rfind('/') + 1);
  const bool trailing_slash = last.empty() || last == "." || last == "..";
  std::string joined;
  for (std::string_view segment : segments) joined.append(1, '/').append(segment);
  if (trailing_slash || segments.empty()) joined += '/';
  return uri_encode(joined, false);
}

std::string canonical_query_string(std::string_view query) {
  if (query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  for_each_piece(query, '&', [&](std::string_view pair) {
    if (pair.empty()) return;
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // Decoded first so that a parameter arrives encoded exactly once whatever form the URL used.
    params.emplace_back(uri_encode(percent_decode(key)), uri_encode(percent_decode(value)));
  });
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out.append(key).append(1, '=').append(value);
  }
  return out;
}

std::string signed_headers(const Headers& headers) { return build_headers(headers).names; }

CanonicalRequest canonical_request(std::string_view method, std::string_view url, const Headers& headers,
                                   std::string_view payload_hash, bool normalize_path) {
  const UrlParts parts = split_url(url);
  HeaderBlock block = build_headers(headers);
  std::string text = assemble(method, parts.path, parts.query, block, payload_hash, normalize_path);
  return {std::move(text), std::move(block.names)};
}

std::string string_to_sign(Time time, std::string_view scope, std::string_view canonical) {
  crypto::Sha256 hasher;
  return make_string_to_sign(hasher, amz_date(time), scope, canonical);
}

Digest signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                   std::string_view service) {
  crypto::Sha256 hasher;
  return make_signing_key(hasher, secret_access_key, date, region, service);
}

std::string signature(const Digest& key, std::string_view sts) {
  return crypto::hex(crypto::hmac_sha256(crypto::as_view(key), sts));
}

void sign(HttpRequest& request, const Credentials& creds, const SigningParams& params) {
  // A retried request comes back with the previous attempt's signature: replace it, never add a second one.
  std::erase_if(request.headers, [](const auto& h) {
    return iequals(h.first, "authorization") || iequals(h.first, "x-amz-date") ||
           iequals(h.first, "x-amz-security-token") || iequals(h.first, "x-amz-content-sha256");
  });
  const UrlParts url = split_url(request.url);
  if (!has_header(request.headers, "host")) request.headers.insert(request.headers.begin(), {"Host", host_header(url)});

  crypto::Sha256 hasher;
  const std::string date_time = amz_date(params.time);
  const std::string scope = credential_scope(params.time, params.region, params.service);
  const bool token = !creds.session_token.empty();
  if (token && !params.omit_session_token) request.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  const std::size_t date_index = request.headers.size();
  request.headers.emplace_back("X-Amz-Date", date_time);
  const std::string payload_hash = crypto::hex(hasher.digest(request.body));
  if (params.sign_body) request.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);

  const HeaderBlock block = build_headers(request.headers);
  const std::string canonical = assemble(request.method, url.path, url.query, block, payload_hash,
                                         params.normalize_path);
  const std::string sig = compute_signature(hasher, creds, params, date_time, scope, canonical);
  if (token && params.omit_session_token)
    request.headers.insert(request.headers.begin() + static_cast<std::ptrdiff_t>(date_index),
                           {"X-Amz-Security-Token", creds.session_token});

  std::string auth;
  auth.reserve(kAlgorithm.size() + creds.access_key_id.size() + scope.size() + block.names.size() + sig.size() +
               48);
  auth.append(kAlgorithm).append(" Credential=").append(creds.access_key_id).append(1, '/').append(scope);
  auth.append(", SignedHeaders=").append(block.names).append(", Signature=").append(sig);
  request.headers.emplace_back("Authorization", std::move(auth));
}

std::string presign(const HttpRequest& request, const Credentials& creds, const SigningParams& params) {
  const UrlParts url = split_url(request.url);
  const HeaderBlock block =
      build_headers(request.headers, has_header(request.headers, "host") ? std::string() : host_header(url));
  const std::string date_time = amz_date(params.time);
  const std::string scope = credential_scope(params.time, params.region, params.service);

  std::string query = url.query;
  if (!query.empty() && query.back() != '&') query += '&';
  query.append("X-Amz-Algorithm=").append(kAlgorithm);
  query.append("&X-Amz-Credential=").append(uri_encode(creds.access_key_id + "/" + scope));
  query.append("&X-Amz-Date=").append(date_time);
  query.append("&X-Amz-SignedHeaders=").append(uri_encode(block.names));
  query.append("&X-Amz-Expires=").append(std::to_string(params.expires.count()));
  const bool token = !creds.session_token.empty();
  const std::string token_param = token ? "&X-Amz-Security-Token=" + uri_encode(creds.session_token) : "";
  if (!params.omit_session_token) query += token_param;

  crypto::Sha256 hasher;
  const std::string payload_hash = crypto::hex(hasher.digest(request.body));
  const std::string canonical = assemble(request.method, url.path, query, block, payload_hash, params.normalize_path);
  const std::string sig = compute_signature(hasher, creds, params, date_time, scope, canonical);
  if (params.omit_session_token) query += token_param;
  query.append("&X-Amz-Signature=").append(sig);

  const std::string_view base = std::string_view(request.url).substr(0, request.url.find_first_of("?#"));
  std::string out;
  out.reserve(base.size() + 1 + query.size());
  return out.append(base).append(1, '?').append(query);
}

}  // namespace bw::aws::sigv4
