#pragma once
// Helpers for agent tests: rules and configs built directly in C++ (no YAML), an in-memory
// MetricSource, a scripted Sender, a temp SQLite file, and a Logger that writes to a tmpfile().
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/delivery/dispatcher.hpp"
#include "agent/log.hpp"
#include "agent/cycle/metric_source.hpp"
#include "agent/state/sqlite_state_store.hpp"
#include "config/config.hpp"
#include "rules/series.hpp"
#include "rules/time.hpp"

namespace bw::agent::testing {

inline constexpr const char* kNs = "AWS/Bedrock/Batch";
inline constexpr const char* kTokens = "NumberOfInputTokensProcessedPerMinute";
inline constexpr const char* kPending = "NumberOfRecordsPendingProcessing";
inline constexpr Duration kMinute{60};
inline constexpr Duration kHour{3600};

// An RFC 3339 time; a malformed literal fails the test.
inline Time at(std::string_view rfc3339) {
  const auto t = parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << "bad time literal " << rfc3339;
  return t.value_or(Time{});
}

inline std::vector<Dimension> dims(std::vector<Dimension> d) {
  std::sort(d.begin(), d.end());
  return d;
}

inline SeriesKey series_key(std::string ns, std::string metric, std::vector<Dimension> d, std::string stat,
                            Duration period) {
  return SeriesKey{MetricId{std::move(ns), std::move(metric), dims(std::move(d))}, std::move(stat), period};
}

// A threshold rule; defaults: AWS/Bedrock/Batch NumberOfInputTokensProcessedPerMinute, no dimensions,
// Average over 1h, "> 1000000", N = M = 1, missing data treated as missing.
class RuleBuilder {
 public:
  explicit RuleBuilder(std::string name) {
    rule_.name = std::move(name);
    rule_.file = "rules/test.yaml";
    rule_.line = 1;
    rule_.metric.ns = kNs;
    rule_.metric.name = kTokens;
    rule_.metric.stat = "Average";
    rule_.metric.period = kHour;
    spec_.comparison = Comparison::Greater;
    spec_.threshold = 1000000;
  }
  RuleBuilder& metric(std::string ns, std::string name) {
    rule_.metric.ns = std::move(ns);
    rule_.metric.name = std::move(name);
    return *this;
  }
  RuleBuilder& dimensions(std::vector<Dimension> d) {
    rule_.metric.dimensions = dims(std::move(d));
    return *this;
  }
  RuleBuilder& stat(std::string s) {
    rule_.metric.stat = std::move(s);
    return *this;
  }
  RuleBuilder& period(Duration p) {
    rule_.metric.period = p;
    return *this;
  }
  RuleBuilder& when(Comparison c, double threshold) {
    spec_.comparison = c;
    spec_.threshold = threshold;
    return *this;
  }
  RuleBuilder& evaluation(int n, int m) {
    spec_.evaluation_periods = n;
    spec_.datapoints_to_alarm = m;
    return *this;
  }
  RuleBuilder& range(int r) {
    spec_.evaluation_range = r;
    return *this;
  }
  RuleBuilder& treat_missing(TreatMissing t) {
    spec_.treat_missing = t;
    return *this;
  }
  RuleBuilder& notify(std::vector<std::string> targets) {
    rule_.notify = std::move(targets);
    return *this;
  }
  RuleBuilder& notify_on(std::vector<AlarmState> states) {
    rule_.notify_on = std::move(states);
    return *this;
  }
  RuleBuilder& repeat(Duration every) {
    rule_.repeat = every;
    return *this;
  }
  RuleBuilder& description(std::string d) {
    rule_.description = std::move(d);
    return *this;
  }
  config::Rule build() const {
    auto r = rule_;
    r.spec = spec_;
    return r;
  }
  operator config::Rule() const { return build(); }  // NOLINT: implicit by design

 private:
  config::Rule rule_;
  ThresholdSpec spec_;
};

// A config holding `rules`, region us-east-1, two SNS targets (ops-email, pipeline).
inline config::Config make_config(std::vector<config::Rule> rules, Duration delay = Duration{120}) {
  config::Config c;
  c.path = "/etc/batchwatch/agent.yaml";
  c.aws.region = "us-east-1";
  c.poll.delay = delay;
  c.state_path = ":memory:";
  c.server_listen = "";
  c.targets["ops-email"] = config::Target{"ops-email", config::SnsTarget{"arn:aws:sns:us-east-1:123456789012:ops"}};
  c.targets["pipeline"] = config::Target{"pipeline", config::SnsTarget{"arn:aws:sns:us-east-1:123456789012:pipe"}};
  c.rules = std::move(rules);
  return c;
}

// Datapoints and listings held in memory. fetch() returns, per key, the stored points in
// [start, end) sorted by start; discover() runs the stored listings through match_listings() as the
// CloudWatch source does. Each can be made to fail, and every call is recorded.
class FakeMetricSource final : public MetricSource {
 public:
  struct FetchCall {
    std::vector<SeriesKey> keys;
    Time start{};
    Time end{};
  };

