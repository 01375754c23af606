// `batchwatch silence add|list|expire`: silences kept in the state database, so an operator can
// quiet a known problem without editing (and reloading) the agent file.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/clock.hpp"
#include "agent/cli/commands.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "config/config.hpp"

namespace bw::agent {
namespace {

std::unique_ptr<StateStore> open_store(const std::string& config_path, Logger& log) {
  auto loaded = config::load(config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.str().c_str());
    return nullptr;
  }
  auto opened = SqliteStateStore::open(loaded.config->state_path);
  if (!opened) {
    log.error(opened.error().describe());
    return nullptr;
  }
  return std::move(opened).value();
}

}  // namespace

int cmd_silence(const SilenceOptions& o, Logger& log) {
  auto store = open_store(o.config_path, log);
  if (!store) return 2;
  const Time now = SystemClock().now();
  if (o.action == "add") {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& m : o.matchers) {
      const auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "--label %s: expected NAME=VALUE (VALUE may be *)\n", m.c_str());
        return 2;
      }
      labels[m.substr(0, eq)] = m.substr(eq + 1);
    }
    StoredSilence s;
    s.rule = o.rule.empty() ? "*" : o.rule;
    s.labels_json = labels.dump();
    s.starts = o.starts.value_or(now);
    s.ends = s.starts + o.duration;
    s.comment = o.comment;
    s.created_at = now;
    const auto id = store->add_silence(s);
    if (!id) {
      log.error(id.error().describe());
      return 2;
    }
    std::printf("silence %lld: rule %s labels %s from %s until %s\n", static_cast<long long>(id.value()),
                s.rule.c_str(), s.labels_json.c_str(), format_rfc3339(s.starts).c_str(), format_rfc3339(s.ends).c_str());
    return 0;
  }
  if (o.action == "expire") {
    const auto expired = store->expire_silence(o.id, now);
    if (!expired) {
      log.error(expired.error().describe());
      return 2;
    }
    if (!expired.value()) {
      std::fprintf(stderr, "no silence with id %lld\n", static_cast<long long>(o.id));
      return 2;
    }
    std::printf("silence %lld expired\n", static_cast<long long>(o.id));
    return 0;
  }
  for (const auto& s : store->silences()) {
    const char* status = now < s.starts ? "pending" : now < s.ends ? "active" : "expired";
    std::printf("%-4lld %-8s %-24s %-30s %s .. %s  %s\n", static_cast<long long>(s.id), status, s.rule.c_str(),
                s.labels_json.c_str(), format_rfc3339(s.starts).c_str(), format_rfc3339(s.ends).c_str(),
                s.comment.c_str());
  }
  return 0;
}

}  // namespace bw::agent
