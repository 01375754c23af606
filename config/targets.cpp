// The agent file's `targets:` (where notifications go) and `silences:` (when they are held back).
#include "config/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <string_view>
#include <vector>

namespace bw::config::detail {
namespace {

constexpr const char* kTypeList = "sns, exec, webhook, eventbridge or stepfunctions";
const std::vector<std::string_view> kTypes = {"sns", "exec", "webhook", "eventbridge", "stepfunctions"};

// EventBridge's own limits, checked here so a bad value fails `check` rather than every delivery.
constexpr std::size_t kMaxSourceLength = 256;
constexpr std::size_t kMaxDetailTypeLength = 128;

bool matches(const std::string& s, const char* pattern) { return std::regex_match(s, std::regex(pattern)); }

// std::regex builds a bounded repeat such as {1,256} out of that many copies, and every bracket a table of
// its own: compiling the topic ARN's pattern was a third of loading a config (~1.7 M instructions, 1% of a
// first `once`). The ARN is read by hand; the bus patterns say `+` and this checks the length.
constexpr std::size_t kMaxNameLength = 256;  // SNS topic and EventBridge bus names
bool name_fits(std::string_view name) { return name.size() <= kMaxNameLength; }

bool all_of(std::string_view s, bool (*ok)(char)) { return !s.empty() && std::all_of(s.begin(), s.end(), ok); }
bool lower_or_digit_or_dash(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool topic_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// arn:PARTITION:sns:REGION:ACCOUNT:TOPIC: PARTITION aws or aws-LOWER..., REGION [a-z0-9-]+, ACCOUNT 12
// digits, TOPIC 1-256 of [A-Za-z0-9_-] with an optional ".fifo".
bool valid_topic_arn(std::string_view arn) {
  std::vector<std::string_view> part;
  for (std::size_t from = 0;;) {
    const auto colon = arn.find(':', from);
    part.push_back(arn.substr(from, colon - from));
    if (colon == std::string_view::npos) break;
    from = colon + 1;
  }
  if (part.size() != 6 || part[0] != "arn" || part[2] != "sns") return false;
  const auto partition = part[1];
  const bool partition_ok = partition == "aws" || (partition.starts_with("aws-") && partition.back() != '-' &&
                                                    all_of(partition.substr(4), [](char c) {
                                                      return (c >= 'a' && c <= 'z') || c == '-';
                                                    }) && partition.find("--") == std::string_view::npos);
  auto topic = part[5];
  if (topic.ends_with(".fifo")) topic.remove_suffix(5);
  return partition_ok && all_of(part[3], lower_or_digit_or_dash) && part[4].size() == 12 && all_of(part[4], digit) &&
         all_of(topic, topic_char) && topic.size() <= kMaxNameLength;
}

void read_sns(const Sink& sink, const MapReader& r, SnsTarget& sns) {
  if (!r.require("topic_arn", "e.g. arn:aws:sns:us-east-1:123456789012:ops")) return;
  auto arn = r.scalar("topic_arn");
  if (!arn) return;
  if (!valid_topic_arn(arn->text))
    sink.error(arn->mark, fmt::format("invalid topic_arn \"{}\" (expected arn:aws:sns:REGION:ACCOUNT:TOPIC, "
                                      "e.g. arn:aws:sns:us-east-1:123456789012:ops)",
                                      arn->text));
  sns.topic_arn = arn->text;
}

void read_exec(const Sink& sink, const MapReader& r, ExecTarget& exec) {
  if (r.require("command", "a list: the program, then its arguments, e.g. [\"/usr/local/bin/hook\", \"--x\"]"))
    if (auto cmd = r.string_list("command")) {
      if (cmd->empty() || cmd->front().text.empty())
        sink.error(r.value_mark("command"), "\"command\" must start with the program to run, e.g. "
                                            "[\"/usr/local/bin/hook\", \"--flag\"] (it is run without a shell)");
      for (auto& s : *cmd) exec.command.push_back(std::move(s.text));
    }
  if (auto d = r.duration("timeout")) exec.timeout = *d;
}

void read_webhook(const Sink& sink, const MapReader& r, WebhookTarget& hook) {
  if (r.require("url", "an http:// or https:// URL"))
    if (auto url = r.scalar("url")) {
      if (!is_http_url(url->text))
        sink.error(url->mark, fmt::format("invalid webhook url \"{}\" (use an http:// or https:// URL)", url->text));
      hook.url = url->text;
    }
  if (auto s = r.string("secret")) hook.secret = *s;
  if (auto d = r.duration("timeout")) hook.timeout = *d;
}

void read_eventbridge(const Sink& sink, const MapReader& r, EventBridgeTarget& eb) {
  if (auto bus = r.scalar("event_bus")) {
    const auto name_at = bus->text.find(":event-bus/");
    const bool named = matches(bus->text, R"([/.\-_A-Za-z0-9]+)") && name_fits(bus->text);
    const bool arn = matches(bus->text, R"(arn:aws(-[a-z]+)*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[/.\-_A-Za-z0-9]+)") &&
                     name_fits(std::string_view(bus->text).substr(name_at + 11));
    if (!named && !arn)
      sink.error(bus->mark, fmt::format("invalid event_bus \"{}\" (use a bus name such as default, or its ARN "
                                        "arn:aws:events:REGION:ACCOUNT:event-bus/NAME)",
                                        bus->text));
    eb.event_bus = bus->text;
  }
  if (auto source = r.scalar("source")) {
    if (source->text.empty() || source->text.size() > kMaxSourceLength)
      sink.error(source->mark, fmt::format("\"source\" must be 1 to {} characters (e.g. batchwatch)", kMaxSourceLength));
    else if (source->text.starts_with("aws."))
      sink.error(source->mark, fmt::format("source \"{}\" is reserved for AWS services (use e.g. batchwatch or "
                                           "com.example.alerts)",
                                           source->text));
    eb.source = source->text;
  }
  if (auto type = r.scalar("detail_type")) {
    if (type->text.empty() || type->text.size() > kMaxDetailTypeLength)
      sink.error(type->mark, fmt::format("\"detail_type\" must be 1 to {} characters (e.g. Batchwatch Alarm State "
                                         "Change)",
                                         kMaxDetailTypeLength));
    eb.detail_type = type->text;
  }
}

void read_stepfunctions(const Sink& sink, const MapReader& r, StepFunctionsTarget& sfn) {
  if (!r.require("state_machine_arn", "e.g. arn:aws:states:us-east-1:123456789012:stateMachine:start-etl")) return;
  auto arn = r.scalar("state_machine_arn");
  if (!arn) return;
  // A version or alias ARN (…:stateMachine:NAME:1, …:NAME:prod) starts executions too.
  if (!matches(arn->text,
               R"(arn:aws(-[a-z]+)*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_.-]{1,80}(:[A-Za-z0-9_-]{1,80})?)"))
    sink.error(arn->mark, fmt::format("invalid state_machine_arn \"{}\" (expected arn:aws:states:REGION:ACCOUNT:"
                                      "stateMachine:NAME, e.g. arn:aws:states:us-east-1:123456789012:stateMachine:"
                                      "start-etl)",
                                      arn->text));
  sfn.state_machine_arn = arn->text;
}

std::optional<Target> read_target(const Sink& sink, const MapReader::Entry& e, const YAML::Mark& key_mark) {
  const auto errors_before = sink.out->size();
  const MapReader r(sink, e.value, key_mark, fmt::format("target \"{}\"", e.key), "targets." + e.key + ".");
  if (!r.valid()) return std::nullopt;
  if (e.value.IsNull()) {
    sink.error(key_mark, fmt::format("target \"{}\" is empty (give it a type: {})", e.key, kTypeList));
    return std::nullopt;
  }
  if (!r.require("type", kTypeList)) return std::nullopt;
  const auto type = r.scalar("type");
  if (!type) return std::nullopt;
  Target t;
  t.name = e.key;
  const auto& kind = type->text;
  if (kind == "sns") {
    r.check_keys({"type", "topic_arn", "max_age"});
    read_sns(sink, r, t.spec.emplace<SnsTarget>());
  } else if (kind == "exec") {
    r.check_keys({"type", "command", "timeout", "max_age"});
    read_exec(sink, r, t.spec.emplace<ExecTarget>());
  } else if (kind == "webhook") {
    r.check_keys({"type", "url", "secret", "timeout", "max_age"});
    read_webhook(sink, r, t.spec.emplace<WebhookTarget>());
  } else if (kind == "eventbridge") {
    r.check_keys({"type", "event_bus", "source", "detail_type", "max_age"});
    read_eventbridge(sink, r, t.spec.emplace<EventBridgeTarget>());
  } else if (kind == "stepfunctions") {
    r.check_keys({"type", "state_machine_arn", "max_age"});
    read_stepfunctions(sink, r, t.spec.emplace<StepFunctionsTarget>());
  } else {
    const auto hint = closest(kind, kTypes);
    sink.error(type->mark, hint ? fmt::format("unknown target type \"{}\" (did you mean \"{}\"?)", kind, *hint)
                                : fmt::format("unknown target type \"{}\" (supported: {})", kind, kTypeList));
  }
  if (auto d = r.duration("max_age")) t.max_age = *d;
  if (sink.out->size() != errors_before) return std::nullopt;
  return t;
}

std::optional<Time> read_time(const Sink& sink, const MapReader& r, std::string_view key) {
  const auto s = r.scalar(key);
  if (!s) return std::nullopt;
  if (auto t = parse_rfc3339(s->text)) return t;
  sink.error(s->mark, fmt::format("invalid time \"{}\" for \"{}\" (use RFC 3339, e.g. 2026-11-22T06:00:00Z)", s->text,
                                  key));
  return std::nullopt;
}

void read_silence_labels(const Sink& sink, const MapReader& r, Silence& s) {
  const auto labels = r.map("labels", "\"labels\"");
  if (!labels.valid()) return;
  for (const auto& e : labels.entries()) {
    const auto key_mark = mark_or(e.key_node, labels.mark());
    const auto value = MapReader::to_scalar(sink, e.value, mark_or(e.value, key_mark), "labels." + e.key);
    if (!value) continue;
    if (value->text.empty()) {
      sink.error(value->mark, fmt::format("label \"{}\" has an empty value (name a value, or \"*\" to match any)",
                                          e.key));
      continue;
    }
    s.labels[e.key] = value->text;
  }
}

void read_silence(const Sink& sink, const YAML::Node& node, const YAML::Mark& mark, int index, Config& cfg,
                  std::vector<SilenceRuleRef>& rule_refs) {
  const auto errors_before = sink.out->size();
  const MapReader r(sink, node, mark, fmt::format("silence #{}", index));
  if (!r.valid()) return;
  r.check_keys({"rule", "labels", "starts", "ends", "comment"});
  Silence s;
  std::optional<SilenceRuleRef> ref;
  if (auto rule = r.scalar("rule")) {
    if (rule->text != "*" && !valid_name(rule->text))
      sink.error(rule->mark, fmt::format("invalid rule name \"{}\" in silence #{} (name one rule, or \"*\" for "
                                         "every rule)",
                                         rule->text, index));
    else if (rule->text != "*")
      ref = SilenceRuleRef{rule->text, rule->mark, index};
    s.rule = rule->text;
  }
  read_silence_labels(sink, r, s);
  const auto starts = read_time(sink, r, "starts");
  if (starts) s.starts = *starts;
  if (r.require("ends", "when the silence ends, e.g. ends: 2026-11-22T08:00:00Z"))
    if (auto ends = read_time(sink, r, "ends")) {
      s.ends = *ends;
      if (starts && *ends <= *starts)
        sink.error(r.value_mark("ends"), fmt::format("silence #{} ends ({}) before it starts ({})", index,
                                                     format_rfc3339(*ends), format_rfc3339(*starts)));
    }
  if (auto comment = r.string("comment")) s.comment = *comment;
  if (sink.out->size() != errors_before) return;
  if (ref) rule_refs.push_back(std::move(*ref));
  cfg.silences.push_back(std::move(s));
}

}  // namespace

void read_targets(const Sink& sink, const MapReader& top, Config& cfg, std::set<std::string>& declared) {
  const auto r = top.map("targets", "\"targets\"");
  for (const auto& e : r.entries()) {
    const auto key_mark = mark_or(e.key_node, r.mark());
    declared.insert(e.key);
    if (!valid_name(e.key)) {
      sink.error(key_mark, fmt::format("invalid target name \"{}\" (use letters, digits, \".\", \"_\" and \"-\")",
                                       e.key));
      continue;
    }
    if (auto t = read_target(sink, e, key_mark)) cfg.targets.emplace(e.key, std::move(*t));
  }
}

void read_silences(const Sink& sink, const MapReader& top, Config& cfg, std::vector<SilenceRuleRef>& rule_refs) {
  const auto list = top.node("silences");
  if (!list || list->IsNull()) return;
  const auto mark = top.value_mark("silences");
  if (!list->IsSequence()) {
    sink.error(mark, fmt::format("\"silences\" must be a list of silences (each starting with \"- rule: ...\"), "
                                 "not {}",
                                 describe(*list)));
    return;
  }
  int index = 0;
  for (const auto& item : *list) {
    ++index;
    const auto item_mark = mark_or(item, mark);
    if (!item.IsMap())
      sink.error(item_mark, fmt::format("silence #{} must be a map (rule: ..., labels: ..., starts: ..., ends: "
                                        "...), not {}",
                                        index, describe(item)));
    else
      read_silence(sink, item, item_mark, index, cfg, rule_refs);
  }
}

void check_silence_rules(const Sink& sink, const std::vector<SilenceRuleRef>& refs, const RuleContext& ctx) {
  std::vector<std::string_view> names;
  for (const auto& [name, where] : ctx.names) names.push_back(name);
  for (const auto& ref : refs) {
    if (ctx.names.count(ref.rule)) continue;
    const auto hint = closest(ref.rule, names);
    sink.error(ref.mark, fmt::format("silence #{} names unknown rule \"{}\"{}", ref.index, ref.rule,
                                     hint ? fmt::format(" (did you mean \"{}\"?)", *hint)
                                          : std::string(" (no rule file defines it; use \"*\" for every rule)")));
  }
}

}  // namespace bw::config::detail
