#pragma once
// Delivers the outbox on its own thread so a slow target (a hook with a 60 s timeout, an SNS
// endpoint that is down) never holds up polling. It has its own SQLite connection (WAL lets it
// read and write beside the poll loop) and wakes when a cycle queued rows or a retry falls due.
// It waits through the Clock with a Waiter of its own (agent/clock.hpp).
#include <functional>
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
  // Stops after the pass in progress; with a grace period, makes one last pass for rows already due.
  void stop(Duration grace);

 private:
  void loop();
  Clock& clock_;
  Logger& log_;
  std::unique_ptr<StateStore> store_;
  std::shared_ptr<Dispatcher> dispatcher_;  // shared: a reload may swap it during a pass
  std::mutex mu_;  // guards dispatcher_ and stopping_
  Clock::Waiter waiter_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bw::agent
