#include "aws/sns.hpp"

#include <pugixml.hpp>

#include <optional>
#include <string>

namespace bw::aws {
namespace {

// An entry's fields after `prefix` ("" for Publish, "PublishBatchRequestEntries.member.N." for a batch).
void append_entry_params(std::vector<std::pair<std::string, std::string>>& p, const std::string& prefix,
                         const PublishRequest& r) {
  p.emplace_back(prefix + "Message", r.message);
  if (!r.subject.empty()) p.emplace_back(prefix + "Subject", r.subject);
  int n = 0;
  for (const auto& [name, value] : r.attributes) {
    const std::string attr = prefix + "MessageAttributes.entry." + std::to_string(++n) + ".";
    p.emplace_back(attr + "Name", name);
    p.emplace_back(attr + "Value.DataType", "String");
    p.emplace_back(attr + "Value.StringValue", value);
  }
  if (!r.message_group_id.empty()) p.emplace_back(prefix + "MessageGroupId", r.message_group_id);
  if (!r.deduplication_id.empty()) p.emplace_back(prefix + "MessageDeduplicationId", r.deduplication_id);
}

Result<pugi::xml_document> parse_xml(std::string_view operation, std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size()))
    return malformed_response("sns", operation, "response is not XML: " + std::string(body.substr(0, 200)));
  return doc;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> publish_params(const PublishRequest& r) {
  std::vector<std::pair<std::string, std::string>> p{{"TopicArn", r.topic_arn}};
  append_entry_params(p, "", r);
  return p;
}

std::size_t publish_payload_size(const PublishRequest& r) {
  std::size_t n = r.message.size();
  for (const auto& [name, value] : r.attributes) n += name.size() + std::string_view("String").size() + value.size();
  return n;
}

std::vector<std::size_t> publish_batch_sizes(const std::vector<PublishRequest>& entries) {
  std::vector<std::size_t> sizes;
  std::size_t count = 0, bytes = 0;
  for (const auto& e : entries) {
    const std::size_t size = publish_payload_size(e);
    if (count > 0 && (count == kMaxPublishBatchEntries || bytes + size > kMaxPublishBatchBytes)) {
      sizes.push_back(count);
      count = bytes = 0;
    }
    ++count;
    bytes += size;
  }
  if (count > 0) sizes.push_back(count);
  return sizes;
}

std::vector<std::pair<std::string, std::string>> publish_batch_params(const std::string& topic_arn,
                                                                      const std::vector<PublishRequest>& entries) {
  std::vector<std::pair<std::string, std::string>> p{{"TopicArn", topic_arn}};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string prefix = "PublishBatchRequestEntries.member." + std::to_string(i + 1) + ".";
    p.emplace_back(prefix + "Id", "e" + std::to_string(i + 1));
    append_entry_params(p, prefix, entries[i]);
  }
  return p;
}

Result<std::vector<PublishBatchEntryResult>> parse_publish_batch_response(std::string_view body, std::size_t entries) {
  auto doc = parse_xml("PublishBatch", body);
  if (!doc) return doc.error();
  const auto result = doc->child("PublishBatchResponse").child("PublishBatchResult");
  if (!result)
    return malformed_response("sns", "PublishBatch",
                              "answer without a PublishBatchResult: " + std::string(body.substr(0, 200)));
  // "e7" -> 6; anything else is not one of ours and is ignored.
  auto index_of = [entries](std::string_view id) -> std::optional<std::size_t> {
    if (id.size() < 2 || id[0] != 'e') return std::nullopt;
    std::size_t n = 0;
    for (const char c : id.substr(1)) {
      if (c < '0' || c > '9' || n > entries) return std::nullopt;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n == 0 || n > entries) return std::nullopt;
    return n - 1;
  };
  std::vector<PublishBatchEntryResult> out(entries, PublishBatchEntryResult{"", "NotInResponse",
                                                                            "PublishBatch answered without this entry", false});
  for (const auto& m : result.child("Successful").children("member"))
    if (auto i = index_of(m.child_value("Id")); i && *m.child_value("MessageId"))
      out[*i] = PublishBatchEntryResult{m.child_value("MessageId"), "", "", false};
  for (const auto& m : result.child("Failed").children("member"))
    if (auto i = index_of(m.child_value("Id")))
      out[*i] = PublishBatchEntryResult{"", m.child_value("Code"), m.child_value("Message"),
                                        std::string_view(m.child_value("SenderFault")) == "true"};
  return out;
}

Result<std::string> SnsClient::publish(const PublishRequest& request) {
  auto body = client_.call_query("Publish", "2010-03-31", publish_params(request));
  if (!body) return body.error();
  auto doc = parse_xml("Publish", body.value());
  if (!doc) return doc.error();
  std::string id = doc->child("PublishResponse").child("PublishResult").child_value("MessageId");
  if (id.empty()) {
    // Without a MessageId we cannot claim delivery: treat it as a failure so the outbox retries.
    return malformed_response("sns", "Publish", "Publish answered without a MessageId: " + body->substr(0, 200));
  }
  return id;
}

Result<std::vector<PublishBatchEntryResult>> SnsClient::publish_batch(const std::string& topic_arn,
                                                                      const std::vector<PublishRequest>& entries) {
  auto body = client_.call_query("PublishBatch", "2010-03-31", publish_batch_params(topic_arn, entries));
  if (!body) return body.error();
  return parse_publish_batch_response(body.value(), entries.size());
}

}  // namespace bw::aws
