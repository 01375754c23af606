// Cost rules and the pricing files they name: per-model USD per 1M input and output tokens, with the
// batch discount (batch inference is billed at a fraction of the on-demand price).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "config/loader.hpp"

namespace bw::config::detail {
namespace {

namespace fs = std::filesystem;

// 0 <= d < 1: 0.5 (or 50%) means batch costs half the on-demand price.
std::optional<double> read_discount(const Sink& sink, const MapReader& map, std::string_view name) {
  const auto s = map.scalar("batch_discount");
  if (!s) return std::nullopt;
  const auto f = to_fraction(sink, *s, name);
  if (!f) return std::nullopt;
  if (*f >= 0 && *f < 1) return f;
  sink.error(s->mark, fmt::format("\"{}\" must be from 0 (no discount) to less than 1 (free), not {}; 0.5 (or "
                                  "50%) means batch costs half the on-demand price",
                                  name, s->text));
  return std::nullopt;
}

std::optional<double> read_rate(const Sink& sink, const MapReader& model, std::string_view key,
                                const std::string& model_name) {
  if (!model.require(key, "USD per 1M tokens at the on-demand rate")) return std::nullopt;
  const auto v = model.number(key);
  if (v && *v < 0) {
    sink.error(model.value_mark(key), fmt::format("\"{}\" of model \"{}\" must be 0 or more, not {}", key,
                                                  model_name, format_number(*v)));
    return std::nullopt;
  }
  return v;
}

void read_models(const Sink& sink, const MapReader& top, double default_discount, PriceTable& table) {
  if (!top.require("models", "a map of modelId to {input_per_million: ..., output_per_million: ...}")) return;
  const auto models = top.map("models", "\"models\"");
  if (!models.valid()) return;
  if (models.entries().empty())
    sink.error(top.value_mark("models"), "\"models\" lists no models (add e.g. amazon.nova-lite-v1:0: "
                                         "{input_per_million: 0.06, output_per_million: 0.24})");
  std::map<std::string, int> first_line;
  for (const auto& e : models.entries()) {
    const auto key_mark = mark_or(e.key_node, models.mark());
    if (e.key.empty()) {
      sink.error(key_mark, "empty model name (use the modelId dimension's value, or \"*\" for every other model)");
      continue;
    }
    if (const auto [it, fresh] = first_line.emplace(e.key, key_mark.line + 1); !fresh) {
      sink.error(key_mark, fmt::format("model \"{}\" is listed twice (first at line {})", e.key, it->second));
      continue;
    }
    if (e.value.IsNull()) {
      sink.error(key_mark, fmt::format("model \"{}\" has no prices (write {{input_per_million: ..., "
                                       "output_per_million: ...}})",
                                       e.key));
      continue;
    }
    const MapReader model(sink, e.value, key_mark, fmt::format("model \"{}\"", e.key), "");
    if (!model.valid()) continue;
    model.check_keys({"input_per_million", "output_per_million", "batch_discount"});
    Price p;
    p.batch_discount = default_discount;
    const auto in = read_rate(sink, model, "input_per_million", e.key);
    const auto out = read_rate(sink, model, "output_per_million", e.key);
    if (const auto d = read_discount(sink, model, "batch_discount")) p.batch_discount = *d;
    if (!in || !out) continue;
    p.input_per_million = *in;
    p.output_per_million = *out;
    table[e.key] = p;
  }
}

// Which model the rule's series are, as far as the metric says: its modelId dimension, if fixed.
std::optional<std::string> fixed_model(const MetricSpec& m) {
  for (const auto& d : m.dimensions)
    if (d.name == "modelId") return d.value == "*" ? std::nullopt : std::optional<std::string>(d.value);
  return std::string("*");  // no modelId: the series spans models, so only the fallback can price it
}

void read_budget(const Sink& sink, const MapReader& rule, const Rule& r, CostSpec& budget) {
  if (!rule.require("budget", "USD per_hour and/or per_day, e.g. budget: {per_day: 100}")) return;
  const auto b = rule.map("budget", fmt::format("\"budget\" of rule \"{}\"", r.name));
  if (!b.valid()) return;
  b.check_keys({"per_hour", "per_day"});
  for (const std::string_view key : {"per_hour", "per_day"}) {
    const auto v = b.number(key);
    if (!v) continue;
    if (*v <= 0) {
      sink.error(b.value_mark(key), fmt::format("\"budget.{}\" must be more than 0 USD, not {}", key,
                                                format_number(*v)));
      continue;
    }
    (key == "per_hour" ? budget.per_hour : budget.per_day) = *v;
  }
  if (!b.has("per_hour") && !b.has("per_day"))
    sink.error(rule.value_mark("budget"), "\"budget\" needs per_hour and/or per_day in USD, e.g. "
                                          "budget: {per_hour: 5, per_day: 100}");
}

}  // namespace

std::optional<double> to_fraction(const Sink& sink, const Scalar& s, std::string_view name) {
  std::string_view t = s.text;
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.remove_suffix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    sink.error(s.mark, fmt::format("\"{}\" must be a percentage such as 50% (or a fraction such as 0.5), not \"{}\"",
                                   name, s.text));
    return std::nullopt;
  }
  return percent ? v / 100 : v;
}

