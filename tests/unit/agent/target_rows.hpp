#pragma once
// Outbox rows shaped like the ones the engine writes, for the target (sender) tests.
#include <string>

#include <nlohmann/json.hpp>

#include "agent/state/state_store.hpp"

namespace bw::agent::testing {

inline constexpr const char* kKey = "0123456789abcdef0123456789abcdef";
inline constexpr const char* kModel = "anthropic.claude-3-haiku";

// An ALARM of input-tokens-high for modelId=anthropic.claude-3-haiku, model-family=claude.
inline OutboxRow target_row(std::string target = "t") {
  const nlohmann::json payload = {
      {"AlarmName", std::string("input-tokens-high/model-family=claude,modelId=") + kModel},
      {"NewStateValue", "ALARM"},
      {"OldStateValue", "OK"},
      {"batchwatch",
       {{"rule", "input-tokens-high"},
        {"kind", "threshold"},
        {"labels", {{"modelId", kModel}, {"model-family", "claude"}}},
        {"value", 1250000.0},
        {"idempotency_key", kKey}}}};
  OutboxRow row;
  row.id = 7;
  row.idempotency_key = kKey;
  row.target = std::move(target);
  row.subject = "ALARM: \"input-tokens-high\" in us-east-1";
  row.payload = payload.dump();
  row.rule = "input-tokens-high";
  row.series = std::string("model-family=claude,modelId=") + kModel;
  row.state = "ALARM";
  return row;
}

}  // namespace bw::agent::testing
