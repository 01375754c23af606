#pragma once
// Step Functions StartExecution over the AWS JSON 1.0 protocol. An execution name is unique per state
// machine, so a caller that derives it from an idempotency key cannot start the same work twice: the
// second call fails with ExecutionAlreadyExists (or, with the same input, returns the first execution).
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"

namespace bw::aws {

inline constexpr std::string_view kStepFunctionsTarget = "AWSStepFunctions";
inline constexpr std::string_view kStepFunctionsContentType = "application/x-amz-json-1.0";

struct StartExecutionRequest {
  std::string state_machine_arn;
  std::string name;   // 1..80 characters; "" lets the service choose one (not idempotent)
  std::string input;  // a JSON document, as text; "" = none
};

struct StartExecutionResult {
  std::string execution_arn;
  std::optional<Time> start_date;
};

nlohmann::json start_execution_request(const StartExecutionRequest& request);
Result<StartExecutionResult> parse_start_execution_response(const nlohmann::json& response);

class StepFunctionsClient {
 public:
  explicit StepFunctionsClient(ServiceClient& client) : client_(client) {}
  // A name already used (with another input) is an Error with code "ExecutionAlreadyExists".
  Result<StartExecutionResult> start_execution(const StartExecutionRequest& request);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
