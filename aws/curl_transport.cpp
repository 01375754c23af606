// HttpTransport on libcurl. One easy handle per transport, reused so connections stay alive.
// TLS: peer and host verification are always on; TransportOptions::ca_bundle replaces the system store.
// Proxies: decided per request by proxy_for_url() from the ProxySettings given at construction (by default the
// process environment) and set explicitly as CURLOPT_PROXY, "" meaning direct, so libcurl's own environment
// lookup never second-guesses the decision.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "aws/endpoints.hpp"
#include "aws/http.hpp"

namespace bw::aws {
namespace {

void global_init_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The first piece of a body sized by Content-Length (not compressed: then the length is the
// compressed one) reserves it whole: a 100 kB answer is then copied once, not grown by doubling.
void reserve_body(HttpResponse& response) {
  if (!response.header("Content-Encoding").empty()) return;
  const auto length = response.header("Content-Length");
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
  constexpr std::size_t kMaxReserve = 64u << 20;  // a length is a claim; a body is only appended as it comes
  if (ec == std::errc{} && end == length.data() + length.size()) response.body.reserve(std::min(n, kMaxReserve));
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& response = *static_cast<HttpResponse*>(user);
  if (response.body.empty()) reserve_body(response);
  response.body.append(data, size * count);
  return size * count;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100-continue or a redirect): keep only the last one's headers
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    headers->emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport(TransportOptions options, ProxySettings proxy) : options_(std::move(options)), proxy_(std::move(proxy)) {
    global_init_once();
    handle_ = curl_easy_init();
  }
  ~CurlTransport() override { curl_easy_cleanup(handle_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    CURL* h = handle_;
    curl_easy_reset(h);  // keeps the connection cache, clears per-request options
    HttpResponse response;
    curl_slist* header_list = nullptr;
    for (const auto& [name, value] : request.headers) {
      // curl adds its own Host (the same value); an explicit one must match what was signed, so pass it on.
      header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    }
    // curl would add "Expect: 100-continue" on larger bodies: a round trip we do not need.
    header_list = curl_slist_append(header_list, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // accept gzip: GetMetricData answers compress well
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    const std::string proxy = proxy_for_url(proxy_, request.url);
    curl_easy_setopt(h, CURLOPT_PROXY, proxy.c_str());  // "" = explicitly no proxy
    if (!proxy.empty()) {
      curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
      if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_PROXY_CAINFO, options_.ca_bundle.c_str());
    }
    if (request.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    } else if (request.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      }
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(header_list);
    if (rc != CURLE_OK) {
      Error e;
      e.kind = Error::Kind::Transport;
      e.timeout = rc == CURLE_OPERATION_TIMEDOUT;
      e.code = e.timeout ? "RequestTimeout" : rc == CURLE_COULDNT_CONNECT ? "CouldNotConnect" : "TransportError";
      // The URL, never the proxy (its userinfo may carry a password).
      e.message = std::string(curl_easy_strerror(rc)) + " (" + request.url + (proxy.empty() ? ")" : " via proxy)");
      return e;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  TransportOptions options_;
  ProxySettings proxy_;
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options, const ProxySettings& proxy) {
  return std::make_unique<CurlTransport>(options, proxy);
}

std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options) {
  return make_curl_transport(options, proxy_settings_from_env(process_env));
}

}  // namespace bw::aws
