#pragma once
// `batchwatch status`: what the state file says now. Pure: the rows read from the store, the silences
// of the agent file and the time in, a report out, and the report as text or JSON. The command
// (status_cmd.cpp) does the reading.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/state/state_store.hpp"
#include "config/config.hpp"
#include "rules/time.hpp"

namespace bw::agent {

struct StatusReport {
  // What one target is owed: pending rows (and how long the oldest has waited since it was owed),
  // and rows that gave up (dead) still kept in the file.
  struct Owed {
    std::string target;
    std::size_t pending = 0;
    std::optional<Duration> oldest_pending_age;
    std::size_t dead = 0;
  };
  // A silence in force now, from the state file (`silence add`, with its id) or the agent file (id 0).
  struct Silence {
    std::int64_t id = 0;
    bool from_agent_file = false;
    std::string rule;
    std::vector<Dimension> labels;  // matchers; a value "*" matches any
    Time starts{}, ends{};
    std::string comment;
  };

  Time now{};
  std::vector<StoredState> not_ok;  // ALARM first, then the other states; each by rule, series
  std::size_t ok = 0;
  std::vector<Owed> owed;  // by target: the configured ones and any other the outbox names
  std::vector<Silence> silences;  // ending soonest first
};

// What the state file holds and the agent file configures, as of `now`.
struct StatusInputs {
  std::vector<StoredState> states;
  std::vector<OutboxRow> pending;    // the outbox's pending rows
  std::vector<OutboxCount> counts;   // its pending and dead rows per target
  std::vector<StoredSilence> stored_silences;
  std::vector<config::Silence> configured_silences;
  std::vector<std::string> targets;  // the agent file's: each is listed, owed something or not
};

StatusReport build_status_report(StatusInputs in, Time now);

std::string status_text(const StatusReport& report);
std::string status_json(const StatusReport& report);  // one JSON object, one line

}  // namespace bw::agent
