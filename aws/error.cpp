#include "aws/error.hpp"

#include <fmt/format.h>

namespace bw::aws {

std::string Error::describe() const {
  std::string out = fmt::format("{} {}: {}", service.empty() ? "aws" : service, operation.empty() ? "request" : operation,
                                code.empty() ? "Error" : code);
  if (http_status != 0) out += fmt::format(" (HTTP {})", http_status);
  if (!message.empty()) out += ": " + message;
  if (attempts > 1) out += fmt::format(" [after {} attempts]", attempts);
  return out;
}

Error malformed_response(std::string_view service, std::string_view operation, std::string message) {
  Error e;
  e.kind = Error::Kind::Protocol;
  e.service = service;
  e.operation = operation;
  e.code = "MalformedResponse";
  e.message = std::move(message);
  return e;
}

bool Error::retryable() const {
  if (kind == Kind::Transport) return true;
  if (kind != Kind::Api) return false;
  static constexpr std::string_view throttling[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"};
  for (auto c : throttling)
    if (code == c) return true;
  if (code == "RequestTimeout" || code == "RequestTimeoutException" || code == "InternalError" ||
      code == "InternalFailure" || code == "ServiceUnavailable")
    return true;
  return http_status == 429 || http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

std::string denied_action(const Error& error, std::string_view service) {
  const bool denied = error.kind == Error::Kind::Api &&
                      (error.code == "AccessDeniedException" || error.code == "AccessDenied");
  if (!denied || error.service != service || error.operation.empty()) return "";
  return fmt::format("{}:{}", service, error.operation);
}

}  // namespace bw::aws
