#include "agent/status/status_api.hpp"

#include <cmath>

#include <fmt/format.h>

#include "agent/delivery/notification.hpp"
#include "agent/status/status_page.hpp"

namespace bw::agent {
namespace {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

nlohmann::json time_or_null(const std::optional<Time>& t) {
  return t ? nlohmann::json(format_rfc3339(*t)) : nlohmann::json(nullptr);
}

// The float a trail holds, as the double that prints as its shortest form (35073.4, not 35073.3984375).
nlohmann::json point_value(float v) {
  if (!std::isfinite(v)) return nullptr;
  return std::stod(fmt::format("{}", v));
}

nlohmann::json trail_json(const AlertList::Ref& a, const std::string& series, const SeriesTrails::View& t) {
  auto labels = nlohmann::json::object();
  for (const auto& l : a.labels) labels[std::string(l.name)] = l.value;
  auto points = nlohmann::json::array();
  for (std::size_t i = 0; i < t.values.size(); ++i)
    points.push_back({{"timestamp", format_rfc3339(t.start + t.period * static_cast<int>(i))},
                      {"value", point_value(t.values[i])}});
  const auto reference =
      t.reference.kind == ReferenceKind::None
          ? nlohmann::json(nullptr)
          : nlohmann::json{{"kind", std::string(to_string(t.reference.kind))}, {"value", t.reference.value}};
  return {{"rule", a.rule},
          {"series", series},
          {"labels", std::move(labels)},
          {"state", std::string(to_string(a.state))},
          {"period", t.period.count()},
          {"reference", reference},
          {"points", std::move(points)}};
}

}  // namespace

std::optional<std::string> series_json(const StatusSnapshot& s, std::optional<std::string_view> rule,
                                       std::optional<std::string_view> series) {
  auto list = nlohmann::json::array();
  for (std::size_t i = 0; i < s.alerts.size(); ++i) {
    const auto a = s.alerts[i];
    if (rule && a.rule != *rule) continue;
    const auto text = series_text(a.labels);
    if (series && text != *series) continue;
    if (const auto t = s.trails.of(i)) list.push_back(trail_json(a, text, *t));
  }
  if (list.empty() && (rule || series)) return std::nullopt;
  return dump({{"series", std::move(list)}, {"last_cycle", time_or_null(s.last_cycle)}}) + "\n";
}

nlohmann::json job_json(const JobView& view) {
  // The same object as a notification's batchwatch.job (Bedrock's field names), plus the ETA.
  auto j = job_json(view.job);
  j["eta"] = time_or_null(view.eta);
  return j;
}

std::string jobs_json(const StatusSnapshot& s) {
  auto list = nlohmann::json::array();
  for (const auto& j : s.jobs) list.push_back(job_json(j));
  return dump({{"jobs", std::move(list)}, {"last_cycle", time_or_null(s.last_cycle)}}) + "\n";
}

}  // namespace bw::agent
