// The sns target: one Publish per notification, shaped so SNS subscription filters can route on it.
#include "agent/delivery/targets.hpp"

namespace bw::agent {

Delivery SnsSender::deliver(const OutboxRow& row) {
  aws::PublishRequest req;
  req.topic_arn = topic_arn_;
  req.message = row.payload;
  req.subject = row.subject;
  req.attributes = {{"rule", row.rule}, {"state", row.state}};
  // Subscription filter policies route on attributes, e.g. {"severity": ["critical"]} to the pager.
  if (auto severity = event_fields(row).severity; !severity.empty()) req.attributes.emplace_back("severity", severity);
  if (topic_arn_.ends_with(".fifo")) {
    req.message_group_id = row.rule;
    req.deduplication_id = row.idempotency_key;
  }
  auto sent = client_.publish(req);
  if (sent) return {Delivery::Outcome::Delivered, sent.value()};
  const auto& e = sent.error();
  // A missing topic or a denied publish will not fix itself by retrying soon, but an operator can
  // fix it: keep retrying (with backoff) rather than dropping the alert.
  return {Delivery::Outcome::Retry, e.describe()};
}

}  // namespace bw::agent
