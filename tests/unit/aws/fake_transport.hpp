#pragma once
// Test doubles for the aws/ service layer: a scripted HttpTransport that records every request and answers
// from a queue, a RequestObserver that records what it is told, and a harness that wires a ServiceContext
// with a fixed clock, fixed jitter and recorded (never slept) retry delays. No network, no sleeping.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/service.hpp"

namespace bw::aws::fake {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // Queues an HTTP answer (any status: the transport does not judge it).
  FakeTransport& respond(long status, std::string body, Headers headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script_.push_back([r](const HttpRequest&) -> Result<HttpResponse> { return r; });
    return *this;
  }

  // Queues a transport failure (no HTTP answer at all), as CurlTransport reports one.
  FakeTransport& fail(std::string code, std::string message = "", bool timeout = false) {
    Error e;
    e.kind = Error::Kind::Transport;
    e.code = std::move(code);
    e.message = std::move(message);
    e.timeout = timeout;
    script_.push_back([e](const HttpRequest&) -> Result<HttpResponse> { return e; });
    return *this;
  }

  // Queues an answer computed from the request (e.g. echoing the ids of a GetMetricData batch).
  FakeTransport& respond_with(Handler handler) {
    script_.push_back(std::move(handler));
    return *this;
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    if (script_.empty()) {
      // An unscripted request is a test bug: the distinctive code shows up in the failing assertion.
      Error e;
      e.kind = Error::Kind::Transport;
      e.code = "FakeTransportExhausted";
      e.message = "no scripted answer for request #" + std::to_string(requests.size());
      return e;
    }
    Handler next = std::move(script_.front());
    script_.pop_front();
    return next(request);
  }

  std::size_t pending() const { return script_.size(); }

  std::vector<HttpRequest> requests;  // every request sent, in order, exactly as signed

 private:
  std::deque<Handler> script_;
};

// Number of headers named `name` (case-insensitive), to catch duplicated signing headers.
inline std::size_t header_count(const Headers& headers, std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  };
  const std::string wanted = lower(name);
  std::size_t n = 0;
  for (const auto& h : headers)
    if (lower(h.first) == wanted) ++n;
  return n;
}

class RecordingObserver final : public RequestObserver {
 public:
  void on_response(std::string_view service, std::string_view operation, std::string_view code) override {
    responses.push_back(std::string(service) + " " + std::string(operation) + " " + std::string(code));
  }
  void on_retry(std::string_view service, std::string_view operation) override {
    retries.push_back(std::string(service) + " " + std::string(operation));
  }
  std::vector<std::string> responses;  // "monitoring GetMetricData Throttling"
  std::vector<std::string> retries;    // "monitoring GetMetricData"
};

// 2026-01-15T10:00:00Z.
inline constexpr std::int64_t kT0 = 1768471200;
inline Time at(std::int64_t epoch_seconds) { return Time{std::chrono::seconds{epoch_seconds}}; }

// Owns the fakes and hands out ServiceContexts pointing at them. The context's callbacks capture `this`,
// so a Harness stays where it was constructed.
struct Harness {
  Harness() = default;
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  FakeTransport transport;
  std::unique_ptr<CredentialsProvider> credentials =
      make_static_provider(Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt});
  RecordingObserver observer;
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<Time> clock_reads;
  Time now = at(kT0);
  Duration clock_step{0};  // added to `now` after each read, to tell attempts apart by X-Amz-Date
  double jitter = 0.25;    // what RetryPolicy::random returns

  ServiceContext context(int max_attempts = 3) {
    ServiceContext ctx;
    ctx.transport = &transport;
    ctx.credentials = credentials.get();
    ctx.clock = [this] {
      const Time t = now;
      clock_reads.push_back(t);
      now += clock_step;
      return t;
    };
    ctx.retry.max_attempts = max_attempts;
    ctx.retry.random = [this] { return jitter; };
    ctx.retry.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    ctx.observer = &observer;
    return ctx;
  }

  ServiceClient client(std::string signing_name = "monitoring", std::string url = "http://localhost:5000",
                       int max_attempts = 3) {
    return ServiceClient(context(max_attempts), Endpoint{std::move(url), "us-east-1", std::move(signing_name)});
  }
};

}  // namespace bw::aws::fake
