#include "agent/delivery/dispatcher.hpp"

#include <algorithm>

namespace bw::agent {
namespace {

// A row whose update failed stays as the store last had it, so a later pass tries it again:
// delivery is at-least-once, and the idempotency key lets the receiver drop a repeat.
void log_if_unrecorded(Logger& log, const Result<Unit>& recorded, const OutboxRow& row) {
  if (!recorded)
    log.error("outbox row not updated",
              {{"target", row.target}, {"key", row.idempotency_key}, {"error", recorded.error().describe()}});
}

// What the sender answers for one batch: one Delivery per row, in order.
std::vector<Delivery> ask(Sender& sender, const std::vector<OutboxRow>& batch) {
  auto answers = sender.batch_limit() <= 1 ? std::vector<Delivery>{sender.deliver(batch.front())}
                                           : sender.deliver_batch(batch);
  // A sender that answers for fewer rows than it was given has not delivered the others.
  answers.resize(batch.size(), Delivery{Delivery::Outcome::Retry, "the sender gave no answer for this notification"});
  return answers;
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

Dispatcher::Dispatcher(StateStore& store, Logger& log) : store_(store), log_(log), clock_(&system_clock()) {}

void Dispatcher::add_sender(const std::string& target, std::unique_ptr<Sender> sender, Duration max_age) {
  senders_[target] = Entry{std::move(sender), max_age};
}

void Dispatcher::set_claims(ClaimStore& claims, std::string replica, Duration lease) {
  claims_ = &claims;
  replica_ = std::move(replica);
  lease_ = lease;
}

Duration Dispatcher::backoff(int attempts) {
  const auto shift = std::min(attempts, 10);
  return std::min(Duration{30 * (std::int64_t{1} << shift)}, Duration{15 * 60});
}

std::optional<Time> Dispatcher::next_due() const {
  return store_.earliest_pending();
}

Time Dispatcher::retry_at(const OutboxRow& row, Time now) const {
  const auto cap = backoff(row.attempts);
  if (!random_) return now + cap;
  return now + std::max(Duration{1}, Duration{static_cast<std::int64_t>(random_() * static_cast<double>(cap.count()))});
}

bool Dispatcher::expire_if_too_old(const OutboxRow& row, Duration max_age, Time now, DispatchReport& report) {
  if (now - row.created_at <= max_age) return false;
  // Not attempted again, so not counted as an attempt: `attempts` says how often the target was asked.
  log_if_unrecorded(
      log_,
      store_.mark_expired(row.id, now, "older than max_age " + format_duration(max_age) + "; last error: " + row.last_error),
      row);
  report.dead++;
  report.last_error = row.last_error;
  outcome(row.target, "dead");
  log_.error("notification dead: too old to deliver",
             {{"target", row.target}, {"key", row.idempotency_key}, {"last_error", row.last_error}});
  return true;
}

void Dispatcher::record(const std::vector<OutboxRow>& rows, const std::vector<Delivery>& answers, Time now,
                        DispatchReport& report) {
  std::vector<StateStore::Attempt> attempts;
  attempts.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& d = answers[i];
    using O = StateStore::Attempt::Outcome;
    switch (d.outcome) {
      case Delivery::Outcome::Delivered: attempts.push_back({rows[i].id, O::Delivered, now, ""}); break;
      case Delivery::Outcome::Retry: attempts.push_back({rows[i].id, O::Retry, retry_at(rows[i], now), d.detail}); break;
      case Delivery::Outcome::Dead: attempts.push_back({rows[i].id, O::Dead, now, d.detail}); break;
      case Delivery::Outcome::Interrupted: break;  // left as it was: owed
    }
  }
  if (!attempts.empty()) {
    const auto recorded = store_.mark_attempts(attempts);
    for (const auto& row : rows) log_if_unrecorded(log_, recorded, row);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) account(rows[i], answers[i], report);
}

void Dispatcher::account(const OutboxRow& row, const Delivery& d, DispatchReport& report) {
  switch (d.outcome) {
    case Delivery::Outcome::Delivered:
      report.delivered++;
      outcome(row.target, "delivered");
      log_.info("notification delivered", {{"target", row.target},
                                           {"rule", row.rule},
                                           {"series", row.series},
                                           {"state", row.state},
                                           {"key", row.idempotency_key},
                                           {"id", d.detail}});
      break;
    case Delivery::Outcome::Retry:
      report.retrying++;
      report.last_error = d.detail;
      outcome(row.target, "retried");
      log_.warn("notification not delivered; will retry",
                {{"target", row.target}, {"key", row.idempotency_key}, {"error", d.detail}});
      break;
    case Delivery::Outcome::Dead:
      report.dead++;
      report.last_error = d.detail;
      outcome(row.target, "dead");
      log_.error("notification dead", {{"target", row.target}, {"key", row.idempotency_key}, {"error", d.detail}});
      break;
    case Delivery::Outcome::Interrupted:
      report.interrupted++;
      log_.warn("delivery stopped by shutdown; the notification stays owed",
                {{"target", row.target}, {"key", row.idempotency_key}, {"detail", d.detail}});
      break;
  }
}

void Dispatcher::cancel() {
  cancelled_ = true;
  for (auto& [target, entry] : senders_) entry.sender->cancel();
}

std::map<std::string, std::vector<OutboxRow>> Dispatcher::sendable(Time now, DispatchReport& report) {
  std::map<std::string, std::vector<OutboxRow>> out;
  std::map<std::string, int> retries;  // per target, this pass
  for (auto& row : store_.due(now)) {
    if (cancelled_) break;
    auto it = senders_.find(row.target);
    const Duration max_age = it == senders_.end() ? Duration{86400} : it->second.max_age;
    if (expire_if_too_old(row, max_age, now, report)) continue;
    if (row.attempts > 0 && ++retries[row.target] > retry_budget_) continue;  // next pass
    if (it == senders_.end()) {
      report.retrying++;
      report.last_error = "target " + row.target + " has no sender";
      log_.warn("no sender for target; notification kept", {{"target", row.target}, {"key", row.idempotency_key}});
      log_if_unrecorded(log_, store_.mark_retry(row.id, retry_at(row, now), report.last_error), row);
      outcome(row.target, "retried");
      continue;
    }
    out[row.target].push_back(std::move(row));
  }
  return out;
}

void Dispatcher::send(Sender& sender, const std::vector<OutboxRow>& rows, Time now, DispatchReport& report,
                      ClaimGate* gate) {
  const std::size_t limit = std::max<std::size_t>(1, sender.batch_limit());
  for (std::size_t first = 0; first < rows.size() && !cancelled_; first += limit) {
    const auto last = rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), first + limit));
    std::vector<OutboxRow> batch(rows.begin() + static_cast<std::ptrdiff_t>(first), last);
    if (gate) send_claimed(sender, *gate, batch, now, report);
    else record(batch, ask(sender, batch), now, report);
  }
}

