#include "aws/endpoints.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace bw::aws {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint32_t> ipv4(std::string_view s) {
  in_addr a{};
  if (s.empty() || s.size() > 15 || inet_pton(AF_INET, std::string(s).c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

// "host" of scheme://[userinfo@]host[:port]/..., lower-cased, IPv6 brackets removed.
std::string url_host(std::string_view url) {
  auto scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return lower(rest.substr(1, rest.find(']') - 1));
  return lower(rest.substr(0, rest.find(':')));
}

bool no_proxy_matches(std::string_view entry, const std::string& host) {
  entry = trim(entry);
  if (entry.empty()) return false;
  if (entry == "*") return true;
  std::string e = lower(entry);
  if (e.starts_with('[')) e = e.substr(1, e.find(']') - 1);  // [::1]:80
  else if (auto slash = e.find('/'); slash != std::string::npos) {
    // IPv4 CIDR block
    const auto net = ipv4(std::string_view(e).substr(0, slash));
    const auto h = ipv4(host);
    int bits = -1;
    const std::string_view b = std::string_view(e).substr(slash + 1);
    if (std::from_chars(b.data(), b.data() + b.size(), bits).ptr != b.data() + b.size()) return false;
    if (!net || !h || bits < 0 || bits > 32) return false;
    const std::uint32_t mask = bits == 0 ? 0u : ~std::uint32_t{0} << (32 - bits);
    return (*net & mask) == (*h & mask);
  } else if (std::count(e.begin(), e.end(), ':') == 1) {
    e = e.substr(0, e.find(':'));  // host:port
  }
  if (e.starts_with('.')) e = e.substr(1);
  if (e.starts_with("*.")) e = e.substr(2);
  if (host == e) return true;
  return host.size() > e.size() && host.ends_with(e) && host[host.size() - e.size() - 1] == '.';
}

bool never_proxied(const std::string& host) {
  if (host == "localhost" || host == "::1" || host.starts_with("fd00:ec2::")) return true;
  if (const auto a = ipv4(host)) {
    const std::uint32_t v = *a;
    return (v >> 24) == 127 || (v >> 16) == ((169u << 8) | 254u);  // 127/8 loopback, 169.254/16 link-local metadata
  }
  return false;
}

}  // namespace

std::string_view dns_suffix(std::string_view region) {
  if (region.starts_with("cn-")) return "amazonaws.com.cn";
  if (region.starts_with("us-isob-")) return "sc2s.sgov.gov";
  if (region.starts_with("us-isof-")) return "csp.hci.ic.gov";
  if (region.starts_with("us-iso-")) return "c2s.ic.gov";
  if (region.starts_with("eu-isoe-")) return "cloud.adc-e.uk";
  if (region.starts_with("eusc-")) return "amazonaws.eu";
  return "amazonaws.com";
}

std::string service_endpoint_url(std::string_view service, std::string_view region, bool fips) {
  if (fips && region.starts_with("us-gov-")) {
    const bool standard_is_fips = service == "monitoring" || service == "sns" || service == "sts" ||
                                  service == "events" || (service == "states" && region == "us-gov-west-1");
    if (standard_is_fips) fips = false;
  }
  return fmt::format("https://{}{}.{}.{}", service, fips ? "-fips" : "", region, dns_suffix(region));
}

bool use_fips_from_env(const EnvLookup& env) {
  const auto v = env("AWS_USE_FIPS_ENDPOINT");
  return v && lower(trim(*v)) == "true";
}

ProxySettings proxy_settings_from_env(const EnvLookup& env) {
  auto first = [&](const char* a, const char* b) {
    if (auto v = env(a); v && !v->empty()) return *v;
    if (auto v = env(b); v && !v->empty()) return *v;
    return std::string();
  };
  ProxySettings s;
  s.https_proxy = first("https_proxy", "HTTPS_PROXY");
  s.http_proxy = first("http_proxy", "HTTP_PROXY");
  s.all_proxy = first("all_proxy", "ALL_PROXY");
  s.no_proxy = first("no_proxy", "NO_PROXY");
  return s;
}

std::string proxy_for_url(const ProxySettings& settings, std::string_view url) {
  const bool https = lower(url.substr(0, 8)) == "https://";
  std::string proxy = https ? settings.https_proxy : settings.http_proxy;
  if (proxy.empty()) proxy = settings.all_proxy;
  if (proxy.empty()) return "";
  const std::string host = url_host(url);
  if (host.empty() || never_proxied(host)) return "";
  std::string_view list = settings.no_proxy;
  while (!list.empty()) {
    const auto sep = list.find_first_of(", ");
    if (no_proxy_matches(list.substr(0, sep), host)) return "";
    if (sep == std::string_view::npos) break;
    list.remove_prefix(sep + 1);
  }
  return proxy;
}

}  // namespace bw::aws
