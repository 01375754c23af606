#pragma once
// SNS Publish and PublishBatch over the Query protocol (form-encoded request, XML response).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/service.hpp"

namespace bw::aws {

struct PublishRequest {
  std::string topic_arn;
  std::string message;
  std::string subject;                                           // optional; ASCII, <= 100 characters
  std::vector<std::pair<std::string, std::string>> attributes;   // String message attributes
  std::string message_group_id;                                  // FIFO topics only
  std::string deduplication_id;                                  // FIFO topics only
};

// The form parameters of a Publish call (pure; tested on its own).
std::vector<std::pair<std::string, std::string>> publish_params(const PublishRequest& request);

// PublishBatch: at most 10 entries a call, and at most 256 KiB of messages and attributes together.
inline constexpr std::size_t kMaxPublishBatchEntries = 10;
inline constexpr std::size_t kMaxPublishBatchBytes = 262144;

// What one entry of a PublishBatch came to: a MessageId, or the entry's own error.
struct PublishBatchEntryResult {
  std::string message_id;  // empty when the entry failed
  std::string code;        // e.g. InternalError, InvalidParameter
  std::string message;
  bool sender_fault = false;
  bool ok() const { return !message_id.empty(); }
};

// The bytes an entry counts against the 256 KiB a batch may carry: its message and its attributes'
// names, types and values (SNS's own reckoning of a message's size).
std::size_t publish_payload_size(const PublishRequest& request);
// How many entries each call takes, in order, for `entries` sent as few PublishBatch calls as the two
// limits allow (an entry too large on its own gets a call of its own, for SNS to refuse).
std::vector<std::size_t> publish_batch_sizes(const std::vector<PublishRequest>& entries);
// The form parameters of a PublishBatch call to `topic_arn` (each entry's own topic_arn is not used);
// the entries' Ids are "e1", "e2", ... in order (pure; tested on its own).
std::vector<std::pair<std::string, std::string>> publish_batch_params(const std::string& topic_arn,
                                                                      const std::vector<PublishRequest>& entries);
// One result per entry, in request order, from a PublishBatch response body; an entry the answer does
// not mention is failed ("NotInResponse"), since it cannot be claimed as delivered.
Result<std::vector<PublishBatchEntryResult>> parse_publish_batch_response(std::string_view body, std::size_t entries);

class SnsClient {
 public:
  explicit SnsClient(ServiceClient& client) : client_(client) {}
  // Returns the MessageId.
  Result<std::string> publish(const PublishRequest& request);
  // One call with at most kMaxPublishBatchEntries entries (the caller splits: publish_batch_sizes);
  // an Error when the call as a whole failed, else one result per entry.
  Result<std::vector<PublishBatchEntryResult>> publish_batch(const std::string& topic_arn,
                                                             const std::vector<PublishRequest>& entries);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