void Dispatcher::send_claimed(Sender& sender, ClaimGate& gate, const std::vector<OutboxRow>& batch, Time now,
                              DispatchReport& report) {
  const auto admission = gate.admit(batch, [&](const OutboxRow& row) { return retry_at(row, now); });
  record_settled(batch, admission, report);
  if (admission.won.empty()) return;
  if (!gate.may_send(admission)) {
    const auto recorded = store_.mark_attempts(gate.fence(admission));
    for (const auto& row : admission.won) log_if_unrecorded(log_, recorded, row);
    report.retrying += static_cast<int>(admission.won.size());
    report.last_error = "claims too old to send safely (half the lease passed while claiming)";
    return;
  }
  const auto answers = ask(sender, admission.won);
  gate.finish(admission, answers);  // before the local mark: a restart then finds the claim done
  record(admission.won, answers, now, report);
}

void Dispatcher::record_settled(const std::vector<OutboxRow>& batch, const Admission& admission,
                                DispatchReport& report) {
  if (admission.settled.empty()) return;
  const auto recorded = store_.mark_attempts(admission.settled);
  for (const auto& row : batch)
    if (std::none_of(admission.won.begin(), admission.won.end(), [&](const OutboxRow& w) { return w.id == row.id; }))
      log_if_unrecorded(log_, recorded, row);
  if (admission.failed == 0) return;
  report.retrying += admission.failed;
  report.last_error = admission.last_error;
  for (int i = 0; i < admission.failed; ++i) outcome(batch.front().target, "retried");
}

DispatchReport Dispatcher::deliver_due(Time now) {
  DispatchReport report;
  std::optional<ClaimGate> gate;
  if (claims_) gate.emplace(*claims_, replica_, lease_, *clock_, log_, report.claims, claim_hook_);
  for (const auto& [target, rows] : sendable(now, report)) {
    if (cancelled_) break;
    send(*senders_.at(target).sender, rows, now, report, gate ? &*gate : nullptr);
  }
  return report;
}

}  // namespace bw::agent
