#pragma once
// The status server (cpp-httplib): /healthz, /readyz, /metrics, /api/v1/alerts and a summary on /.
// It runs in its own threads and answers from a snapshot the daemon replaces after each cycle, so a
// scrape never waits for (or blocks) the poll loop.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/metrics.hpp"
#include "rules/alarm.hpp"
#include "rules/series.hpp"
#include "rules/time.hpp"

namespace bw::agent {

inline constexpr std::string_view kDefaultStatusAddress = "127.0.0.1:9917";

// One evaluated (rule, series) as /api/v1/alerts shows it.
struct AlertView {
  std::string rule;
  std::string kind;  // the rule kind (threshold, drain, ...)
  std::vector<Dimension> labels;
  AlarmState state = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
  Time since{};  // when the state last changed
};

struct OutboxCounts {
  std::size_t pending = 0;
  std::size_t dead = 0;
};

// What the daemon publishes after each cycle.
struct StatusSnapshot {
  bool ready = false;                                          // a cycle has succeeded
  std::string not_ready_reason = "no poll cycle has completed yet";
  std::optional<Time> last_cycle;                              // when the last successful cycle ran
  std::string last_error;                                      // of the last failed cycle, if any
  std::vector<AlertView> alerts;                               // every (rule, series)
  std::map<std::string, OutboxCounts> outbox;                  // by target
};

struct ListenAddress {
  std::string host;
  int port = 0;
};
// "host:port", "[::1]:port"; port 0 picks a free port. nullopt (and `error`) when malformed.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error);

class StatusServer {
 public:
  // `metrics` must outlive the server.
  explicit StatusServer(const AgentMetrics& metrics);
  ~StatusServer();  // stops
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds `address` and starts serving in a background thread. Returns "" on success, else a
  // message naming the address (malformed, port in use, ...). Call once.
  std::string start(std::string_view address = kDefaultStatusAddress);
  // Stops accepting, finishes in-flight requests and joins the thread. Idempotent.
  void stop();
  bool running() const;
  int port() const;  // the bound port (useful after port 0); 0 when not started

  // Replaces the snapshot served from now on; cheap, never waits for a request in flight.
  void publish(StatusSnapshot snapshot);
  std::shared_ptr<const StatusSnapshot> snapshot() const;

  // Response bodies, public for tests.
  static std::string alerts_json(const StatusSnapshot& s, bool all);
  static std::string summary_text(const StatusSnapshot& s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bw::agent
