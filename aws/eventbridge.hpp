#pragma once
// EventBridge PutEvents over the AWS JSON 1.1 protocol. A call can succeed while some of its entries
// fail: each entry's outcome comes back on its own (FailedEntryCount, Entries[i].ErrorCode).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"

namespace bw::aws {

inline constexpr std::string_view kEventBridgeTarget = "AWSEvents";
inline constexpr std::string_view kJson11 = "application/x-amz-json-1.1";
inline constexpr std::size_t kMaxPutEventsEntries = 10;

struct PutEventsEntry {
  std::string source;          // e.g. "batchwatch"
  std::string detail_type;     // e.g. "Batchwatch Alarm State Change"
  std::string detail;          // a JSON object, as text
  std::string event_bus_name;  // name or ARN; "" = the default bus
  std::vector<std::string> resources;
  std::optional<Time> time;    // "" = when EventBridge receives it
};

struct PutEventsResultEntry {
  std::string event_id;       // set when the entry was accepted
  std::string error_code;     // set when it was not
  std::string error_message;
  bool ok() const { return error_code.empty() && !event_id.empty(); }
};

struct PutEventsResult {
  int failed_entry_count = 0;
  std::vector<PutEventsResultEntry> entries;  // one per request entry, in request order
};

// Pure halves of the protocol, tested without a network.
nlohmann::json put_events_request(const std::vector<PutEventsEntry>& entries);
Result<PutEventsResult> parse_put_events_response(const nlohmann::json& response, std::size_t sent);

class EventBridgeClient {
 public:
  explicit EventBridgeClient(ServiceClient& client) : client_(client) {}
  // 1..10 entries. An Error only when the call as a whole failed; per-entry failures are in the result.
  Result<PutEventsResult> put_events(const std::vector<PutEventsEntry>& entries);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
