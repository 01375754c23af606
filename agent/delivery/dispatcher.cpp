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

}  // namespace

void Dispatcher::add_sender(const std::string& target, std::unique_ptr<Sender> sender, Duration max_age) {
  senders_[target] = Entry{std::move(sender), max_age};
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

void Dispatcher::record(const OutboxRow& row, const Delivery& d, Time now, DispatchReport& report) {
  switch (d.outcome) {
    case Delivery::Outcome::Delivered:
      log_if_unrecorded(log_, store_.mark_delivered(row.id, now), row);
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
      log_if_unrecorded(log_, store_.mark_retry(row.id, retry_at(row, now), d.detail), row);
      report.retrying++;
      report.last_error = d.detail;
      outcome(row.target, "retried");
      log_.warn("notification not delivered; will retry",
                {{"target", row.target}, {"key", row.idempotency_key}, {"error", d.detail}});
      break;
    case Delivery::Outcome::Dead:
      log_if_unrecorded(log_, store_.mark_dead(row.id, now, d.detail), row);
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

DispatchReport Dispatcher::deliver_due(Time now) {
  DispatchReport report;
  std::map<std::string, int> retries;  // per target, this pass
  for (const auto& row : store_.due(now)) {
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
    record(row, it->second.sender->deliver(row), now, report);
  }
  return report;
}

}  // namespace bw::agent
