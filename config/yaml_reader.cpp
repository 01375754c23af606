#include "config/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace bw::config::detail {

void Sink::error(const YAML::Mark& mark, std::string message) const {
  Diagnostic d;
  d.file = file;
  if (!mark.is_null()) {
    d.line = mark.line + 1;
    d.column = mark.column + 1;
  }
  d.message = std::move(message);
  out->push_back(std::move(d));
}

void Sink::error_at_file(std::string message) const { out->push_back(Diagnostic{file, 0, 0, std::move(message)}); }

std::string_view describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "empty";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "a string";
}

YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback) {
  if (!node.IsDefined() || node.IsNull()) return fallback;
  const auto m = node.Mark();
  return m.is_null() ? fallback : m;
}

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::optional<std::string> best;
  int best_distance = 3;
  for (const auto c : candidates) {
    const int dist = edit_distance(word, c);
    // Two edits turn any two-letter word into any other; only suggest when something survives.
    if (dist < best_distance && dist < static_cast<int>(std::min(word.size(), c.size()))) {
      best_distance = dist;
      best = std::string(c);
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  const auto c = closest(word, candidates);
  return c ? fmt::format(" (did you mean \"{}\"?)", *c) : std::string();
}

namespace {

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// "0", "0s", "00m": parse_duration rejects zero, yet zero is how one turns catch-up off.
bool is_zero_duration(std::string_view t) {
  if (!t.empty() && std::string_view("smhdw").find(t.back()) != std::string_view::npos) t.remove_suffix(1);
  return !t.empty() && t.find_first_not_of('0') == std::string_view::npos;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

}  // namespace

std::optional<std::string> interpolate(std::string_view text, EnvLookup env, std::string& error) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 3) == "$${") {
      out += "${";
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      error = "unterminated \"${\" (write ${NAME} or ${NAME:-default}; use \"$${\" for a literal \"${\")";
      return std::nullopt;
    }
    const auto inside = text.substr(i + 2, close - i - 2);
    const auto sep = inside.find(":-");
    const auto name = inside.substr(0, sep);
    if (!valid_env_name(name)) {
      error = fmt::format("invalid environment variable name \"{}\" in \"${{{}}}\" (use letters, digits and _)",
                          name, inside);
      return std::nullopt;
    }
    const std::string name_str(name);
    std::optional<std::string> value = env ? env(name_str.c_str()) : std::nullopt;
    if (sep != std::string_view::npos) {
      // Shell semantics: ":-" falls back when the variable is unset or empty.
      if (!value || value->empty()) value = std::string(inside.substr(sep + 2));
    } else if (!value) {
      error = fmt::format("environment variable \"{}\" is not set (set it, or write ${{{}:-default}})", name,
                          name);
      return std::nullopt;
    }
    out += *value;
    i = close + 1;
  }
  return out;
}

MapReader::MapReader(const Sink& sink, const YAML::Node& node, const YAML::Mark& fallback, std::string where,
                     std::string prefix)
    : sink_(&sink), mark_(mark_or(node, fallback)), where_(std::move(where)), prefix_(std::move(prefix)) {
  if (!node.IsDefined() || node.IsNull()) {
    valid_ = true;
    return;
  }
  if (!node.IsMap()) {
    sink.error(mark_, fmt::format("{} must be a map (key: value pairs), not {}", where_, describe(node)));
    return;
  }
  valid_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      sink.error(mark_or(it->first, mark_), fmt::format("keys in {} must be plain names, not {}", where_,
                                                        describe(it->first)));
      continue;
    }
    entries_.push_back(Entry{it->first.Scalar(), it->first, it->second});
  }
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

void MapReader::check_keys(const std::vector<std::string_view>& allowed) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    const auto mark = mark_or(e.key_node, mark_);
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      const auto hint = closest(e.key, allowed);
      sink_->error(mark, hint ? fmt::format("unknown key \"{}\" (did you mean \"{}\"?)", e.key, *hint)
                              : fmt::format("unknown key \"{}\" (expected one of: {})", e.key, join(allowed)));
      continue;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries_[j].key == e.key) {
        sink_->error(mark, fmt::format("duplicate key \"{}\" (first written at line {}; only that one is used)",
                                       e.key, mark_or(entries_[j].key_node, mark_).line + 1));
        break;
      }
    }
  }
}

