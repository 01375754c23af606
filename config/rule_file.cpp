// Rule files: `rules:` lists of rule maps, also accepted inline in the agent file.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/loader.hpp"

namespace bw::config {
namespace detail {
namespace {

const std::vector<std::string_view> kRuleKeys = {"name",      "kind",
                                                 "description",        "metric",
                                                 "comparison",         "threshold",
                                                 "evaluation_periods", "datapoints_to_alarm",
                                                 "evaluation_range",   "treat_missing_data",
                                                 "notify"};
const std::vector<std::string_view> kMetricKeys = {"namespace", "name", "dimensions", "stat", "period"};
const std::vector<std::string_view> kStats = {"Average", "Sum", "Minimum", "Maximum", "SampleCount"};

// CloudWatch rejects metrics with more dimensions, so say so at load time rather than at 3 a.m.
constexpr std::size_t kMaxDimensions = 30;
// Not a CloudWatch limit: a bound that keeps int arithmetic and per-series windows sane.
constexpr long long kMaxPeriods = 100000;

// pNN or pNN.NN with 0 < NN < 100 (CloudWatch accepts up to two decimals).
bool valid_percentile(std::string_view s) {
  if (s.size() < 2 || s[0] != 'p') return false;
  s.remove_prefix(1);
  const auto dot = s.find('.');
  const auto whole = s.substr(0, dot);
  const auto frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  const auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (whole.empty() || whole.size() > 2 || !digits(whole)) return false;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 2 || !digits(frac))) return false;
  const bool zero = whole.find_first_not_of('0') == std::string_view::npos &&
                    frac.find_first_not_of('0') == std::string_view::npos;
  return !zero;
}

bool valid_period(Duration p) {
  const auto s = p.count();
  return s == 10 || s == 20 || s == 30 || s % 60 == 0;
}

void read_dimensions(const Sink& sink, const MapReader& metric, MetricSpec& out) {
  const auto node = metric.node("dimensions");
  if (!node || node->IsNull()) return;
  const MapReader dims(sink, *node, metric.value_mark("dimensions"), "\"metric.dimensions\"", "metric.dimensions.");
  if (!dims.valid()) return;
  for (const auto& e : dims.entries()) {
    const auto key_mark = mark_or(e.key_node, dims.mark());
    const auto value = MapReader::to_scalar(sink, e.value, mark_or(e.value, key_mark), "metric.dimensions." + e.key);
    if (!value) continue;
    if (value->text.empty()) {
      sink.error(value->mark, fmt::format("dimension \"{}\" has an empty value (name a value, or \"*\" for "
                                          "one series per value found)",
                                          e.key));
      continue;
    }
    out.dimensions.push_back(Dimension{e.key, value->text});
  }
  if (dims.entries().size() > kMaxDimensions)
    sink.error(dims.mark(), fmt::format("a metric has at most {} dimensions in CloudWatch; this one lists {}",
                                        kMaxDimensions, dims.entries().size()));
  std::sort(out.dimensions.begin(), out.dimensions.end());
}

void read_metric(const Sink& sink, const MapReader& rule, const std::string& rule_label, MetricSpec& out) {
  if (!rule.require("metric", "a map with namespace, name, dimensions, stat and period")) return;
  const auto metric = rule.map("metric", fmt::format("\"metric\" of {}", rule_label));
  if (!metric.valid()) return;
  metric.check_keys(kMetricKeys);
  metric.require("namespace", "e.g. namespace: AWS/Bedrock/Batch");
  metric.require("name", "the CloudWatch metric name, e.g. name: NumberOfRecordsPendingProcessing");
  if (auto ns = metric.scalar("namespace")) {
    if (ns->text.empty()) sink.error(ns->mark, "\"metric.namespace\" is empty (e.g. AWS/Bedrock/Batch)");
    out.ns = ns->text;
  }
  if (auto name = metric.scalar("name")) {
    if (name->text.empty()) sink.error(name->mark, "\"metric.name\" is empty (name the CloudWatch metric)");
    out.name = name->text;
  }
  read_dimensions(sink, metric, out);
  if (auto stat = metric.scalar("stat")) {
    if (std::find(kStats.begin(), kStats.end(), stat->text) != kStats.end() || valid_percentile(stat->text)) {
      out.stat = stat->text;
    } else if (auto hint = closest(stat->text, kStats)) {
      sink.error(stat->mark, fmt::format("invalid stat \"{}\" (did you mean \"{}\"?)", stat->text, *hint));
    } else {
      sink.error(stat->mark, fmt::format("invalid stat \"{}\" (use Average, Sum, Minimum, Maximum, SampleCount "
                                         "or a percentile p0.1 to p99.99 such as p90 or p99.9)",
                                         stat->text));
    }
  }
  if (auto text = metric.scalar("period")) {
    if (auto period = to_duration(sink, *text)) {
      if (valid_period(*period))
        out.period = *period;
      else
        sink.error(text->mark, fmt::format("invalid period \"{}\" (CloudWatch periods are 10s, 20s, 30s or a "
                                           "multiple of 60s, e.g. 1m, 5m, 1h)",
                                           text->text));
    }
  }
}

// evaluation_periods, datapoints_to_alarm and evaluation_range, which bound one another.
void read_window(const Sink& sink, const MapReader& rule, ThresholdSpec& spec) {
  const auto in_range = [&](std::string_view key, long long v, long long lo, std::string_view lo_text) {
    if (v >= lo && v <= kMaxPeriods) return true;
    sink.error(rule.value_mark(key),
               fmt::format("\"{}\" must be between {} and {}, not {}", key, lo_text, kMaxPeriods, v));
    return false;
  };
  bool n_known = true;
  if (rule.has("evaluation_periods")) {
    const auto n = rule.integer("evaluation_periods");
    n_known = n && in_range("evaluation_periods", *n, 1, "1");
    if (n_known) spec.evaluation_periods = static_cast<int>(*n);
  }
  spec.datapoints_to_alarm = spec.evaluation_periods;
  if (const auto m = rule.integer("datapoints_to_alarm")) {
    if (n_known && (*m < 1 || *m > spec.evaluation_periods))
      sink.error(rule.value_mark("datapoints_to_alarm"),
                 fmt::format("\"datapoints_to_alarm\" must be between 1 and evaluation_periods ({}), not {} "
                             "(M out of N: M datapoints breaching among the last N periods)",
                             spec.evaluation_periods, *m));
    else if (n_known)
      spec.datapoints_to_alarm = static_cast<int>(*m);
  }
  if (const auto r = rule.integer("evaluation_range")) {
    if (n_known && in_range("evaluation_range", *r, spec.evaluation_periods,
                            fmt::format("evaluation_periods ({})", spec.evaluation_periods)))
      spec.evaluation_range = static_cast<int>(*r);
  }
}

void read_threshold(const Sink& sink, const MapReader& rule, ThresholdSpec& spec) {
  if (rule.require("comparison", "one of \">\", \">=\", \"<\", \"<=\"")) {
    if (auto c = rule.scalar("comparison")) {
      if (auto parsed = parse_comparison(c->text))
        spec.comparison = *parsed;
      else
        sink.error(c->mark, fmt::format("invalid comparison \"{}\" (use \">\", \">=\", \"<\", \"<=\" - quoted, as "
                                        "YAML reads a bare > as a folded block - or GreaterThanThreshold, "
                                        "GreaterThanOrEqualToThreshold, LessThanThreshold, "
                                        "LessThanOrEqualToThreshold)",
                                        c->text));
    }
  }
  if (rule.require("threshold", "a number, e.g. threshold: 1000000"))
    if (auto t = rule.number("threshold")) spec.threshold = *t;
  read_window(sink, rule, spec);
  if (auto t = rule.scalar("treat_missing_data")) {
    if (auto parsed = parse_treat_missing(t->text))
      spec.treat_missing = *parsed;
    else
      sink.error(t->mark, fmt::format("invalid treat_missing_data \"{}\" (use missing, ignore, breaching or "
                                      "notBreaching)",
                                      t->text));
  }
}

std::string target_hint(std::string_view name, const std::set<std::string>& targets) {
  if (targets.empty()) return " (the agent file defines no targets)";
  const std::vector<std::string_view> names(targets.begin(), targets.end());
  if (auto c = closest(name, names)) return fmt::format(" (did you mean \"{}\"?)", *c);
  return fmt::format(" (defined targets: {})", fmt::join(names, ", "));
}

void read_notify(const Sink& sink, const MapReader& rule, const RuleContext& ctx, Rule& out) {
  const auto items = rule.string_list("notify");
  if (!items) return;
  for (const auto& item : *items) {
    if (ctx.targets && !ctx.targets->count(item.text)) {
      sink.error(item.mark, fmt::format("unknown target \"{}\" in notify{}", item.text,
                                        target_hint(item.text, *ctx.targets)));
      continue;
    }
    // Listing a target twice would notify it twice per change; once is what anyone means.
    if (std::find(out.notify.begin(), out.notify.end(), item.text) == out.notify.end())
      out.notify.push_back(item.text);
  }
}

void read_rule(const Sink& sink, const YAML::Node& node, const YAML::Mark& mark, std::size_t index,
               RuleContext& ctx, std::vector<Rule>& out) {
  const auto errors_before = sink.out->size();
  MapReader rule(sink, node, mark, fmt::format("rule #{}", index + 1));
  if (!rule.valid()) return;
  Rule r;
  r.file = sink.file;
  r.line = rule.mark().line + 1;

  rule.require("name", "a unique name of letters, digits, \".\", \"_\" and \"-\"");
  if (auto name = rule.scalar("name")) {
    if (!valid_name(name->text)) {
      sink.error(name->mark, fmt::format("invalid rule name \"{}\" (use letters, digits, \".\", \"_\" and \"-\")",
                                         name->text));
    } else if (auto it = ctx.names.find(name->text); it != ctx.names.end()) {
      sink.error(name->mark, fmt::format("duplicate rule name \"{}\" (first defined at {}:{})", name->text,
                                         it->second.file, it->second.line));
    } else {
      ctx.names.emplace(name->text, RuleContext::Where{sink.file, r.line});
    }
    r.name = name->text;
    rule.set_where(fmt::format("rule \"{}\"", r.name));
  }
  const std::string label =
      r.name.empty() ? fmt::format("rule #{}", index + 1) : fmt::format("rule \"{}\"", r.name);

  if (!rule.require("kind", "supported: threshold")) {
    rule.check_keys(kRuleKeys);  // a typo'd "kind" is the likeliest reason it is missing
    return;
  }
  const auto kind = rule.scalar("kind");
  if (!kind) return;
  if (kind->text != "threshold") {
    // Other kinds have their own keys; checking them against threshold's would only add noise.
    sink.error(kind->mark, fmt::format("unsupported rule kind \"{}\" (supported: threshold)", kind->text));
    return;
  }
  rule.check_keys(kRuleKeys);
  if (auto d = rule.string("description")) r.description = *d;
  read_metric(sink, rule, label, r.metric);
  ThresholdSpec spec;
  read_threshold(sink, rule, spec);
  r.spec = spec;
  read_notify(sink, rule, ctx, r);
  if (sink.out->size() == errors_before) out.push_back(std::move(r));
}

}  // namespace

