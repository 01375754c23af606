#pragma once
// A StateStore that hands every call to a real one: a test derives from it and overrides the one
// call it wants to fail or to watch (a commit that fails as on a full disk, reads it counts).
#include <string>
#include <vector>

#include "agent/state/state_store.hpp"

namespace bw::agent::testing {

class ForwardingStore : public StateStore {
 public:
  explicit ForwardingStore(StateStore& inner) : inner_(inner) {}

  std::optional<StoredState> get(const std::string& rule, const std::string& series) const override {
    return inner_.get(rule, series);
  }
  std::vector<StoredState> all_states() const override { return inner_.all_states(); }
  void each_state(const std::function<void(const StoredState&)>& visit) const override { inner_.each_state(visit); }
  Result<Unit> commit(const std::vector<StateUpdate>& updates, const JobViewUpdate& jobs = {}) override {
    return inner_.commit(updates, jobs);
  }
  std::vector<StoredJob> jobs() const override { return inner_.jobs(); }
  std::vector<OutboxRow> due(Time now) const override { return inner_.due(now); }
  std::vector<OutboxRow> outbox(const std::string& status_filter) const override { return inner_.outbox(status_filter); }
  std::vector<OutboxCount> outbox_counts() const override { return inner_.outbox_counts(); }
  std::optional<Time> earliest_pending() const override { return inner_.earliest_pending(); }
  Result<Unit> mark_delivered(std::int64_t id, Time at) override { return inner_.mark_delivered(id, at); }
  Result<Unit> mark_retry(std::int64_t id, Time next, const std::string& error) override {
    return inner_.mark_retry(id, next, error);
  }
  Result<Unit> mark_dead(std::int64_t id, Time at, const std::string& error) override {
    return inner_.mark_dead(id, at, error);
  }
  Result<Unit> mark_expired(std::int64_t id, Time at, const std::string& error) override {
    return inner_.mark_expired(id, at, error);
  }
  Result<std::int64_t> add_silence(const StoredSilence& silence) override { return inner_.add_silence(silence); }
  std::vector<StoredSilence> silences() const override { return inner_.silences(); }
  Result<bool> expire_silence(std::int64_t id, Time at) override { return inner_.expire_silence(id, at); }
  std::vector<HistoryRow> history() const override { return inner_.history(); }
  Result<PruneCount> prune(Time cutoff, std::size_t max_rows) override { return inner_.prune(cutoff, max_rows); }
  Result<Unit> mark_attempts(const std::vector<Attempt>& attempts) override { return inner_.mark_attempts(attempts); }

 private:
  StateStore& inner_;
};

}  // namespace bw::agent::testing
