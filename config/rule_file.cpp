// Rule files: `rules:` lists of rule maps, also accepted inline in the agent file.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "config/loader.hpp"

namespace bw::config {
namespace detail {
namespace {

const std::vector<std::string_view> kKinds = {"threshold", "baseline",   "drained",   "absent",
                                              "deadline",  "cost",       "composite", "job_status",
                                              "job_stuck", "job_errors", "job_expiry", "job_concurrency"};
const std::vector<std::string_view> kCommonKeys = {"name", "kind", "description", "notify", "notify_on", "severity"};

// The keys each kind takes besides kCommonKeys, in the order docs/rules.md lists them.
const std::vector<std::string_view>& kind_keys(std::string_view kind) {
  static const std::map<std::string_view, std::vector<std::string_view>> keys = {
      {"threshold",
       {"metric", "comparison", "threshold", "evaluation_periods", "datapoints_to_alarm", "evaluation_range",
        "treat_missing_data", "repeat"}},
      {"baseline", {"metric", "baseline", "below", "above", "for", "while", "repeat"}},
      {"drained", {"metric", "for", "treat_missing_data", "wait_for_jobs"}},
      {"absent", {"metric", "for", "repeat"}},
      {"deadline", {"metric", "rate", "deadline", "repeat"}},
      {"cost", {"metric", "output", "pricing", "budget", "repeat"}},
      {"composite", {"all_of", "any_of", "across_labels"}},
      {"job_status", {"statuses", "jobs"}},
      {"job_stuck", {"statuses", "for", "jobs"}},
      {"job_errors", {"above", "min_processed", "jobs"}},
      {"job_expiry", {"margin", "jobs"}},
      {"job_concurrency", {"statuses", "above", "jobs"}},
  };
  return keys.at(kind);
}

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
  if (auto stat = metric.scalar("stat"))
    if (check_stat(sink, *stat)) out.stat = stat->text;
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

std::string join_kinds(const std::vector<std::string_view>& kinds) {
  std::string out;
  for (std::size_t i = 0; i < kinds.size(); ++i)
    out += fmt::format("{}{}", i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ", kinds[i]);
  return out;
}

// Why `key` does not belong in a `kind` rule, for a key that some kind (or none) accepts.
std::string misplaced_key(std::string_view kind, std::string_view key, const std::vector<std::string_view>& allowed) {
  if (is_job_kind(kind) && key == "metric")
    return fmt::format("{} rules have no \"metric\": they judge the Bedrock job list (narrow it with jobs: "
                       "{{model: \"...\", name: \"...\"}})",
                       kind);
  if (kind == "composite" && key == "metric")
    return "composite rules have no \"metric\": they combine the states of the rules named in all_of and any_of";
  if (key == "repeat" && (kind == "drained" || kind == "composite"))
    return kind == "drained" ? "\"repeat\" does not apply to drained rules: a drain notifies once and re-arms only "
                               "when the backlog rises again"
                             : "\"repeat\" does not apply to composite rules (set it on the rules they name)";
  if (kind == "deadline" && key == "backlog")
    return "deadline rules take the backlog as \"metric\" (e.g. metric: {namespace: AWS/Bedrock/Batch, name: "
           "NumberOfTokensPendingProcessing, ...})";
  if (kind == "threshold" && key == "for")
    return "\"for\" does not apply to threshold rules (they use evaluation_periods and datapoints_to_alarm)";
  std::vector<std::string_view> owners;
  for (const auto k : kKinds) {
    const auto& keys = kind_keys(k);
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) owners.push_back(k);
  }
  if (!owners.empty())
    return fmt::format("\"{}\" does not apply to {} rules (it is a key of {} rules)", key, kind, join_kinds(owners));
  const auto hint = closest(key, allowed);
  return hint ? fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", key, *hint)
              : fmt::format("unknown key \"{}\" (expected one of: {})", key, fmt::join(allowed, ", "));
}

// Unknown, misplaced and duplicate keys of a rule of `kind`.
void check_rule_keys(const Sink& sink, const MapReader& rule, std::string_view kind) {
  std::vector<std::string_view> allowed = kCommonKeys;
  const auto& own = kind_keys(kind);
  allowed.insert(allowed.end(), own.begin(), own.end());
  const auto& entries = rule.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto mark = mark_or(entries[i].key_node, rule.mark());
    if (std::find(allowed.begin(), allowed.end(), entries[i].key) == allowed.end()) {
      sink.error(mark, misplaced_key(kind, entries[i].key, allowed));
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j].key != entries[i].key) continue;
      sink.error(mark, fmt::format("duplicate key \"{}\" (first written at line {}; only that one is used)",
                                   entries[i].key, mark_or(entries[j].key_node, rule.mark()).line + 1));
      break;
    }
  }
}

