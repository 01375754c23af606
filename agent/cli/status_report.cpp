#include "agent/cli/status_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "agent/cli/transition_lines.hpp"
#include "rules/human.hpp"

namespace bw::agent {
namespace {

// ALARM is what someone must look at; then the states that are not OK for other reasons.
int urgency(AlarmState s) {
  switch (s) {
    case AlarmState::Alarm: return 0;
    case AlarmState::InsufficientData: return 1;
    case AlarmState::Drained: return 2;
    case AlarmState::Ok: return 3;
  }
  return 3;
}

std::vector<StatusReport::Owed> owed_by_target(const std::vector<std::string>& targets,
                                               const std::vector<OutboxRow>& pending,
                                               const std::vector<OutboxCount>& counts, Time now) {
  std::map<std::string, StatusReport::Owed> by_target;
  for (const auto& t : targets) by_target[t].target = t;
  for (const auto& c : counts) by_target[c.target] = {c.target, c.pending, std::nullopt, c.dead};
  for (const auto& row : pending) {
    auto& owed = by_target[row.target];
    owed.target = row.target;
    const auto age = now - row.created_at;
    if (!owed.oldest_pending_age || age > *owed.oldest_pending_age) owed.oldest_pending_age = age;
  }
  std::vector<StatusReport::Owed> out;
  for (auto& [target, owed] : by_target) out.push_back(std::move(owed));
  return out;
}

std::vector<Dimension> matchers_of(const std::string& labels_json) {
  std::vector<Dimension> out;
  const auto j = nlohmann::json::parse(labels_json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out.push_back({it.key(), it->is_string() ? it->get<std::string>() : it->dump()});
  return out;
}

std::vector<StatusReport::Silence> active_silences(const std::vector<StoredSilence>& stored,
                                                   const std::vector<config::Silence>& configured, Time now) {
  std::vector<StatusReport::Silence> out;
  for (const auto& s : stored)
    if (s.starts <= now && now < s.ends)
      out.push_back({s.id, false, s.rule, matchers_of(s.labels_json), s.starts, s.ends, s.comment});
  for (const auto& s : configured) {
    if (s.starts > now || now >= s.ends) continue;
    std::vector<Dimension> labels;
    for (const auto& [name, value] : s.labels) labels.push_back({name, value});
    out.push_back({0, true, s.rule, std::move(labels), s.starts, s.ends, s.comment});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ends < b.ends; });
  return out;
}

nlohmann::json labels_json(const std::vector<Dimension>& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& d : labels) j[d.name] = d.value;
  return j;
}

std::string silence_scope(const StatusReport::Silence& s) {
  std::string scope = s.rule == "*" ? "every rule" : "rule " + s.rule;
  if (!s.labels.empty()) scope += " where " + labels_text(s.labels);
  return scope;
}

}  // namespace

StatusReport build_status_report(StatusInputs in, Time now) {
  StatusReport report;
  report.now = now;
  for (auto& st : in.states) {
    if (st.state == AlarmState::Ok) ++report.ok;
    else report.not_ok.push_back(std::move(st));
  }
  std::stable_sort(report.not_ok.begin(), report.not_ok.end(), [](const StoredState& a, const StoredState& b) {
    return std::make_tuple(urgency(a.state), std::cref(a.rule), std::cref(a.series)) <
           std::make_tuple(urgency(b.state), std::cref(b.rule), std::cref(b.series));
  });
  report.owed = owed_by_target(in.targets, in.pending, in.counts, now);
  report.silences = active_silences(in.stored_silences, in.configured_silences, now);
  return report;
}

std::string status_text(const StatusReport& r) {
  std::string out;
  for (const auto& st : r.not_ok)
    out += fmt::format("{:<17} {:<24} {:<36} since {} ({} ago)  {:>6}  {}\n", to_string(st.state), st.rule,
                       st.series.empty() ? "-" : st.series, format_rfc3339(st.changed_at),
                       format_age(r.now - st.changed_at), st.value ? format_count(*st.value) : "-", st.reason);
  out += fmt::format("{} not OK, {} OK\n", r.not_ok.size(), r.ok);
  out += "\nOwed notifications:\n";
  if (r.owed.empty()) out += "  none\n";
  for (const auto& o : r.owed)
    out += fmt::format("  {:<24} {} pending{}, {} dead\n", o.target, o.pending,
                       o.oldest_pending_age ? " (oldest " + format_age(*o.oldest_pending_age) + ")" : "", o.dead);
  out += "\nSilences in force:\n";
  if (r.silences.empty()) out += "  none\n";
  for (const auto& s : r.silences)
    out += fmt::format("  {:<10} {} until {} ({} left){}\n",
                       s.from_agent_file ? std::string("agent file") : fmt::format("#{}", s.id), silence_scope(s),
                       format_rfc3339(s.ends), format_age(s.ends - r.now), s.comment.empty() ? "" : ": " + s.comment);
  return out;
}

std::string status_json(const StatusReport& r) {
  nlohmann::json states = nlohmann::json::array();
  for (const auto& st : r.not_ok)
    states.push_back({{"rule", st.rule},
                      {"labels", labels_json(labels_of(st.series))},
                      {"state", to_string(st.state)},
                      {"since", format_rfc3339(st.changed_at)},
                      {"value", st.value ? nlohmann::json(*st.value) : nlohmann::json(nullptr)},
                      {"reason", st.reason}});
  nlohmann::json owed = nlohmann::json::array();
  for (const auto& o : r.owed)
    owed.push_back({{"target", o.target},
                    {"pending", o.pending},
                    {"oldest_pending_seconds",
                     o.oldest_pending_age ? nlohmann::json(o.oldest_pending_age->count()) : nlohmann::json(nullptr)},
                    {"dead", o.dead}});
  nlohmann::json silences = nlohmann::json::array();
  for (const auto& s : r.silences)
    silences.push_back({{"id", s.from_agent_file ? nlohmann::json(nullptr) : nlohmann::json(s.id)},
                        {"source", s.from_agent_file ? "agent file" : "state file"},
                        {"rule", s.rule},
                        {"labels", labels_json(s.labels)},
                        {"starts", format_rfc3339(s.starts)},
                        {"ends", format_rfc3339(s.ends)},
                        {"comment", s.comment}});
  const nlohmann::json j{{"time", format_rfc3339(r.now)}, {"not_ok", states},         {"ok", r.ok},
                         {"outbox", owed},                {"silences", silences}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace bw::agent
