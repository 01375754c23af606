#include "aws/sns.hpp"

#include <pugixml.hpp>

#include <string>

namespace bw::aws {

std::vector<std::pair<std::string, std::string>> publish_params(const PublishRequest& r) {
  std::vector<std::pair<std::string, std::string>> p{{"TopicArn", r.topic_arn}, {"Message", r.message}};
  if (!r.subject.empty()) p.emplace_back("Subject", r.subject);
  int n = 0;
  for (const auto& [name, value] : r.attributes) {
    const std::string prefix = "MessageAttributes.entry." + std::to_string(++n) + ".";
    p.emplace_back(prefix + "Name", name);
    p.emplace_back(prefix + "Value.DataType", "String");
    p.emplace_back(prefix + "Value.StringValue", value);
  }
  if (!r.message_group_id.empty()) p.emplace_back("MessageGroupId", r.message_group_id);
  if (!r.deduplication_id.empty()) p.emplace_back("MessageDeduplicationId", r.deduplication_id);
  return p;
}

Result<std::string> SnsClient::publish(const PublishRequest& request) {
  auto body = client_.call_query("Publish", "2010-03-31", publish_params(request));
  if (!body) return body.error();
  pugi::xml_document doc;
  if (!doc.load_buffer(body->data(), body->size())) {
    return malformed_response("sns", "Publish", "response is not XML: " + body->substr(0, 200));
  }
  std::string id = doc.child("PublishResponse").child("PublishResult").child_value("MessageId");
  if (id.empty()) {
    // Without a MessageId we cannot claim delivery: treat it as a failure so the outbox retries.
    return malformed_response("sns", "Publish", "Publish answered without a MessageId: " + body->substr(0, 200));
  }
  return id;
}

}  // namespace bw::aws
