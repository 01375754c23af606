// The keys of the baseline, drained, absent and composite kinds, notify_on, and the checks that need
// every rule file loaded (composite references and cycles). Deadline: timezones.cpp; cost: pricing.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <set>

#include "config/loader.hpp"

namespace bw::config::detail {
namespace {

std::string show(Duration d) { return format_duration(d); }
std::string as_percent(double fraction) { return fmt::format("{:g}%", fraction * 100); }
std::string label_of(const Rule& r) { return r.name.empty() ? "the rule" : fmt::format("rule \"{}\"", r.name); }

// The smallest whole number of periods that is at least `at_least`.
Duration round_up(Duration at_least, Duration period) {
  const auto n = (at_least.count() + period.count() - 1) / period.count();
  return Duration{std::max<long long>(n, 1) * period.count()};
}

// `for:` of baseline rules: at least one period and a whole number of them.
std::optional<Duration> read_for_periods(const Sink& sink, const MapReader& rule, Duration period) {
  const auto d = rule.duration("for");
  if (!d) return std::nullopt;
  const auto mark = rule.value_mark("for");
  if (*d < period) {
    sink.error(mark, fmt::format("\"for\" ({}) must be at least the metric period ({}): the rule looks at whole "
                                 "periods",
                                 show(*d), show(period)));
    return std::nullopt;
  }
  if (d->count() % period.count() != 0) {
    const auto lower = Duration{d->count() / period.count() * period.count()};
    sink.error(mark, fmt::format("\"for\" ({}) must be a whole number of metric periods ({}), e.g. {} or {}",
                                 show(*d), show(period), show(lower), show(lower + period)));
    return std::nullopt;
  }
  return d;
}

// below: 0 < x < 1; above: 1 < x <= 100 (the bound catches `above: 200` written for 200%).
void read_bounds(const Sink& sink, const MapReader& rule, const Rule& r, BaselineSpec& spec) {
  if (const auto s = rule.scalar("below")) {
    if (const auto f = to_fraction(sink, *s, "below")) {
      if (*f > 0 && *f < 1)
        spec.below = *f;
      else
        sink.error(s->mark, fmt::format("\"below\" must be more than 0% and less than 100%, not {} (below: 50% "
                                        "alarms when the value falls under half of the baseline; to alarm above "
                                        "the baseline use \"above\")",
                                        as_percent(*f)));
    }
  }
  if (const auto s = rule.scalar("above")) {
    if (const auto f = to_fraction(sink, *s, "above")) {
      if (*f > 100)
        sink.error(s->mark, fmt::format("\"above: {}\" means {} of the baseline; write {}% for {} times the "
                                        "baseline, or {}% if you mean it",
                                        s->text, as_percent(*f), s->text, *f / 100, *f * 100));
      else if (*f > 1)
        spec.above = *f;
      else
        sink.error(s->mark, fmt::format("\"above\" must be more than 100%, not {} (above: 200% alarms when the "
                                        "value exceeds twice the baseline; to alarm under the baseline use "
                                        "\"below\")",
                                        as_percent(*f)));
    }
  }
  if (!rule.has("below") && !rule.has("above"))
    sink.error(rule.mark(), fmt::format("{} needs \"below\" and/or \"above\" (e.g. below: 50% alarms when the "
                                        "value falls under half of the baseline)",
                                        label_of(r)));
}

void read_baseline_source(const Sink& sink, const MapReader& rule, const Rule& r, BaselineSpec& spec) {
  if (!rule.require("baseline", "{expected: 250000} for a fixed baseline, or {learn: 7d, method: median} to "
                                "learn it from the metric's own history"))
    return;
  const auto b = rule.map("baseline", fmt::format("\"baseline\" of {}", label_of(r)));
  if (!b.valid()) return;
  b.check_keys({"expected", "learn", "method", "seasonal"});
  const bool fixed = b.has("expected"), learned = b.has("learn");
  if (fixed && learned)
    sink.error(b.key_mark("learn"), "\"baseline\" takes expected (a fixed value) or learn (a window of the "
                                    "metric's own history), not both");
  else if (!fixed && !learned)
    sink.error(rule.value_mark("baseline"), "\"baseline\" needs expected (a fixed value, e.g. {expected: 250000}) "
                                            "or learn (e.g. {learn: 7d, method: median})");
  if (const auto e = b.number("expected")) {
    if (*e > 0)
      spec.expected = *e;
    else
      sink.error(b.value_mark("expected"),
                 fmt::format("\"baseline.expected\" must be more than 0, not {} (the value is compared with a "
                             "percentage of it)",
                             format_number(*e)));
  }
  if (const auto l = b.duration("learn")) {
    if (*l >= Duration{3600})
      spec.learn = *l;
    else
      sink.error(b.value_mark("learn"), fmt::format("\"baseline.learn\" must be at least 1h, not {} (the "
                                                    "history is kept hourly; 7d is typical)",
                                                    show(*l)));
  }
  if (const auto m = b.scalar("method")) {
    if (m->text == "median")
      spec.method = BaselineSpec::Method::Median;
    else if (m->text == "mean")
      spec.method = BaselineSpec::Method::Mean;
    else
      sink.error(m->mark, fmt::format("invalid baseline.method \"{}\" (use median or mean){}", m->text,
                                      did_you_mean(m->text, {"median", "mean"})));
    if (fixed && !learned) sink.error(b.key_mark("method"), "\"baseline.method\" applies only with learn");
  }
  if (const auto s = b.scalar("seasonal")) {
    if (s->text == "daily")
      spec.seasonal_daily = true;
    else
      sink.error(s->mark, fmt::format("invalid baseline.seasonal \"{}\" (the one seasonality is daily: learn from "
                                      "the same time of day on past days)",
                                      s->text));
    if (fixed && !learned)
      sink.error(b.key_mark("seasonal"), "\"baseline.seasonal\" applies only with learn");
    else if (spec.seasonal_daily && spec.learn > Duration{0} && spec.learn < Duration{86400})
      sink.error(b.value_mark("learn"), fmt::format("seasonal: daily needs learn of at least 1d, not {} (it "
                                                    "compares with the same time on past days)",
                                                    show(spec.learn)));
  }
}

void read_while(const Sink& sink, const MapReader& rule, const Rule& r, BaselineSpec& spec) {
  if (!rule.has("while")) return;
  const auto w = rule.map("while", fmt::format("\"while\" of {}", label_of(r)));
  if (!w.valid()) return;
  w.check_keys({"metric", "stat", "comparison", "threshold"});
  Condition c;
  if (w.require("metric", "another metric of the same namespace and labels, e.g. NumberOfRecordsPendingProcessing"))
    if (const auto m = w.scalar("metric")) {
      if (m->text.empty()) sink.error(m->mark, "\"while.metric\" is empty (name the CloudWatch metric)");
      c.metric = m->text;
    }
  if (const auto s = w.scalar("stat"))
    if (check_stat(sink, *s)) c.stat = s->text;
  if (const auto s = w.scalar("comparison")) {
    if (const auto parsed = parse_comparison(s->text))
      c.comparison = *parsed;
    else
      sink.error(s->mark, fmt::format("invalid while.comparison \"{}\" (use \">\", \">=\", \"<\" or \"<=\", quoted, "
                                      "or a CloudWatch name such as GreaterThanThreshold)",
                                      s->text));
  }
  if (const auto t = w.number("threshold")) c.threshold = *t;
  spec.while_ = c;
}

}  // namespace

std::optional<bool> read_bool(const Sink& sink, const MapReader& map, std::string_view key) {
  const auto s = map.scalar(key);
  if (!s) return std::nullopt;
  std::string lower;
  for (const char c : s->text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true") return true;
  if (lower == "false") return false;
  sink.error(s->mark, fmt::format("\"{}\" must be true or false, not \"{}\"", key, s->text));
  return std::nullopt;
}

void read_notify_on(const Sink& sink, const MapReader& rule, std::string_view kind, Rule& out) {
  const bool drained = kind == "drained";
  out.notify_on = drained ? std::vector<AlarmState>{AlarmState::Drained}
                          : std::vector<AlarmState>{AlarmState::Alarm, AlarmState::Ok};
  const auto items = rule.string_list("notify_on");
  if (!items) return;
  if (items->empty()) {
    sink.error(rule.value_mark("notify_on"), "\"notify_on\" lists no states (to send nothing, write notify: [])");
    return;
  }
  std::vector<AlarmState> states;
  for (const auto& item : *items) {
    const auto state = parse_alarm_state(item.text);
    if (!state) {
      std::string upper;
      for (const char c : item.text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      sink.error(item.mark, parse_alarm_state(upper)
                                ? fmt::format("invalid state \"{}\" in notify_on (did you mean \"{}\"? states are "
                                              "written in capitals)",
                                              item.text, upper)
                                : fmt::format("invalid state \"{}\" in notify_on (use OK, ALARM, INSUFFICIENT_DATA "
                                              "or, for drained rules, DRAINED)",
                                              item.text));
      continue;
    }
    if (*state == AlarmState::Drained && !drained) {
      sink.error(item.mark, fmt::format("\"DRAINED\" in notify_on applies only to drained rules (a {} rule is "
                                        "never DRAINED)",
                                        kind));
      continue;
    }
    if (*state == AlarmState::Alarm && drained) {
      sink.error(item.mark, "a drained rule is never in ALARM (its states are DRAINED, OK and INSUFFICIENT_DATA); "
                            "notify_on: [DRAINED] notifies once per drain");
      continue;
    }
    if (std::find(states.begin(), states.end(), *state) == states.end()) states.push_back(*state);
  }
  out.notify_on = std::move(states);
}

void read_baseline(const Sink& sink, const MapReader& rule, Rule& out) {
  BaselineSpec spec;
  read_baseline_source(sink, rule, out, spec);
  read_bounds(sink, rule, out, spec);
  // 15m unless written, rounded up to whole periods so an hourly metric still works.
  spec.for_ = round_up(Duration{900}, out.metric.period);
  if (rule.has("for"))
    if (const auto d = read_for_periods(sink, rule, out.metric.period)) spec.for_ = *d;
  read_while(sink, rule, out, spec);
  out.spec = spec;
}

void read_drained(const Sink& sink, const MapReader& rule, Rule& out) {
  DrainedSpec spec;
  if (const auto d = rule.duration("for")) spec.hold = *d;
  if (const auto t = rule.scalar("treat_missing_data")) {
    if (t->text == "missing" || t->text == "zero") {
      spec.missing_is_zero = t->text == "zero";
    } else if (parse_treat_missing(t->text)) {
      sink.error(t->mark, fmt::format("treat_missing_data \"{}\" does not apply to drained rules (use missing, or "
                                      "zero if no datapoint means an empty backlog): Bedrock publishes nothing "
                                      "while no job runs, so by default a gap is not a drain",
                                      t->text));
    } else {
      sink.error(t->mark, fmt::format("invalid treat_missing_data \"{}\" for a drained rule (use missing or "
                                      "zero){}",
                                      t->text, did_you_mean(t->text, {"missing", "zero"})));
    }
  }
  if (const auto w = read_bool(sink, rule, "wait_for_jobs")) spec.wait_for_jobs = *w;
  out.spec = spec;
}

void read_absent(const Sink& sink, const MapReader& rule, Rule& out) {
  AbsentSpec spec;
  const auto period = out.metric.period;
  spec.for_ = std::max(Duration{900}, period);  // 15m, or one period of a slower metric
  if (const auto d = rule.duration("for")) {
    if (*d >= period)
      spec.for_ = *d;
    else
      sink.error(rule.value_mark("for"), fmt::format("\"for\" ({}) must be at least the metric period ({}): one "
                                                     "period without a datapoint is the shortest absence there is",
                                                     show(*d), show(period)));
  }
  out.spec = spec;
}

void read_composite(const Sink& sink, const MapReader& rule, RuleContext& ctx, Rule& out) {
  CompositeSpec spec;
  RuleContext::CompositeRefs refs{out.name, sink.file, {}};
  bool listed_badly = false;
  for (const std::string_view key : {"all_of", "any_of"}) {
    const auto items = rule.string_list(key);
    listed_badly |= rule.has(key) && !items;
    if (!items) continue;
    auto& names = key == "all_of" ? spec.all_of : spec.any_of;
    for (const auto& item : *items) {
      if (!valid_name(item.text)) {
        sink.error(item.mark, fmt::format("invalid rule name \"{}\" in {} (rule names use letters, digits, \".\", "
                                          "\"_\" and \"-\")",
                                          item.text, key));
        listed_badly = true;
      } else if (item.text == out.name) {
        sink.error(item.mark, fmt::format("composite \"{}\" names itself in {}", out.name, key));
        listed_badly = true;
      } else if (std::find(names.begin(), names.end(), item.text) == names.end()) {
        names.push_back(item.text);
        refs.children.push_back(item);
      }
    }
  }
  if (!rule.has("all_of") && !rule.has("any_of"))
    sink.error(rule.mark(), fmt::format("{} needs all_of and/or any_of (lists of rule names, e.g. all_of: "
                                        "[throughput-low, backlog-high])",
                                        label_of(out)));
  else if (spec.all_of.empty() && spec.any_of.empty() && !listed_badly)
    sink.error(rule.mark(), fmt::format("{} names no rules in all_of or any_of", label_of(out)));
  if (const auto b = read_bool(sink, rule, "across_labels")) spec.across_labels = *b;
  if (!out.name.empty()) ctx.composites.push_back(std::move(refs));
  out.spec = spec;
}

void finish_rules(RuleContext& ctx, std::vector<Rule>& rules, std::vector<Diagnostic>& diagnostics, EnvLookup env) {
  std::set<std::string> bad;
  std::map<std::string, const RuleContext::CompositeRefs*> composites;  // first definition of each name
  for (const auto& c : ctx.composites) composites.emplace(c.rule, &c);
  std::vector<std::string_view> known;
  for (const auto& [name, where] : ctx.names) known.push_back(name);

  for (const auto& c : ctx.composites) {
    const Sink sink{c.file, &diagnostics, env};
    for (const auto& child : c.children) {
      if (ctx.names.count(child.text)) continue;
      sink.error(child.mark, fmt::format("composite \"{}\" names unknown rule \"{}\"{}", c.rule, child.text,
                                         did_you_mean(child.text, known)));
      bad.insert(c.rule);
    }
  }

  // Cycles: from each composite, the shortest path back to itself through other composites.
  std::set<std::string> in_reported_cycle;
  for (const auto& c : ctx.composites) {
    if (in_reported_cycle.count(c.rule) || composites.at(c.rule) != &c) continue;
    std::map<std::string, std::string> came_from;  // BFS tree: node -> predecessor
    std::deque<std::string> queue{c.rule};
    bool closed = false;
    std::string last;
    while (!queue.empty() && !closed) {
      const auto node = queue.front();
      queue.pop_front();
      for (const auto& child : composites.at(node)->children) {
        if (child.text == c.rule) {
          closed = true;
          last = node;
          break;
        }
        if (composites.count(child.text) && !came_from.count(child.text)) {
          came_from[child.text] = node;
          queue.push_back(child.text);
        }
      }
    }
    if (!closed) continue;
    std::vector<std::string> path{c.rule};
    for (auto n = last; n != c.rule; n = came_from.at(n)) path.insert(path.begin() + 1, n);
    const auto& next = path.size() > 1 ? path[1] : c.rule;
    const auto item = std::find_if(c.children.begin(), c.children.end(), [&](const Scalar& s) { return s.text == next; });
    const Sink sink{c.file, &diagnostics, env};
    sink.error(item->mark, fmt::format("composite \"{}\" is part of a cycle: {} -> {} (a composite cannot depend "
                                       "on itself)",
                                       c.rule, fmt::join(path, " -> "), c.rule));
    for (const auto& n : path) {
      in_reported_cycle.insert(n);
      bad.insert(n);
    }
  }
  std::erase_if(rules, [&](const Rule& r) {
    return std::holds_alternative<CompositeSpec>(r.spec) && bad.count(r.name) > 0;
  });
}

}  // namespace bw::config::detail
