#pragma once
// Delivers the outbox on its own thread so a slow target (a hook with a 60 s timeout, an SNS
// endpoint that is down) never holds up polling. It has its own SQLite connection (WAL lets it
// read and write beside the poll loop) and wakes when a cycle queued rows or a retry falls due.
// It waits through the Clock with a Waiter of its own (agent/clock.hpp).
#include <functional>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/clock.hpp"
#include "agent/delivery/dispatcher.hpp"

namespace bw::agent {

class DeliveryWorker {
 public:
  DeliveryWorker(Clock& clock, Logger& log) : clock_(clock), log_(log) {}
  ~DeliveryWorker() { stop(Duration{0}); }
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Builds a dispatcher on the worker's store. Shared: the dispatcher may own what its senders use
  // (a configuration, AWS clients), freed when the pass that still uses it ends.
  using DispatcherFactory = std::function<std::shared_ptr<Dispatcher>(StateStore&)>;

  // Takes over `store`, builds the dispatcher on it with `make`, and starts the thread.
  void start(std::unique_ptr<StateStore> store, DispatcherFactory make);
  // Swaps the dispatcher (after a reload); a pass in progress finishes with the old one.
  void replace(DispatcherFactory make);
  void wake();
  // Wakes the thread and waits (real time, at most `limit`) until a pass that began after this call
  // has ended: under a simulated clock, a cycle's notifications go out before time moves on, as
  // they would beside minutes-apart cycles. False when `limit` ran out first.
  bool settle(Duration limit);
  // Stops the thread within `grace` (real time: hooks run in real time even under a simulated clock):
  // the pass in progress and, with a grace period, one last pass for rows already due may finish in
  // it; after it, deliveries in progress are cancelled (a hook's process group is stopped) and their
  // rows stay owed for the next start.
  void stop(Duration grace);

 private:
  void loop();
  // The thread's last pass at stop, over rows already due.
  void final_pass(std::unique_lock<std::mutex>& lock);
  Clock& clock_;
  Logger& log_;
  std::unique_ptr<StateStore> store_;
  std::shared_ptr<Dispatcher> dispatcher_;  // shared: a reload may swap it during a pass
  std::shared_ptr<Dispatcher> active_;      // the one in a pass now, if any (what a stop cancels)
  std::mutex mu_;  // guards dispatcher_, active_ and the flags below
  Clock::Waiter waiter_;            // the loop's sleep until the next retry, a wake or a stop
  std::condition_variable done_cv_;  // stop() and settle() wait on it, in real time
  unsigned long passes_begun_ = 0;
  unsigned long passes_ended_ = 0;
  bool stopping_ = false;
  bool final_pass_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace bw::agent