std::string resolve_next_to(const std::string& dir_of, const std::string& path) {
  const fs::path p(path);
  const auto dir = fs::path(dir_of).parent_path();
  if (p.is_absolute() || dir.empty()) return p.lexically_normal().string();
  return (dir / p).lexically_normal().string();
}

std::optional<PriceTable> parse_pricing(const std::string& text, const Sink& sink) {
  const auto errors_before = sink.out->size();
  const auto root = parse_yaml(text, sink);
  if (!root) return std::nullopt;
  if (root->IsNull()) {
    sink.error_at_file("the pricing file is empty (it needs \"models:\" with input_per_million and "
                       "output_per_million for each model)");
    return std::nullopt;
  }
  const MapReader top(sink, *root, YAML::Mark(), "the pricing file");
  if (!top.valid()) return std::nullopt;
  top.check_keys({"currency", "batch_discount", "models"});
  if (const auto c = top.scalar("currency"); c && c->text != "USD")
    sink.error(c->mark, fmt::format("unsupported currency \"{}\" (prices and budgets are in USD)", c->text));
  const double discount = read_discount(sink, top, "batch_discount").value_or(0.5);
  PriceTable table;
  read_models(sink, top, discount, table);
  if (sink.out->size() != errors_before) return std::nullopt;
  return table;
}

std::optional<PriceTable> read_pricing_file(const std::string& path, std::vector<Diagnostic>& diagnostics,
                                            EnvLookup env) {
  const Sink sink{path, &diagnostics, env};
  const auto text = read_text(path, sink);
  if (!text) return std::nullopt;
  return parse_pricing(*text, sink);
}

bool read_cost(const Sink& sink, const MapReader& rule, RuleContext& ctx, Rule& out) {
  CostRule cost;
  cost.output = MetricRef{"NumberOfOutputTokensProcessedPerMinute", "Average"};
  if (rule.has("output")) {
    const auto o = rule.map("output", fmt::format("\"output\" of rule \"{}\"", out.name));
    if (o.valid()) {
      o.check_keys({"metric", "stat"});
      if (const auto m = o.scalar("metric")) {
        if (m->text.empty()) sink.error(m->mark, "\"output.metric\" is empty (name the CloudWatch metric)");
        cost.output.name = m->text;
      }
      if (const auto s = o.scalar("stat"))
        if (check_stat(sink, *s)) cost.output.stat = s->text;
    }
  }
  read_budget(sink, rule, out, cost.budget);
  bool usable = true;
  if (rule.require("pricing", "a pricing file, e.g. pricing: pricing.yaml (relative to this rule file)")) {
    if (const auto p = rule.scalar("pricing")) {
      const auto path = resolve_next_to(sink.file, p->text);
      cost.pricing_file = path;
      std::error_code ec;
      if (p->text.empty()) {
        sink.error(p->mark, "\"pricing\" is empty (name a pricing file such as pricing.yaml)");
      } else if (!fs::exists(path, ec)) {
        sink.error(p->mark, fmt::format("pricing file \"{}\" not found (looked for {}; a relative path is relative "
                                        "to this rule file)",
                                        p->text, fs::absolute(path, ec).string()));
      } else {
        auto it = ctx.pricing.find(path);
        if (it == ctx.pricing.end())
          it = ctx.pricing.emplace(path, read_pricing_file(path, *sink.out, sink.env)).first;
        if (!it->second) {
          usable = false;  // its problems are reported in the pricing file itself
        } else {
          cost.prices = *it->second;
          const auto model = fixed_model(out.metric);
          if (model && !cost.prices.count(*model) && !cost.prices.count("*"))
            sink.error(p->mark, *model == "*"
                                    ? fmt::format("pricing file \"{}\" has no \"*\" entry, which a metric without "
                                                  "a modelId dimension needs",
                                                  p->text)
                                    : fmt::format("pricing file \"{}\" has no price for model \"{}\" (add it under "
                                                  "models:, or a \"*\" fallback)",
                                                  p->text, *model));
        }
      }
    }
  }
  out.spec = std::move(cost);
  return usable;
}

}  // namespace bw::config::detail
