#pragma once
// What ServiceClient::send needs beyond RetryPolicy: the SDK "standard" retry quota, the x-amz-retry-after
// header, and clock skew correction. Pure functions plus two small thread-safe state holders.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

#include "aws/error.hpp"
#include "aws/http.hpp"

namespace bw::aws {

// The AWS SDK "standard" mode retry quota (a token bucket against retry storms): 500 tokens; a retry takes 5
// (10 after a timeout) and is refused when the bucket cannot pay; a success puts back what its last retry took,
// or 1 token when it needed no retry, never above the capacity.
//
// Scope: one quota per ServiceClient, as in the AWS SDKs (one bucket per client). A CloudWatch throttling storm
// then cannot use up the retries SNS deliveries need. A caller that wants one bucket for several clients puts
// one RetryQuota into the ServiceContext they are built from (ServiceContext::quota).
class RetryQuota {
 public:
  static constexpr int kCapacity = 500;
  static constexpr int kRetryCost = 5;
  static constexpr int kTimeoutRetryCost = 10;
  static constexpr int kNoRetryIncrement = 1;

  explicit RetryQuota(int capacity = kCapacity) : capacity_(capacity), available_(capacity) {}

  // The cost taken for one retry, or nullopt (nothing taken) when the quota cannot pay it.
  std::optional<int> acquire(bool timeout);
  // After a successful response: `last_retry_cost` is what acquire() returned for the retry that succeeded,
  // 0 when the first attempt succeeded.
  void release(int last_retry_cost);
  int available() const;
  int capacity() const { return capacity_; }

 private:
  mutable std::mutex mu_;
  const int capacity_;
  int available_;
};

// x-amz-retry-after: the delay (in milliseconds) the service asks for before the next attempt; nullopt when the
// header is absent or not a non-negative integer.
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response);

// An HTTP date (RFC 7231 IMF-fixdate, "Thu, 15 Jan 2026 10:20:00 GMT"; the obsolete RFC 850 and asctime forms
// too). nullopt on anything else.
std::optional<Time> parse_http_date(std::string_view text);

// The offset added to the local clock to sign requests; shared by every client of one ServiceContext.
class ClockSkew {
 public:
  Duration offset() const { return Duration{offset_.load()}; }
  void set(Duration offset) { offset_.store(offset.count()); }

 private:
  std::atomic<Duration::rep> offset_{0};
};

// Beyond this difference between the server's Date and our signing time, AWS rejects a signature.
inline constexpr Duration kMaxSkew{4 * 60};

// The error codes AWS answers a request signed at the wrong time with.
bool is_clock_skew_code(std::string_view code);

// When `error` (from `response`) says the request was signed at a wrong time and the response carries a Date,
// the new offset (server Date - local time) to sign with; nullopt when this is not a clock problem or cannot be
// corrected. A time-specific code (RequestTimeTooSkewed, RequestExpired, RequestInTheFuture) counts as a clock
// problem outright; InvalidSignatureException / SignatureDoesNotMatch / AuthFailure only when the message
// mentions the time (expired, not yet current, ...) or the Date differs from `signing_time` by more than kMaxSkew.
std::optional<Duration> skew_correction(const Error& error, const HttpResponse& response, Time signing_time,
                                        Time local_time);

}  // namespace bw::aws
