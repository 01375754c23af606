#include "agent/delivery/delivery_worker.hpp"

#include <algorithm>

namespace bw::agent {

void DeliveryWorker::start(std::unique_ptr<StateStore> store, DispatcherFactory make) {
  store_ = std::move(store);
  dispatcher_ = make(*store_);
  thread_ = std::thread([this] { loop(); });
}

void DeliveryWorker::replace(DispatcherFactory make) {
  auto next = make(*store_);
  {
    std::lock_guard lock(mu_);
    dispatcher_.swap(next);
  }
  waiter_.wake();
  // `next` now holds the old dispatcher: freed here, or by the pass still using it when it ends.
}

void DeliveryWorker::wake() { waiter_.wake(); }

void DeliveryWorker::stop(Duration grace) {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  waiter_.wake();
  thread_.join();
  if (grace > Duration{0} && dispatcher_) {
    const auto report = dispatcher_->deliver_due(clock_.now());
    if (report.retrying + report.dead > 0)
      log_.warn("stopping with undelivered notifications; they are kept and sent after restart",
                {{"pending", std::to_string(report.retrying)}});
  }
}

void DeliveryWorker::loop() {
  for (;;) {
    std::shared_ptr<Dispatcher> dispatcher;
    {
      std::lock_guard lock(mu_);  // wake() and replace() never wait for a delivery in progress
      if (stopping_) return;
      dispatcher = dispatcher_;
    }
    dispatcher->deliver_due(clock_.now());
    const auto next = dispatcher->next_due();
    dispatcher.reset();  // a dispatcher replaced during the pass (and what it owns) is freed now
    // Until the next retry is due, a cycle queues rows, or we are told to stop. A wake that came
    // during the pass ends this wait at once. Time counts whole seconds: at least one, so a row due
    // but held back (retries are limited per pass) is not polled in a busy loop.
    const Time now = clock_.now();
    const Time until = next ? std::clamp(*next, now + Duration{1}, now + Duration{60}) : now + Duration{60};
    clock_.wait_until(until, waiter_);
  }
}

}  // namespace bw::agent
