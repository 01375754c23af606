#pragma once
// The seam between the dispatcher and the targets: a Sender turns one outbox row into one Delivery,
// and a sender whose service takes several at once (SNS PublishBatch) several rows into as many.
// The dispatcher holds Senders without knowing what is behind them; targets.hpp has the real ones.
#include <cstddef>
#include <string>
#include <vector>

#include "agent/state/state_store.hpp"

namespace bw::agent {

struct Delivery {
  // Interrupted: stopped by shutdown (Sender::cancel), not a failure of the target: the row is left
  // as it was, owed and due at the next start.
  enum class Outcome { Delivered, Retry, Dead, Interrupted };
  Outcome outcome = Outcome::Delivered;
  std::string detail;  // message id or error
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual Delivery deliver(const OutboxRow& row) = 0;
  // Called from another thread when the daemon stops: a deliver() in progress should return soon
  // (Interrupted), and so should any later one. Senders whose calls are short need nothing.
  virtual void cancel() {}
  // How many rows deliver_batch() takes at once; 1 (the default): the dispatcher calls deliver().
  virtual std::size_t batch_limit() const { return 1; }
  // Up to batch_limit() rows of one target, oldest first: one Delivery per row, in the same order.
  virtual std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) {
    std::vector<Delivery> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(deliver(row));
    return out;
  }
};

}  // namespace bw::agent
