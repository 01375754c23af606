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

bool DeliveryWorker::settle(Duration limit) {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return true;
  const auto wanted = passes_begun_ + 1;
  waiter_.wake();
  return done_cv_.wait_for(lock, limit, [&] { return passes_ended_ >= wanted || finished_; });
}

void DeliveryWorker::stop(Duration grace) {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  final_pass_ = grace > Duration{0};
  waiter_.wake();  // a wake while the loop is busy is kept: its next sleep ends at once
  // Real time, not the Clock: hooks run in real time even under a simulated clock.
  if (!done_cv_.wait_for(lock, grace, [&] { return finished_; })) {
    if (active_)
      log_.warn("grace period over: stopping the deliveries in progress; they stay owed",
                {{"grace", format_duration(grace)}});
    for (const auto& d : {active_, dispatcher_})
      if (d) d->cancel();
  }
  lock.unlock();
  thread_.join();
}

void DeliveryWorker::final_pass(std::unique_lock<std::mutex>& lock) {
  active_ = dispatcher_;
  auto dispatcher = active_;
  lock.unlock();
  const auto report = dispatcher->deliver_due(clock_.now());
  if (report.retrying + report.dead + report.interrupted > 0)
    log_.warn("stopping with undelivered notifications; they are kept and sent after restart",
              {{"pending", std::to_string(report.retrying + report.interrupted)}});
  lock.lock();
}

void DeliveryWorker::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    ++passes_begun_;
    active_ = dispatcher_;
    auto dispatcher = active_;
    lock.unlock();  // wake() and replace() never wait for a delivery in progress
    dispatcher->deliver_due(clock_.now());
    const auto next = dispatcher->next_due();
    dispatcher.reset();
    lock.lock();
    active_.reset();  // a dispatcher replaced during the pass (and what it owns) is freed now
    ++passes_ended_;
    done_cv_.notify_all();
    if (stopping_) break;
    lock.unlock();
    // Until the next retry is due, a cycle queues rows, or we are told to stop. A wake that came
    // during the pass ends this wait at once. Time counts whole seconds: at least one, so a row due
    // but held back (retries are limited per pass) is not polled in a busy loop.
    const Time now = clock_.now();
    const Time until = next ? std::clamp(*next, now + Duration{1}, now + Duration{60}) : now + Duration{60};
    clock_.wait_until(until, waiter_);
    lock.lock();
  }
  if (final_pass_) final_pass(lock);
  active_.reset();
  finished_ = true;
  done_cv_.notify_all();
}

}  // namespace bw::agent
