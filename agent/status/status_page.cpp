#include "agent/status/status_page.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include "agent/status/status_page_parts.hpp"
#include "agent/status/status_page_style.hpp"

namespace bw::agent {

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

std::string series_text(const AlertList::Labels& labels) {
  std::string text;
  for (const auto& l : labels) {
    if (!text.empty()) text += ',';
    text.append(l.name).append("=").append(l.value);
  }
  return text;
}

namespace {

// 1234567.8 -> "1,234,568"; thousands separators on the integer part.
std::string grouped(double v, int decimals) {
  std::string digits = fmt::format("{:.{}f}", std::abs(v), decimals);
  const auto dot = digits.find('.');
  const std::size_t int_end = dot == std::string::npos ? digits.size() : dot;
  std::string out = v < 0 && digits.find_first_not_of("0.") != std::string::npos ? "-" : "";
  for (std::size_t i = 0; i < int_end; ++i) {
    if (i > 0 && (int_end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out.append(digits, int_end);
  return out;
}

}  // namespace

std::string readable_number(double v) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  const double a = std::abs(v);
  if (a == 0) return "0";
  if (a < 0.01) return fmt::format("{:.2g}", v);
  if (a >= 1000 || v == std::floor(v)) return grouped(v, 0);
  std::string text = grouped(v, a >= 100 ? 1 : 2);
  while (text.back() == '0') text.pop_back();  // 12.50 -> 12.5
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string readable_age(Duration d) {
  const auto s = std::max<std::int64_t>(0, d.count());
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 86400) return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

namespace detail {

std::string_view state_class(AlarmState s) {
  switch (s) {
    case AlarmState::Alarm: return "st-alarm";
    case AlarmState::InsufficientData: return "st-insufficient";
    case AlarmState::Drained: return "st-drained";
    case AlarmState::Ok: break;
  }
  return "st-ok";
}

int state_rank(AlarmState s) {
  switch (s) {
    case AlarmState::Alarm: return 0;
    case AlarmState::InsufficientData: return 1;
    case AlarmState::Drained: return 2;
    case AlarmState::Ok: break;
  }
  return 3;
}

void badge(std::string& out, std::string_view css, std::string_view text) {
  fmt::format_to(Out(out), "<span class=\"badge {}\">", css);
  append_escaped(out, text);
  out += "</span>";
}

}  // namespace detail

namespace {

using namespace detail;

// Alert rows in display order: not OK only, ALARM first, then by rule.
std::vector<std::size_t> not_ok_in_order(const AlertList& alerts) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < alerts.size(); ++i)
    if (alerts[i].state != AlarmState::Ok) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return state_rank(alerts[a].state) < state_rank(alerts[b].state);
  });
  return order;
}

void render_header(const StatusSnapshot& s, Time now, std::string& out) {
  std::array<std::size_t, 4> counts{};
  for (const auto& a : s.alerts) counts[static_cast<std::size_t>(state_rank(a.state))]++;
  out += "<header><h1>batchwatch</h1>";
  badge(out, s.ready ? "st-ok" : "st-insufficient", s.ready ? "READY" : "NOT READY");
  out += "<span class=\"meta\">";
  // Ages on the page are measured at `now` (the server passes the last cycle's time): say so once.
  if (s.last_cycle) fmt::format_to(Out(out), "as of the last cycle, {}", format_rfc3339(*s.last_cycle));
  else fmt::format_to(Out(out), "no cycle yet ({})", format_rfc3339(now));
  out += "</span><span class=\"counts\">";
  static constexpr std::array<std::pair<AlarmState, const char*>, 4> kStates{
      {{AlarmState::Alarm, "ALARM"}, {AlarmState::InsufficientData, "INSUFFICIENT_DATA"},
       {AlarmState::Drained, "DRAINED"}, {AlarmState::Ok, "OK"}}};
  for (const auto& [state, name] : kStates)
    fmt::format_to(Out(out), "<span class=\"count {}\"><b>{}</b> {}</span>", state_class(state),
                   counts[static_cast<std::size_t>(state_rank(state))], name);
  out += "</span></header>\n<nav aria-label=\"sections\"><a href=\"#alerts\">Alerts</a><a href=\"#series\">Series</a>"
         "<a href=\"#jobs\">Jobs</a><a href=\"#deliveries\">Deliveries</a><a href=\"#silences\">Silences</a></nav>\n";
  if (!s.ready || !s.last_error.empty()) {
    out += "<p class=\"banner\" role=\"status\">";
    append_escaped(out, !s.last_error.empty() ? "last cycle failed: " + s.last_error : s.not_ready_reason);
    out += "</p>\n";
  }
}

void render_alerts(const StatusSnapshot& s, Time now, std::string& out) {
  const auto order = not_ok_in_order(s.alerts);
  fmt::format_to(Out(out), "<section id=\"alerts\"><h2>Alerts <small>{} not OK</small></h2>\n", order.size());
  if (order.empty()) {
    out += "<p class=\"empty\">Every series is OK.</p></section>\n";
    return;
  }
  out += "<div class=\"scroll\"><table class=\"reflow\"><thead><tr><th scope=\"col\">State</th><th scope=\"col\">Rule"
         "</th><th scope=\"col\">Series</th><th scope=\"col\">Since</th><th scope=\"col\" class=\"num\">Value</th>"
         "<th scope=\"col\">Reason</th></tr></thead><tbody>\n";
  for (const auto i : order) {
    const auto a = s.alerts[i];
    const auto series = series_text(a.labels);
    const auto state = to_string(a.state);
    out += "<tr data-rule=\"";
    append_escaped(out, a.rule);
    out += "\" data-series=\"";
    append_escaped(out, series);
    fmt::format_to(Out(out), "\" data-state=\"{}\"><td>", state);
    badge(out, state_class(a.state), state);
    out += "</td><th scope=\"row\">";
    append_escaped(out, a.rule);
    out += "</th><td class=\"labels\">";
    append_escaped(out, series.empty() ? "(all)" : series);
    fmt::format_to(Out(out), "</td><td><time datetime=\"{0}\" title=\"{0}\">{1} ago</time></td>"
                             "<td class=\"num\">{2}</td><td class=\"reason\">",
                   format_rfc3339(a.since), readable_age(now - a.since), a.value ? readable_number(*a.value) : "—");
    append_escaped(out, a.reason);
    out += "</td></tr>\n";
  }
  out += "</tbody></table></div></section>\n";
}

}  // namespace

void render_status_page(const StatusSnapshot& s, Time now, std::string& out) {
  out.clear();
  std::size_t alarms = 0;
  for (const auto& a : s.alerts) alarms += a.state == AlarmState::Alarm;
  fmt::format_to(Out(out),
                 "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<meta http-equiv=\"refresh\" content=\"{}\"><title>batchwatch: {} in ALARM</title>"
                 "<style>{}</style></head><body>\n",
                 kPageRefreshSeconds, alarms, kPageStyle);
  render_header(s, now, out);
  out += "<main>\n";
  render_alerts(s, now, out);
  detail::render_series(s, out);
  detail::render_jobs(s, now, out);
  detail::render_deliveries(s, now, out);
  detail::render_silences(s, now, out);
  out += "</main>\n<footer>Also: <a href=\"/metrics\">/metrics</a> <a href=\"/api/v1/alerts\">/api/v1/alerts</a> "
         "<a href=\"/api/v1/series\">/api/v1/series</a> <a href=\"/api/v1/jobs\">/api/v1/jobs</a> "
         "<a href=\"/healthz\">/healthz</a> <a href=\"/readyz\">/readyz</a></footer>\n</body></html>\n";
}

}  // namespace bw::agent
