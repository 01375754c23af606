#pragma once
// What every AWS service client shares: endpoint, signing, sending, error parsing and retries.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace bw::aws {

struct Endpoint {
  std::string url;           // https://monitoring.us-east-1.amazonaws.com
  std::string region;        // signing region
  std::string signing_name;  // signing service name: monitoring, sns, sts, events, states
};

// The public endpoint of `service` (its signing name) in `region`; FIPS variants: service_endpoint_url()
// in aws/endpoints.hpp.
std::string default_endpoint_url(std::string_view service, std::string_view region);

// Counts what crosses the wire; the agent exports it on /metrics.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // code: "200" on success, else the parsed error code (e.g. "Throttling", "CouldNotConnect").
  virtual void on_response(std::string_view service, std::string_view operation, std::string_view code) = 0;
  virtual void on_retry(std::string_view service, std::string_view operation) = 0;
  // The signing clock was corrected: from now on requests are signed at local time + offset.
  virtual void on_clock_skew(std::string_view /*service*/, std::string_view /*operation*/, Duration /*offset*/) {}
};

// The AWS SDK "standard" retry mode: delay = random(0,1) * min(base * 2^attempt, cap).
struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{20000};
  std::function<double()> random;                          // uniform in [0,1); injected so tests know the delays
  std::function<void(std::chrono::milliseconds)> sleep;    // injected so tests never sleep

  std::chrono::milliseconds delay(int attempt) const;  // attempt: 0 for the first retry
};

// Retries (ServiceClient::send): at most retry.max_attempts attempts; a retryable failure (throttling codes,
// 500/502/503/504, connection errors, timeouts: Error::retryable) is retried after retry.delay(n), or after
// x-amz-retry-after milliseconds when the service sends it (capped at retry.cap), if the retry quota can pay.
// Clock skew: a request rejected for its signing time (retry.hpp, skew_correction) sets the skew offset from the
// response's Date and is retried once more at once, outside max_attempts and the quota.
struct ServiceContext {
  HttpTransport* transport = nullptr;
  CredentialsProvider* credentials = nullptr;  // nullptr: requests go unsigned (STS AssumeRoleWithWebIdentity)
  std::function<Time()> clock;  // local time; requests are signed at clock() + skew offset
  RetryPolicy retry;
  RequestObserver* observer = nullptr;  // optional
  std::shared_ptr<RetryQuota> quota;    // nullptr: the client makes its own (one quota per client, as the SDKs)
  std::shared_ptr<ClockSkew> skew;      // nullptr: the client makes its own; share one to correct all clients
};

// An HTTP error response turned into code + message, from a JSON (__type / x-amzn-query-error) or
// XML (<Error><Code>) body alike: moto and some AWS front ends answer JSON services with XML errors.
Error parse_error(std::string_view service, std::string_view operation, const HttpResponse& response);

class ServiceClient {
 public:
  ServiceClient(ServiceContext context, Endpoint endpoint);

  // Signs, sends and retries retryable failures; a non-2xx answer becomes an Error.
  Result<HttpResponse> send(std::string_view operation, const HttpRequest& unsigned_request);

  // AWS JSON protocol: POST / with X-Amz-Target: <target_prefix>.<operation>.
  Result<nlohmann::json> call_json(std::string_view target_prefix, std::string_view operation,
                                   const nlohmann::json& body, std::string_view content_type);

  // AWS Query protocol: form-encoded Action=<operation>&Version=<version>&params; returns the XML body.
  Result<std::string> call_query(std::string_view operation, std::string_view version,
                                 std::vector<std::pair<std::string, std::string>> params);

  const Endpoint& endpoint() const { return endpoint_; }
  const ServiceContext& context() const { return context_; }

 private:
  ServiceContext context_;
  Endpoint endpoint_;
};

}  // namespace bw::aws
