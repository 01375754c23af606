#pragma once
// Runtime failures are values: every AWS call returns Result<T>, never throws.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace bw::aws {

// aws/ does not depend on rules/: it names time with std::chrono directly.
using Time = std::chrono::sys_seconds;
using Duration = std::chrono::seconds;

struct Error {
  enum class Kind {
    Transport,    // could not talk to the endpoint: DNS, connect, TLS, reset, timeout
    Api,          // the service answered with an error code
    Credentials,  // no usable credentials
    Protocol,     // the answer could not be understood
  };
  Kind kind = Kind::Api;
  std::string service;    // "monitoring", "sns", ...
  std::string operation;  // "GetMetricData", ...
  std::string code;       // "Throttling", "SignatureDoesNotMatch", "CouldNotConnect", ...
  std::string message;
  long http_status = 0;
  bool timeout = false;
  int attempts = 1;
  // A JSON error answer's body, for the services that send data with an error (DynamoDB's
  // ConditionalCheckFailedException carries the item that failed the condition). `{}`: aggregate
  // initialisations that stop before it need not name it.
  std::string json_body{};

  // "monitoring GetMetricData: SignatureDoesNotMatch (HTTP 403): The request signature ..."
  std::string describe() const;
  bool retryable() const;
};

// An answer that could not be understood (not JSON/XML, a field missing): code MalformedResponse.
Error malformed_response(std::string_view service, std::string_view operation, std::string message);

// A value or the error that prevented it. E is aws::Error here; the agent instantiates it with its
// own error type (agent/error.hpp), so there is one Result and two error vocabularies.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(E error) : v_(std::move(error)) {}          // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const E& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> v_;
};

struct Unit {};

// The IAM action an AccessDenied answer from `service` names ("dynamodb:UpdateItem"), for services whose
// IAM prefix is their signing name (bedrock, dynamodb); "" for any other error or another service's.
std::string denied_action(const Error& error, std::string_view service);

}  // namespace bw::aws