  void add_point(const SeriesKey& key, Time start, double value) {
    auto& pts = points_[key];
    auto it = std::find_if(pts.begin(), pts.end(), [&](const Datapoint& p) { return p.start == start; });
    if (it != pts.end()) it->value = value;  // a late datapoint overwrites
    else pts.push_back({start, value});
    std::sort(pts.begin(), pts.end());
  }
  void add_listing(std::string ns, std::string metric, std::vector<Dimension> d) {
    aws::MetricListing l{std::move(ns), std::move(metric), {}};
    for (auto& x : d) l.dimensions.push_back({x.name, x.value});
    listings_.push_back(std::move(l));
  }

  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time end) override {
    fetches.push_back({keys, start, end});
    if (fetch_error) return *fetch_error;
    std::vector<std::vector<Datapoint>> out(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto it = points_.find(keys[i]);
      if (it == points_.end()) continue;
      for (const auto& p : it->second)
        if (p.start >= start && p.start < end) out[i].push_back(p);
    }
    return out;
  }
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override {
    discovers.push_back(metric);
    if (discover_error) return *discover_error;
    return match_listings(metric, listings_);
  }

  std::optional<aws::Error> fetch_error;
  std::optional<aws::Error> discover_error;
  std::vector<FetchCall> fetches;
  std::vector<config::MetricSpec> discovers;

 private:
  std::map<SeriesKey, std::vector<Datapoint>> points_;
  std::vector<aws::MetricListing> listings_;
};

inline aws::Error api_error(std::string service, std::string operation, std::string code) {
  aws::Error e;
  e.kind = aws::Error::Kind::Api;
  e.service = std::move(service);
  e.operation = std::move(operation);
  e.code = std::move(code);
  e.message = "injected by the test";
  e.http_status = 400;
  return e;
}

// A Sender that answers from a script (then Delivered "msg-N") and records what it was given.
class FakeSender final : public Sender {
 public:
  Delivery deliver(const OutboxRow& row) override {
    received.push_back(row);
    if (!script.empty()) {
      auto d = script.front();
      script.pop_front();
      return d;
    }
    return {Delivery::Outcome::Delivered, "msg-" + std::to_string(received.size())};
  }
  std::deque<Delivery> script;
  std::vector<OutboxRow> received;
};

// A unique SQLite path under the temp dir; the file and its -wal/-shm are removed before and after.
class TempDb {
 public:
  TempDb() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("bw_agent_") + info->test_suite_name() + "_" + info->name() + "_" +
                       std::to_string(::getpid()) + ".db";
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = (std::filesystem::temp_directory_path() / name).string();
    remove_files();
  }
  ~TempDb() { remove_files(); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;

  const std::string& path() const { return path_; }
  std::unique_ptr<StateStore> open() const {
    auto opened = SqliteStateStore::open(path_);
    EXPECT_TRUE(opened.ok()) << opened.error().describe();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // Runs SQL on a second, raw connection to the same file (e.g. to install a failing trigger).
  void exec_raw(const std::string& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);
  }

 private:
  void remove_files() const {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix, ec);
  }
  std::string path_;
};

// A Logger writing into a tmpfile() that the test can read back.
class CapturedLog {
 public:
  explicit CapturedLog(LogLevel level = LogLevel::Debug, bool json = false)
      : file_(std::tmpfile()), log_(level, json, file_) {}
  ~CapturedLog() {
    if (file_) std::fclose(file_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  Logger& log() { return log_; }
  std::string text() const {
    std::string out;
    if (!file_) return out;
    std::fflush(file_);
    std::rewind(file_);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) out.append(buf, n);
    std::fseek(file_, 0, SEEK_END);
    return out;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    const auto t = text();
    std::size_t from = 0;
    while (from < t.size()) {
      const auto nl = t.find('\n', from);
      if (nl == std::string::npos) {
        out.push_back(t.substr(from));
        break;
      }
      out.push_back(t.substr(from, nl - from));
      from = nl + 1;
    }
    return out;
  }

 private:
  std::FILE* file_;
  Logger log_;
};

}  // namespace bw::agent::testing