void read_rule_list(const Sink& sink, const YAML::Node& list, const YAML::Mark& mark, RuleContext& ctx,
                    std::vector<Rule>& out) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    sink.error(mark_or(list, mark), fmt::format("\"rules\" must be a list of rules (each starting with "
                                                "\"- name: ...\"), not {}",
                                                describe(list)));
    return;
  }
  std::size_t index = 0;
  for (const auto& item : list) {
    const auto item_mark = mark_or(item, mark);
    if (!item.IsMap())
      sink.error(item_mark, fmt::format("rule #{} must be a map (name: ..., kind: ..., metric: ...), not {}",
                                        index + 1, describe(item)));
    else
      read_rule(sink, item, item_mark, index, ctx, out);
    ++index;
  }
}

void read_rule_file(const Sink& sink, const YAML::Node& root, RuleContext& ctx, std::vector<Rule>& out) {
  if (root.IsNull()) return;  // an empty file, e.g. every rule commented out
  if (!root.IsMap()) {
    const bool list = root.IsSequence();
    sink.error(mark_or(root, YAML::Mark()),
               fmt::format("a rule file must be a map with a \"rules:\" list, not {}{}", describe(root),
                           list ? " (start the file with \"rules:\" and indent the list under it)" : ""));
    return;
  }
  const MapReader file(sink, root, YAML::Mark(), "the rule file");
  file.check_keys({"rules"});
  if (const auto rules = file.node("rules")) read_rule_list(sink, *rules, file.key_mark("rules"), ctx, out);
}

}  // namespace detail

std::vector<Rule> parse_rules(const std::string& text, const std::string& file_name,
                              std::vector<Diagnostic>& diagnostics, EnvLookup env) {
  std::vector<Rule> rules;
  const auto from = diagnostics.size();
  const detail::Sink sink{file_name, &diagnostics, env};
  detail::RuleContext ctx;
  try {
    if (const auto root = detail::parse_yaml(text, sink)) detail::read_rule_file(sink, *root, ctx, rules);
  } catch (const std::exception& e) {
    sink.error_at_file(fmt::format("internal error while reading rules: {}", e.what()));
  }
  detail::sort_diagnostics(diagnostics, from);
  return rules;
}

}  // namespace bw::config
