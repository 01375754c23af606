// Deadline rules, and the IANA time zones their daily deadlines are written in ("06:00 America/Chicago"):
// TZif files read from $TZDIR (else /usr/share/zoneinfo) and parsed by TimeZone::from_tzif.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/loader.hpp"

namespace bw::config::detail {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultZoneDir = "/usr/share/zoneinfo";

// Area/City names: letters, digits, "_", "+", "-", "/" between non-empty parts; never "..".
bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '/';
  });
}

std::string lower(std::string_view s) {
  std::string out;
  for (const char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A close existing zone for a name that does not exist: same directory, nearest spelling.
std::string zone_hint(const fs::path& dir, std::string_view name) {
  const auto slash = name.rfind('/');
  const std::string parent(slash == std::string_view::npos ? "" : name.substr(0, slash));
  const std::string leaf(slash == std::string_view::npos ? name : name.substr(slash + 1));
  std::error_code ec;
  std::vector<std::string> entries;
  for (fs::directory_iterator it(dir / parent, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path().filename().string());
  const auto full = [&](const std::string& e) { return parent.empty() ? e : parent + "/" + e; };
  for (const auto& e : entries)
    if (lower(e) == lower(leaf)) return fmt::format(" (did you mean \"{}\"?)", full(e));
  const std::vector<std::string_view> views(entries.begin(), entries.end());
  if (const auto c = closest(leaf, views)) return fmt::format(" (did you mean \"{}\"?)", full(*c));
  return " (use an IANA name such as America/Chicago, Europe/Berlin or UTC)";
}

// "HH:MM ZONE": minute of day and zone text; nullopt when the text is not of that shape at all.
struct DailyText {
  std::optional<int> minute;  // nullopt: shaped like HH:MM but out of range
  std::string time;
  std::string zone;
};
std::optional<DailyText> split_daily(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2) return std::nullopt;
  const auto space = text.find(' ');
  const auto time = text.substr(0, space);
  if (time.size() != colon + 3) return std::nullopt;
  const auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  if (!digits(time.substr(0, colon)) || !digits(time.substr(colon + 1))) return std::nullopt;
  DailyText out;
  out.time = std::string(time);
  const int h = std::stoi(std::string(time.substr(0, colon))), m = std::stoi(std::string(time.substr(colon + 1)));
  if (h <= 23 && m <= 59) out.minute = h * 60 + m;
  if (space != std::string_view::npos) {
    auto zone = text.substr(space);
    while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
    while (!zone.empty() && zone.back() == ' ') zone.remove_suffix(1);
    out.zone = std::string(zone);
  }
  return out;
}

void read_deadline_time(const Sink& sink, const Scalar& s, DeadlineSpec& spec) {
  if (const auto t = parse_rfc3339(s.text)) {
    spec.deadline = *t;
    return;
  }
  const auto daily = split_daily(s.text);
  if (!daily) {
    const bool looks_like_date = s.text.size() >= 5 && std::isdigit(static_cast<unsigned char>(s.text[0])) &&
                                 s.text[4] == '-';
    sink.error(s.mark, looks_like_date
                           ? fmt::format("invalid RFC 3339 time \"{}\" in deadline (write e.g. 2026-11-22T06:00:00Z "
                                         "or 2026-11-22T06:00:00-06:00)",
                                         s.text)
                           : fmt::format("invalid deadline \"{}\" (write \"HH:MM Area/City\" for a daily deadline, "
                                         "e.g. \"06:00 America/Chicago\", or an RFC 3339 time, e.g. "
                                         "2026-11-22T06:00:00Z)",
                                         s.text));
    return;
  }
  if (!daily->minute) {
    sink.error(s.mark, fmt::format("invalid time of day \"{}\" in deadline (use 00:00 to 23:59)", daily->time));
    return;
  }
  if (daily->zone.empty()) {
    sink.error(s.mark, fmt::format("deadline \"{}\" needs a time zone, e.g. \"{} America/Chicago\" or \"{} UTC\"",
                                   s.text, daily->time, daily->time));
    return;
  }
  std::string error;
  auto zone = load_time_zone(daily->zone, sink.env, error);
  if (!zone) {
    sink.error(s.mark, error);
    return;
  }
  spec.deadline = DailyDeadline{*daily->minute, std::move(*zone), s.text};
}

}  // namespace

std::optional<TimeZone> load_time_zone(std::string_view name, EnvLookup env, std::string& error) {
  if (!valid_zone_name(name)) {
    error = fmt::format("invalid time zone \"{}\" (use an IANA name such as America/Chicago, Europe/Berlin or UTC)",
                        name);
    return std::nullopt;
  }
  std::string dir = kDefaultZoneDir;
  if (env)
    if (auto v = env("TZDIR"); v && !v->empty()) dir = *v;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (name == "UTC" || name == "Etc/UTC") return TimeZone::utc();
    error = fmt::format("cannot look up time zone \"{}\": no time zone database at {} (install the tzdata package, "
                        "or set TZDIR to its directory)",
                        name, dir);
    return std::nullopt;
  }
  const auto file = fs::path(dir) / std::string(name);
  if (!fs::is_regular_file(file, ec)) {
    error = fmt::format("unknown time zone \"{}\"{}", name, zone_hint(dir, name));
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in || in.bad()) {
    error = fmt::format("cannot read time zone file {}", file.string());
    return std::nullopt;
  }
  std::string why;
  auto zone = TimeZone::from_tzif(name, bytes.str(), why);
  if (!zone) error = fmt::format("time zone \"{}\": {} is not usable TZif data ({})", name, file.string(), why);
  return zone;
}

