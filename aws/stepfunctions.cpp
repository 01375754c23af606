#include "aws/stepfunctions.hpp"

#include <chrono>

namespace bw::aws {

nlohmann::json start_execution_request(const StartExecutionRequest& r) {
  nlohmann::json body{{"stateMachineArn", r.state_machine_arn}};
  if (!r.name.empty()) body["name"] = r.name;
  if (!r.input.empty()) body["input"] = r.input;
  return body;
}

Result<StartExecutionResult> parse_start_execution_response(const nlohmann::json& response) {
  auto arn = response.is_object() ? response.find("executionArn") : response.end();
  if (!response.is_object() || arn == response.end() || !arn->is_string()) {
    return malformed_response("states", "StartExecution", "response has no executionArn");
  }
  StartExecutionResult out{arn->get<std::string>(), std::nullopt};
  // JSON 1.0 timestamps are epoch seconds, possibly with a fraction.
  if (auto d = response.find("startDate"); d != response.end() && d->is_number())
    out.start_date = Time{std::chrono::seconds{static_cast<std::int64_t>(d->get<double>())}};
  return out;
}

Result<StartExecutionResult> StepFunctionsClient::start_execution(const StartExecutionRequest& request) {
  auto resp = client_.call_json(kStepFunctionsTarget, "StartExecution", start_execution_request(request),
                                kStepFunctionsContentType);
  if (!resp) return resp.error();
  return parse_start_execution_response(resp.value());
}

}  // namespace bw::aws
