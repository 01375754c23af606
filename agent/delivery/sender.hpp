#pragma once
// The seam between the dispatcher and the targets: a Sender turns one outbox row into one Delivery.
// The dispatcher holds Senders without knowing what is behind them; targets.hpp has the real ones.
#include <string>

#include "agent/state/state_store.hpp"

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

}  // namespace bw::agent
