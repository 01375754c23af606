#include "agent/delivery/delivery_worker.hpp"

#include <chrono>

namespace bw::agent {

void DeliveryWorker::start(std::unique_ptr<StateStore> store, std::function<std::unique_ptr<Dispatcher>(StateStore&)> make) {
  store_ = std::move(store);
  dispatcher_ = make(*store_);
  thread_ = std::thread([this] { loop(); });
}

void DeliveryWorker::replace(std::function<std::unique_ptr<Dispatcher>(StateStore&)> make) {
  std::lock_guard lock(mu_);
  dispatcher_ = make(*store_);
  woken_ = true;
  cv_.notify_all();
}

void DeliveryWorker::wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

void DeliveryWorker::stop(Duration grace) {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  final_pass_ = grace > Duration{0};
  cv_.notify_all();
  if (!cv_.wait_for(lock, grace, [&] { return finished_; })) {
    if (active_) log_.warn("grace period over: stopping the deliveries in progress; they stay owed",
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
    woken_ = false;
    active_ = dispatcher_;
    auto dispatcher = active_;
    lock.unlock();  // wake() and replace() must never wait for a delivery in progress
    dispatcher->deliver_due(clock_.now());
    const auto next = dispatcher->next_due();
    lock.lock();
    active_.reset();
    if (woken_ || stopping_) continue;
    // Sleep until the next retry is due, a cycle queues rows, or we are told to stop.
    const auto now = std::chrono::system_clock::now();
    auto until = now + std::chrono::seconds(60);
    if (next) until = std::min(until, std::chrono::system_clock::time_point(*next));
    cv_.wait_until(lock, std::max(until, now + std::chrono::milliseconds(200)), [&] { return woken_ || stopping_; });
  }
  if (final_pass_) final_pass(lock);
  active_.reset();
  finished_ = true;
  cv_.notify_all();
}

}  // namespace bw::agent
