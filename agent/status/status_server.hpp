#pragma once
// The status server (cpp-httplib): /healthz, /readyz, /metrics, /api/v1/alerts, /api/v1/series,
// /api/v1/jobs and the status page on /. It runs in its own threads and answers from a snapshot the
// daemon replaces after each cycle, so a scrape never waits for (or blocks) the poll loop.
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/cycle/series_trails.hpp"
#include "agent/status/metrics.hpp"
#include "rules/alarm.hpp"
#include "rules/jobs.hpp"
#include "rules/series.hpp"
#include "rules/time.hpp"

namespace bw::agent {

inline constexpr std::string_view kDefaultStatusAddress = "127.0.0.1:9917";

// One evaluated (rule, series) as /api/v1/alerts shows it.
struct AlertView {
  std::string rule;
  std::string kind;  // the rule kind (threshold, drained, ...)
  std::vector<Dimension> labels;
  AlarmState state = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
  Time since{};  // when the state last changed
};

// Every (rule, series) of a snapshot, compactly: 56 bytes a row; rule names and kinds stored once;
// label sets and reasons packed into 64 KiB blocks, one equal to a recent one stored once (a label
// set recurs for every rule over its series; idle series of a rule give the same reason). As a
// vector of AlertView (four strings and a label vector each) 25,000 instances held ~12 MB between
// cycles, in ~100,000 small blocks that were allocated among each cycle's short-lived ones.
class AlertList {
 public:
  AlertList() = default;
  AlertList(AlertList&&) = default;
  AlertList& operator=(AlertList&&) = default;
  AlertList(const AlertList&) = delete;  // rows point into blocks_
  AlertList& operator=(const AlertList&) = delete;

  // A stored label set; iterates as {name, value} views, in the order they were added.
  class Labels {
   public:
    struct Label {
      std::string_view name;
      std::string_view value;
    };
    class iterator {
     public:
      using iterator_category = std::input_iterator_tag;
      using value_type = Label;
      using difference_type = std::ptrdiff_t;
      explicit iterator(const char* at) : at_(at) {}
      Label operator*() const;
      iterator& operator++();
      bool operator==(const iterator& o) const { return at_ == o.at_; }

     private:
      const char* at_;
    };
    explicit Labels(std::string_view encoded) : bytes_(encoded) {}
    iterator begin() const { return iterator(bytes_.data()); }
    iterator end() const { return iterator(bytes_.data() + bytes_.size()); }
    bool empty() const { return bytes_.empty(); }
    std::vector<Dimension> to_vector() const;
    const char* data() const { return bytes_.data(); }  // equal label sets of one list share it

   private:
    std::string_view bytes_;  // per label: name size, name, value size, value (sizes: 4 bytes)
  };

  struct Ref {  // valid while the list is
    std::string_view rule;
    std::string_view kind;
    Labels labels;
    AlarmState state;
    std::optional<double> value;
    std::string_view reason;
    Time since;
  };
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Ref;
    using difference_type = std::ptrdiff_t;
    iterator(const AlertList* list, std::size_t i) : list_(list), i_(i) {}
    Ref operator*() const { return (*list_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    const AlertList* list_;
    std::size_t i_;
  };

  void push_back(const AlertView& a) { add(a.rule, a.kind, a.labels, a.state, a.value, a.reason, a.since); }
  // `reason_held`: the reason lies in text an owner given to hold() keeps, immutable: referred to, not copied.
  void add(std::string_view rule, std::string_view kind, const std::vector<Dimension>& labels, AlarmState state,
           std::optional<double> value, std::string_view reason, Time since, bool reason_held = false);
  // Keeps `owner` alive as long as the list (the engine's kept reasons, shared with every snapshot).
  void hold(std::shared_ptr<const void> owner) { owners_.push_back(std::move(owner)); }
  void reserve(std::size_t n) { rows_.reserve(n); }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  Ref operator[](std::size_t i) const;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, rows_.size()}; }

 private:
  struct Row {  // fields ordered for size: 56 bytes
    double value;
    Time since;
    const char* labels;  // into blocks_
    const char* reason;  // into blocks_, or text an owner given to hold() keeps
    std::uint32_t rule;  // into names_
    std::uint32_t kind;  // into names_
    std::uint32_t labels_size;
    std::uint32_t reason_size;
    AlarmState state;
    bool has_value;
  };
  std::uint32_t intern(std::string_view name);
  // `text` copied into the blocks, or the copy of an equal text found in `recent` (a direct-mapped
  // cache of `slots` texts stored, by hash).
  std::string_view store(std::string_view text, std::vector<std::string_view>& recent, std::size_t slots);

  std::vector<std::string> names_;
  std::map<std::string, std::uint32_t, std::less<>> name_index_;
  std::vector<Row> rows_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0, block_size_ = 0;  // of blocks_.back()
  std::vector<std::string_view> recent_labels_, recent_reasons_;
  std::vector<std::shared_ptr<const void>> owners_;  // of the held reasons
};

struct OutboxCounts {
  std::size_t pending = 0;
  std::size_t dead = 0;
  std::optional<Time> oldest_pending;  // when the oldest pending notification was queued
};

// A silence in force or still to come, from the agent file or `batchwatch silence add`.
struct SilenceView {
  std::string rule;    // or "*"
  std::string labels;  // "modelId=m1,..." ("" = every series)
  Time starts{};
  Time ends{};
  std::string comment;
};

// One tracked Bedrock batch job as the page and /api/v1/jobs show it: the job view's own snapshot,
// so the daemon hands it over as the job watch keeps it.
struct JobView {
  JobSnapshot job;
  std::optional<Time> eta;  // projected finish at the observed processing rate; nullopt when unknown or ended
};

// What the daemon publishes after each cycle.
struct StatusSnapshot {
  bool ready = false;                                          // a cycle has succeeded
  std::string not_ready_reason = "no poll cycle has completed yet";
  std::optional<Time> last_cycle;                              // when the last successful cycle ran
  std::string last_error;                                      // of the last failed cycle, if any
  AlertList alerts;                                            // every (rule, series)
  std::map<std::string, OutboxCounts> outbox;                  // by target
  std::vector<JobView> jobs;                                   // tracked jobs, newest submitted first
  SeriesTrails trails;                                         // per alert: its recent curve (if it has a metric)
  std::vector<SilenceView> silences;                           // in force or upcoming
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

  // Once set (before start), every path but /healthz and /readyz needs `Authorization: Bearer TOKEN`.
  void require_token(std::string token);

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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bw::agent