void read_deadline(const Sink& sink, const MapReader& rule, Rule& out) {
  DeadlineRule d;
  if (rule.require("rate", "the throughput metric, e.g. rate: {metric: NumberOfInputTokensProcessedPerMinute, "
                           "stat: Average}")) {
    const auto r = rule.map("rate", fmt::format("\"rate\" of rule \"{}\"", out.name));
    if (r.valid()) {
      r.check_keys({"metric", "stat", "periods", "per"});
      if (r.require("metric", "e.g. NumberOfInputTokensProcessedPerMinute"))
        if (const auto m = r.scalar("metric")) {
          if (m->text.empty()) sink.error(m->mark, "\"rate.metric\" is empty (name the CloudWatch metric)");
          d.rate.name = m->text;
        }
      if (const auto s = r.scalar("stat"))
        if (check_stat(sink, *s)) d.rate.stat = s->text;
      if (const auto n = r.integer("periods")) {
        if (*n >= 1 && *n <= 1440)
          d.spec.rate_periods = static_cast<int>(*n);
        else
          sink.error(r.value_mark("periods"), fmt::format("\"rate.periods\" must be between 1 and 1440, not {} "
                                                          "(how many recent periods of the rate are averaged)",
                                                          *n));
      }
      if (const auto p = r.duration("per")) d.spec.rate_per = *p;
    }
  }
  // A token backlog drained at a record rate (or the reverse) would project nonsense.
  const auto counts = [](const std::string& m) -> std::string_view {
    if (m.find("Tokens") != std::string::npos) return "tokens";
    if (m.find("Records") != std::string::npos) return "records";
    return "";
  };
  const auto backlog_unit = counts(out.metric.name), rate_unit = counts(d.rate.name);
  if (!backlog_unit.empty() && !rate_unit.empty() && backlog_unit != rate_unit)
    sink.error(rule.value_mark("rate"), fmt::format("the backlog ({}) counts {} but the rate ({}) counts {}: the "
                                                    "projection needs both in the same unit",
                                                    out.metric.name, backlog_unit, d.rate.name, rate_unit));
  if (rule.require("deadline", "\"06:00 America/Chicago\" (daily, local time) or an RFC 3339 time such as "
                               "2026-11-22T06:00:00Z"))
    if (const auto s = rule.scalar("deadline")) read_deadline_time(sink, *s, d.spec);
  out.spec = std::move(d);
}

}  // namespace bw::config::detail
