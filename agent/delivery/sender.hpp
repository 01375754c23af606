#pragma once
// The seam between the dispatcher and the targets: a Sender turns one outbox row into one Delivery.
// The dispatcher holds Senders without knowing what is behind them; targets.hpp has the real ones.
#include <string>

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
};

}  // namespace bw::agent
