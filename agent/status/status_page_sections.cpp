// The status page's sections below the alerts: series (sparklines), jobs, deliveries, silences.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "agent/status/status_page_parts.hpp"

namespace bw::agent::detail {
namespace {

// Sparkline geometry, in CSS pixels (the SVG is drawn at its natural size: no viewBox to write 1,000
// times): one period every kStep, the curve between kTop and kBottom. Integer coordinates, written as
// relative steps ("l8-2 8 1 ..."): a 30-period curve is ~120 bytes, and the page for 1,000 series
// stays under 500 KB.
constexpr int kStep = 8;
constexpr int kWidth = (SeriesTrails::kTrailPeriods - 1) * kStep;  // 232, as svg.sparkline's CSS width
constexpr int kTop = 3, kBottom = 37;                                // of 40, svg.sparkline's CSS height

// The value range the drawing spans: the finite values and the reference line.
std::pair<double, double> value_range(const SeriesTrails::View& t) {
  double lo = INFINITY, hi = -INFINITY;
  for (const float v : t.values)
    if (std::isfinite(v)) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
  if (t.reference.kind != ReferenceKind::None) lo = std::min(lo, t.reference.value), hi = std::max(hi, t.reference.value);
  if (lo > hi) return {0, 1};
  if (lo == hi) return {lo - 1, hi + 1};  // a flat curve sits mid-height
  return {lo, hi};
}

int y_of(double v, std::pair<double, double> range) {
  return static_cast<int>(std::lround(kBottom - (v - range.first) * (kBottom - kTop) / (range.second - range.first)));
}

// The path data. A missing period lifts the pen (a gap, not a dip to 0); a lone point is a dot (a
// zero-length segment drawn with a round cap). Steps are differences of rounded absolute
// coordinates, so rounding never accumulates.
void curve_path(const SeriesTrails::View& t, std::pair<double, double> range, std::string& out) {
  int last_x = 0, last_y = 0;
  bool pen_down = false;
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    const float v = t.values[i];
    if (!std::isfinite(v)) {
      pen_down = false;
      continue;
    }
    const int x = static_cast<int>(i) * kStep, y = y_of(v, range);
    if (!pen_down) {
      const bool alone = i + 1 == t.values.size() || !std::isfinite(t.values[i + 1]);
      fmt::format_to(Out(out), "M{} {}{}", x, y, alone ? "h0" : "l");
    } else {
      // A minus sign separates numbers by itself; anything else needs a space.
      fmt::format_to(Out(out), "{}{}{}{}", out.back() == 'l' ? "" : " ", x - last_x, y < last_y ? "" : " ", y - last_y);
    }
    last_x = x, last_y = y;
    pen_down = true;
  }
}

std::optional<float> newest_value(const SeriesTrails::View& t) {
  for (auto it = t.values.rbegin(); it != t.values.rend(); ++it)
    if (std::isfinite(*it)) return *it;
  return std::nullopt;
}

// One (rule, series): its state in words, the series, the newest value, and the curve with its
// reference line. The rule and the reference's value are in the group's heading.
void sparkline_card(const AlertList::Ref& a, const SeriesTrails::View& t, std::string& out) {
  const auto series = series_text(a.labels);
  const auto state = to_string(a.state);
  const auto newest = newest_value(t);
  fmt::format_to(Out(out), "<div data-state=\"{0}\"><b>{0}</b> ", state);
  // The label values: the names are the same for every series of the rule, and in data-series.
  std::string values;
  for (const auto& l : a.labels) values.append(values.empty() ? "" : ",").append(l.value);
  append_escaped(out, values.empty() ? "(all)" : values);
  fmt::format_to(Out(out), " <i>{}</i><svg class=\"sparkline\" data-rule=\"", newest ? readable_number(*newest) : "no data");
  append_escaped(out, a.rule);
  out += "\" data-series=\"";
  append_escaped(out, series);
  out += "\">";
  const auto range = value_range(t);
  if (t.reference.kind != ReferenceKind::None)  // the unclassed path: its style is path:not(.sparkline)
    fmt::format_to(Out(out), "<path d=\"M0 {}h{}\"/>", y_of(t.reference.value, range), kWidth);
  out += "<path class=\"sparkline\" d=\"";
  curve_path(t, range, out);
  out += "\"/></svg></div>\n";
}

// The heading of one rule's curves: its name, the line they are drawn against, their periods.
void rule_heading(const AlertList::Ref& a, const SeriesTrails::View& t, bool first, std::string& out) {
  out += first ? "<h3>" : "</div>\n<h3>";
  append_escaped(out, a.rule);
  out += " <small>";
  if (t.reference.kind != ReferenceKind::None)
    fmt::format_to(Out(out), "{} {} (dashed) · ", to_string(t.reference.kind), readable_number(t.reference.value));
  fmt::format_to(Out(out), "{} × {}</small></h3>\n<div class=\"grid\">\n", t.values.size(), readable_age(t.period));
}

// Indices of the alerts with a trail, grouped by rule: rules with the worst state first, then by
// name; inside a rule, ALARM first.
std::vector<std::size_t> series_in_order(const StatusSnapshot& s) {
  std::map<std::string_view, int> worst;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < s.alerts.size(); ++i) {
    if (!s.trails.of(i)) continue;
    const auto a = s.alerts[i];
    auto [it, added] = worst.try_emplace(a.rule, state_rank(a.state));
    it->second = std::min(it->second, state_rank(a.state));
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const auto a = s.alerts[x], b = s.alerts[y];
    return std::tuple(worst[a.rule], a.rule, state_rank(a.state)) < std::tuple(worst[b.rule], b.rule, state_rank(b.state));
  });
  return order;
}

