#pragma once
// The HTTP seam: one interface, libcurl behind it (CurlTransport), scripted fakes in tests.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/error.hpp"

namespace bw::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; "" when absent.
std::string_view find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  Headers headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  Headers headers;
  std::string body;
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};
  std::string ca_bundle;  // empty: the system store
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // A transport failure (no HTTP response at all) is an Error of Kind::Transport.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// libcurl, one easy handle reused across calls (keeps connections alive). Not thread-safe: one per thread.
std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options = {});

// Split "scheme://host[:port]/path?query" into its parts; path defaults to "/".
struct UrlParts {
  std::string scheme, host /* with :port if given */, path, query;
};
UrlParts split_url(std::string_view url);

// RFC 3986 percent-encoding (unreserved characters kept); encode_slash=false keeps '/'.
std::string uri_encode(std::string_view s, bool encode_slash = true);
// application/x-www-form-urlencoded body from ordered pairs (AWS Query protocol).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace bw::aws
