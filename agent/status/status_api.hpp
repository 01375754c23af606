#pragma once
// The JSON of /api/v1/series (the points behind each sparkline, and the line drawn with them) and
// /api/v1/jobs (the tracked Bedrock jobs, with Bedrock's field names and "eta").
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/status/status_server.hpp"

namespace bw::agent {

// {"series":[{"rule","series","labels","state","period","reference":{"kind","value"}|null,
// "points":[{"timestamp","value"|null}...]}...],"last_cycle"}: the (rule, series) with a trail, of
// `rule` (every rule when nullopt) and `series` ("modelId=m1", labels as the page's data-series),
// or nullopt when a rule or series was asked for and none matched.
std::optional<std::string> series_json(const StatusSnapshot& s, std::optional<std::string_view> rule,
                                       std::optional<std::string_view> series);

// One job as the API, the page's tests and notifications name its fields (Bedrock's spelling).
nlohmann::json job_json(const JobView& view);

// {"jobs":[...],"last_cycle"}
std::string jobs_json(const StatusSnapshot& s);

}  // namespace bw::agent