// Every key any kind accepts: a rule without a (valid) kind is checked against these.
std::vector<std::string_view> all_rule_keys() {
  std::vector<std::string_view> all = kCommonKeys;
  for (const auto k : kKinds)
    for (const auto key : kind_keys(k))
      if (std::find(all.begin(), all.end(), key) == all.end()) all.push_back(key);
  return all;
}

// Returns false when the rule must be dropped although nothing new was reported.
bool read_kind(const Sink& sink, const MapReader& rule, std::string_view kind, RuleContext& ctx, Rule& r) {
  if (kind == "threshold") {
    ThresholdSpec spec;
    read_threshold(sink, rule, spec);
    r.spec = spec;
  } else if (kind == "baseline") {
    read_baseline(sink, rule, r);
  } else if (kind == "drained") {
    read_drained(sink, rule, r);
  } else if (kind == "absent") {
    read_absent(sink, rule, r);
  } else if (kind == "deadline") {
    read_deadline(sink, rule, r);
  } else if (kind == "cost") {
    return read_cost(sink, rule, ctx, r);
  } else if (is_job_kind(kind)) {
    read_job_rule(sink, rule, kind, r);
  } else {
    read_composite(sink, rule, ctx, r);
  }
  return true;
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

  const std::string supported = fmt::format("supported: {}", fmt::join(kKinds, ", "));
  if (!rule.require("kind", supported)) {
    rule.check_keys(all_rule_keys());  // a typo'd "kind" is the likeliest reason it is missing
    return;
  }
  const auto kind_scalar = rule.scalar("kind");
  if (!kind_scalar) return;
  const auto kind_it = std::find(kKinds.begin(), kKinds.end(), kind_scalar->text);
  if (kind_it == kKinds.end()) {
    // Keys are only checked against a known kind; against a guess they would only add noise.
    const auto hint = closest(kind_scalar->text, kKinds);
    sink.error(kind_scalar->mark, hint ? fmt::format("unknown rule kind \"{}\" (did you mean \"{}\"?)",
                                                     kind_scalar->text, *hint)
                                       : fmt::format("unknown rule kind \"{}\" ({})", kind_scalar->text, supported));
    return;
  }
  const std::string_view kind = *kind_it;
  check_rule_keys(sink, rule, kind);
  if (auto d = rule.string("description")) r.description = *d;
  if (auto s = rule.string("severity")) r.severity = *s;
  if (kind != "composite" && !is_job_kind(kind)) read_metric(sink, rule, label, r.metric);
  const bool usable = read_kind(sink, rule, kind, ctx, r);
  read_notify(sink, rule, ctx, r);
  read_notify_on(sink, rule, kind, r);
  const auto& own = kind_keys(kind);
  if (std::find(own.begin(), own.end(), "repeat") != own.end())
    if (auto d = rule.duration("repeat")) r.repeat = *d;
  if (usable && sink.out->size() == errors_before) out.push_back(std::move(r));
}

}  // namespace

bool check_stat(const Sink& sink, const Scalar& s) {
  if (std::find(kStats.begin(), kStats.end(), s.text) != kStats.end() || valid_percentile(s.text)) return true;
  if (auto hint = closest(s.text, kStats))
    sink.error(s.mark, fmt::format("invalid stat \"{}\" (did you mean \"{}\"?)", s.text, *hint));
  else
    sink.error(s.mark, fmt::format("invalid stat \"{}\" (use Average, Sum, Minimum, Maximum, SampleCount or a "
                                   "percentile p0.1 to p99.99 such as p90 or p99.9)",
                                   s.text));
  return false;
}

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
    detail::finish_rules(ctx, rules, diagnostics, env);
  } catch (const std::exception& e) {
    sink.error_at_file(fmt::format("internal error while reading rules: {}", e.what()));
  }
  // The rule file's problems first, then those of the pricing files it names, each file in order.
  std::stable_sort(diagnostics.begin() + static_cast<std::ptrdiff_t>(from), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     return std::tuple(a.file != file_name, a.file, a.line, a.column) <
                            std::tuple(b.file != file_name, b.file, b.line, b.column);
                   });
  return rules;
}

}  // namespace bw::config
