// The sns target: a notification is one Publish, or one entry of a PublishBatch, shaped so SNS
// subscription filters can route on it.
#include "agent/delivery/targets.hpp"

#include <fmt/format.h>

namespace bw::agent {

aws::PublishRequest sns_publish_request(const OutboxRow& row, const std::string& topic_arn) {
  aws::PublishRequest req;
  req.topic_arn = topic_arn;
  req.message = row.payload;
  req.subject = row.subject;
  req.attributes = {{"rule", row.rule}, {"state", row.state}};
  // Subscription filter policies route on attributes, e.g. {"severity": ["critical"]} to the pager.
  if (auto severity = event_fields(row).severity; !severity.empty()) req.attributes.emplace_back("severity", severity);
  if (topic_arn.ends_with(".fifo")) {
    req.message_group_id = row.rule;
    req.deduplication_id = row.idempotency_key;
  }
  return req;
}

Delivery SnsSender::deliver(const OutboxRow& row) {
  auto sent = client_.publish(sns_publish_request(row, topic_arn_));
  if (sent) return {Delivery::Outcome::Delivered, sent.value()};
  // A missing topic or a denied publish will not fix itself by retrying soon, but an operator can
  // fix it: keep retrying (with backoff) rather than dropping the alert.
  return {Delivery::Outcome::Retry, sent.error().describe()};
}

std::vector<Delivery> SnsSender::deliver_batch(const std::vector<OutboxRow>& rows) {
  std::vector<aws::PublishRequest> requests;
  requests.reserve(rows.size());
  for (const auto& row : rows) requests.push_back(sns_publish_request(row, topic_arn_));
  std::vector<Delivery> out;
  out.reserve(rows.size());
  std::size_t first = 0;
  for (const std::size_t count : aws::publish_batch_sizes(requests)) {
    if (count == 1) {
      out.push_back(deliver(rows[first++]));
      continue;
    }
    const std::vector<aws::PublishRequest> entries(requests.begin() + static_cast<std::ptrdiff_t>(first),
                                                   requests.begin() + static_cast<std::ptrdiff_t>(first + count));
    first += count;
    auto sent = client_.publish_batch(topic_arn_, entries);
    for (std::size_t i = 0; i < count; ++i) {
      if (!sent) {
        out.push_back({Delivery::Outcome::Retry, sent.error().describe()});
      } else if (const auto& r = sent.value()[i]; r.ok()) {
        out.push_back({Delivery::Outcome::Delivered, r.message_id});
      } else {
        // As for Publish, every error is retried: this entry only, the others of its call are delivered.
        out.push_back({Delivery::Outcome::Retry, fmt::format("sns PublishBatch entry: {}{}: {}", r.code,
                                                             r.sender_fault ? " (sender fault)" : "", r.message)});
      }
    }
  }
  return out;
}

}  // namespace bw::agent