std::string_view job_class(std::string_view status) {
  if (status == "Failed" || status == "Expired" || status == "Stopped" || status == "PartiallyCompleted")
    return "st-alarm";
  if (status == "Completed") return "st-ok";
  if (status == "InProgress") return "st-drained";
  return "st-insufficient";
}

std::string count_text(const std::optional<std::int64_t>& n) {
  return n ? readable_number(static_cast<double>(*n)) : std::string("—");
}

void job_progress(const JobSnapshot& j, std::string& out) {
  if (j.total && j.processed && *j.total > 0) {
    const auto total = *j.total, done = *j.processed;
    fmt::format_to(Out(out), "<progress value=\"{}\" max=\"{}\">{}%</progress> {} / {} ({:.0f}%)",
                   done, total, done * 100 / total, count_text(done), count_text(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    out += "<progress>not started</progress> —";
  }
}

void job_row(const JobView& v, Time now, std::string& out) {
  const auto& j = v.job;
  out += "<tr data-job=\"";
  append_escaped(out, j.name);
  out += "\" data-status=\"";
  append_escaped(out, j.status);
  out += "\"><th scope=\"row\">";
  append_escaped(out, j.name);
  out += "</th><td class=\"labels\">";
  append_escaped(out, j.model_id);
  out += "</td><td>";
  badge(out, job_class(j.status), j.status);  // the row's data-status could colour it, but not for unknown statuses
  if (!j.message.empty()) {
    out += "<div class=\"reason\">";
    append_escaped(out, j.message);
    out += "</div>";
  }
  out += "</td><td class=\"progress\">";
  job_progress(j, out);
  fmt::format_to(Out(out), "</td><td class=\"num\">{}</td><td>",
                 count_text(j.errors));
  if (j.end_time) fmt::format_to(Out(out), "ended <time datetime=\"{0}\">{0}</time>", format_rfc3339(*j.end_time));
  else if (v.eta) fmt::format_to(Out(out), "ETA <time datetime=\"{0}\">{0}</time> (in {1})", format_rfc3339(*v.eta), readable_age(*v.eta - now));
  else out += "—";
  out += "</td><td><code>";
  append_escaped(out, j.output_s3_uri.empty() ? "—" : j.output_s3_uri);
  out += "</code></td></tr>\n";
}

}  // namespace

void render_series(const StatusSnapshot& s, std::string& out) {
  const auto order = series_in_order(s);
  fmt::format_to(Out(out), "<section id=\"series\"><h2>Series <small>{} with a metric, last {} periods</small></h2>\n",
                 order.size(), SeriesTrails::kTrailPeriods);
  if (order.empty()) {
    out += "<p class=\"empty\">No series evaluated yet.</p></section>\n";
    return;
  }
  std::optional<std::string_view> rule;
  for (const auto i : order) {
    const auto a = s.alerts[i];
    const auto trail = *s.trails.of(i);
    if (a.rule != rule) rule_heading(a, trail, !rule, out);
    rule = a.rule;
    sparkline_card(a, trail, out);
  }
  out += "</div></section>\n";
}

void render_jobs(const StatusSnapshot& s, Time now, std::string& out) {
  fmt::format_to(Out(out), "<section id=\"jobs\"><h2>Bedrock batch jobs <small>{} tracked</small></h2>\n", s.jobs.size());
  if (s.jobs.empty()) {
    out += "<p class=\"empty\">No jobs tracked.</p></section>\n";
    return;
  }
  out += "<div class=\"scroll\"><table class=\"reflow\"><thead><tr><th scope=\"col\">Job</th><th scope=\"col\">Model</th>"
         "<th scope=\"col\">Status</th><th scope=\"col\">Progress</th><th scope=\"col\" class=\"num\">Errors</th>"
         "<th scope=\"col\">ETA / ended</th><th scope=\"col\">Output</th></tr></thead><tbody>\n";
  for (const auto& j : s.jobs) job_row(j, now, out);
  out += "</tbody></table></div></section>\n";
}

void render_deliveries(const StatusSnapshot& s, Time now, std::string& out) {
  out += "<section id=\"deliveries\"><h2>Deliveries <small>owed notifications by target</small></h2>\n";
  if (s.outbox.empty()) {
    out += "<p class=\"empty\">Nothing owed, nothing dead.</p></section>\n";
    return;
  }
  out += "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Target</th><th scope=\"col\" class=\"num\">Pending"
         "</th><th scope=\"col\" class=\"num\">Dead</th><th scope=\"col\">Oldest pending</th></tr></thead><tbody>\n";
  for (const auto& [target, c] : s.outbox) {
    out += "<tr data-target=\"";
    append_escaped(out, target);
    fmt::format_to(Out(out), "\" data-pending=\"{}\" data-dead=\"{}\"><th scope=\"row\">", c.pending, c.dead);
    append_escaped(out, target);
    fmt::format_to(Out(out), "</th><td class=\"num\">{}</td><td class=\"num\">", c.pending);
    if (c.dead > 0) badge(out, "st-alarm", fmt::format("{} dead", c.dead));
    else out += "0";
    out += "</td><td>";
    if (c.oldest_pending) out += readable_age(now - *c.oldest_pending) + " old";
    else out += "—";
    out += "</td></tr>\n";
  }
  out += "</tbody></table></div></section>\n";
}

void render_silences(const StatusSnapshot& s, Time now, std::string& out) {
  fmt::format_to(Out(out), "<section id=\"silences\"><h2>Silences <small>{}</small></h2>\n", s.silences.size());
  if (s.silences.empty()) {
    out += "<p class=\"empty\">No silences in force.</p></section>\n";
    return;
  }
  out += "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Series</th>"
         "<th scope=\"col\">Ends</th><th scope=\"col\">Comment</th></tr></thead><tbody>\n";
  for (const auto& x : s.silences) {
    out += "<tr><th scope=\"row\">";
    append_escaped(out, x.rule);
    out += "</th><td class=\"labels\">";
    append_escaped(out, x.labels.empty() ? "(every series)" : x.labels);
    fmt::format_to(Out(out), "</td><td><time datetime=\"{0}\">{0}</time> ({1} {2})</td><td>", format_rfc3339(x.ends),
                   x.starts > now ? "starts in" : "in", readable_age((x.starts > now ? x.starts : x.ends) - now));
    append_escaped(out, x.comment);
    out += "</td></tr>\n";
  }
  out += "</tbody></table></div></section>\n";
}

}  // namespace bw::agent::detail
