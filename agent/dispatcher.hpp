#pragma once
// Delivers the outbox: each due row goes to its target; delivered rows are marked, failed rows are
// retried later with backoff, and rows no target can ever take are marked dead (kept, logged).
#include <map>
#include <memory>
#include <string>

#include "agent/log.hpp"
#include "agent/state_store.hpp"
#include "aws/sns.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct Delivery {
  enum class Outcome { Delivered, Retry, Dead };
  Outcome outcome = Outcome::Delivered;
  std::string detail;  // message id or error
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual Delivery deliver(const OutboxRow& row) = 0;
};

class SnsSender final : public Sender {
 public:
  SnsSender(aws::SnsClient& client, std::string topic_arn) : client_(client), topic_arn_(std::move(topic_arn)) {}
  Delivery deliver(const OutboxRow& row) override;

 private:
  aws::SnsClient& client_;
  std::string topic_arn_;
};

struct DispatchReport {
  int delivered = 0;
  int retrying = 0;
  int dead = 0;
  std::string last_error;
};

class Dispatcher {
 public:
  Dispatcher(StateStore& store, Logger& log) : store_(store), log_(log) {}
  void add_sender(const std::string& target, std::unique_ptr<Sender> sender);
  DispatchReport deliver_due(Time now);

  // Delay before the next attempt after `attempts` failures: 30s doubling, at most 15 minutes.
  static Duration backoff(int attempts);

 private:
  StateStore& store_;
  Logger& log_;
  std::map<std::string, std::unique_ptr<Sender>> senders_;
};

}  // namespace bw::agent