bool MapReader::require(std::string_view key, std::string_view what_it_is) const {
  if (!valid_ || has(key)) return true;  // an invalid map was reported already
  sink_->error(mark_, fmt::format("{} is missing \"{}\" ({})", where_, key, what_it_is));
  return false;
}

std::optional<YAML::Node> MapReader::node(std::string_view key) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  return e->value;
}

YAML::Mark MapReader::key_mark(std::string_view key) const {
  const auto* e = find(key);
  return e ? mark_or(e->key_node, mark_) : mark_;
}

YAML::Mark MapReader::value_mark(std::string_view key) const {
  const auto* e = find(key);
  return e ? mark_or(e->value, mark_or(e->key_node, mark_)) : mark_;
}

std::optional<Scalar> MapReader::to_scalar(const Sink& sink, const YAML::Node& node, const YAML::Mark& mark,
                                           std::string_view name) {
  if (node.IsNull()) {
    sink.error(mark, fmt::format("\"{}\" has no value (write a value, or \"\" for an empty string)", name));
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    sink.error(mark, fmt::format("\"{}\" must be a single value, not {}", name, describe(node)));
    return std::nullopt;
  }
  std::string error;
  auto text = interpolate(node.Scalar(), sink.env, error);
  if (!text) {
    sink.error(mark, std::move(error));
    return std::nullopt;
  }
  return Scalar{std::move(*text), mark};
}

std::optional<Scalar> MapReader::scalar(std::string_view key) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  return to_scalar(*sink_, e->value, value_mark(key), name_of(key));
}

std::optional<std::string> MapReader::string(std::string_view key) const {
  auto s = scalar(key);
  if (!s) return std::nullopt;
  return std::move(s->text);
}

bool is_http_url(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"})
    if (url.substr(0, scheme.size()) == scheme && url.size() > scheme.size()) return true;
  return false;
}

std::optional<Duration> to_duration(const Sink& sink, const Scalar& s, bool allow_zero) {
  if (auto d = parse_duration(s.text)) return d;
  if (allow_zero && is_zero_duration(s.text)) return Duration{0};
  sink.error(s.mark, fmt::format("invalid duration \"{}\" (use e.g. 90s, 5m, 6h, 7d)", s.text));
  return std::nullopt;
}

std::optional<Duration> MapReader::duration(std::string_view key, bool allow_zero) const {
  const auto s = scalar(key);
  if (!s) return std::nullopt;
  return to_duration(*sink_, *s, allow_zero);
}

std::optional<double> MapReader::number(std::string_view key) const {
  const auto s = scalar(key);
  if (!s) return std::nullopt;
  std::string_view t = s->text;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    sink_->error(s->mark, fmt::format("\"{}\" must be a number such as 100 or 0.5, not \"{}\"", name_of(key),
                                      s->text));
    return std::nullopt;
  }
  return v;
}

std::optional<long long> MapReader::integer(std::string_view key) const {
  const auto s = scalar(key);
  if (!s) return std::nullopt;
  long long v = 0;
  const auto* first = s->text.data();
  const auto* last = first + s->text.size();
  const auto [end, ec] = std::from_chars(first, last, v);
  if (s->text.empty() || ec != std::errc() || end != last) {
    sink_->error(s->mark, fmt::format("\"{}\" must be a whole number such as 3, not \"{}\"", name_of(key), s->text));
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<Scalar>> MapReader::string_list(std::string_view key) const {
  const auto* e = find(key);
  if (!e) return std::nullopt;
  std::vector<Scalar> out;
  if (e->value.IsNull()) return out;
  const auto mark = value_mark(key);
  if (!e->value.IsSequence()) {
    sink_->error(mark, fmt::format("\"{}\" must be a list such as [a, b], not {}", name_of(key), describe(e->value)));
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& item : e->value) {
    const auto item_mark = mark_or(item, mark);
    if (!item.IsScalar()) {
      sink_->error(item_mark, fmt::format("each item of \"{}\" must be a single value, not {}", name_of(key),
                                          describe(item)));
      ok = false;
      continue;
    }
    auto s = to_scalar(*sink_, item, item_mark, name_of(key));
    if (s)
      out.push_back(std::move(*s));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

MapReader MapReader::map(std::string_view key, std::string_view where) const {
  const auto* e = find(key);
  if (!e) return MapReader(*sink_, YAML::Node(), mark_, std::string(where), name_of(key) + ".");
  return MapReader(*sink_, e->value, mark_or(e->key_node, mark_), std::string(where), name_of(key) + ".");
}

}  // namespace bw::config::detail
