#include "aws/eventbridge.hpp"

namespace bw::aws {
namespace {

Error local_error(std::string code, std::string message, Error::Kind kind = Error::Kind::Protocol) {
  Error e;
  e.kind = kind;
  e.service = "events";
  e.operation = "PutEvents";
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

std::string string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::json put_events_request(const std::vector<PutEventsEntry>& entries) {
  auto list = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json j{{"Source", e.source}, {"DetailType", e.detail_type}, {"Detail", e.detail}};
    if (!e.event_bus_name.empty()) j["EventBusName"] = e.event_bus_name;
    if (!e.resources.empty()) j["Resources"] = e.resources;
    if (e.time) j["Time"] = e.time->time_since_epoch().count();  // JSON 1.1 timestamps: epoch seconds
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"Entries", std::move(list)}};
}

Result<PutEventsResult> parse_put_events_response(const nlohmann::json& response, std::size_t sent) {
  if (!response.is_object()) return local_error("MalformedResponse", "response is not a JSON object");
  PutEventsResult out;
  if (auto n = response.find("FailedEntryCount"); n != response.end()) {
    if (!n->is_number_integer()) return local_error("MalformedResponse", "FailedEntryCount is not a number");
    out.failed_entry_count = n->get<int>();
  }
  auto entries = response.find("Entries");
  if (entries == response.end() || !entries->is_array())
    return local_error("MalformedResponse", "response has no Entries list");
  // Results are positional: a count that differs from the request's cannot be matched to it.
  if (entries->size() != sent)
    return local_error("MalformedResponse", "response has " + std::to_string(entries->size()) + " entries for " +
                                                std::to_string(sent) + " sent");
  for (const auto& e : *entries) {
    if (!e.is_object()) return local_error("MalformedResponse", "an entry is not a JSON object");
    PutEventsResultEntry r{string_field(e, "EventId"), string_field(e, "ErrorCode"), string_field(e, "ErrorMessage")};
    // An entry with neither an id nor a code is not a success either: say so rather than assume.
    if (r.event_id.empty() && r.error_code.empty()) r.error_code = "MissingEventId";
    out.entries.push_back(std::move(r));
  }
  return out;
}

Result<PutEventsResult> EventBridgeClient::put_events(const std::vector<PutEventsEntry>& entries) {
  if (entries.empty() || entries.size() > kMaxPutEventsEntries)
    return local_error("InvalidRequest", "PutEvents takes 1 to 10 entries, not " + std::to_string(entries.size()));
  auto resp = client_.call_json(kEventBridgeTarget, "PutEvents", put_events_request(entries), kJson11);
  if (!resp) return resp.error();
  return parse_put_events_response(resp.value(), entries.size());
}

}  // namespace bw::aws
