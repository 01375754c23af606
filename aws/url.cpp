// URL helpers declared in aws/http.hpp: shared by the signer, the transport and the service clients.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/http.hpp"

namespace bw::aws {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void append_encoded(std::string& out, std::string_view s, bool encode_slash, bool space_as_plus = false) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (c == '/' && !encode_slash)) {
      out += ch;
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      // SigV4 requires upper-case hex digits: "%2f" would sign differently from what AWS computes.
      const char triplet[3] = {'%', hex[c >> 4], hex[c & 0xF]};
      out.append(triplet, 3);
    }
  }
}

}  // namespace

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return {};
}

UrlParts split_url(std::string_view url) {
  UrlParts parts;
  // A fragment is never sent to the server, so it is not part of any component we sign or transmit.
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  std::string_view rest = url;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    parts.scheme = rest.substr(0, sep);
    rest.remove_prefix(sep + 3);
  }
  const auto host_end = rest.find_first_of("/?");
  parts.host = rest.substr(0, host_end);
  rest = host_end == std::string_view::npos ? std::string_view{} : rest.substr(host_end);
  const auto q = rest.find('?');
  // Assigned once (not assigned, then overwritten with "/"): GCC 12 at -O3 reports a false
  // -Wrestrict on the overwrite (GCC bug 105329).
  const std::string_view path = rest.substr(0, q);
  parts.path.assign(path.empty() ? std::string_view{"/"} : path);
  if (q != std::string_view::npos) parts.query = rest.substr(q + 1);
  return parts;
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  append_encoded(out, s, encode_slash);
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::size_t size = 0;
  for (const auto& [key, value] : params) size += key.size() + value.size() + 2;
  std::string out;
  out.reserve(size + size / 4);
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    // application/x-www-form-urlencoded proper: a space is '+', as the AWS SDKs send it. Some
    // receivers re-encode the parsed form that way before checking the signature.
    append_encoded(out, key, true, true);
    out += '=';
    append_encoded(out, value, true, true);
  }
  return out;
}

}  // namespace bw::aws
