#pragma once
// SNS Publish over the Query protocol (form-encoded request, XML response).
#include <string>
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

class SnsClient {
 public:
  explicit SnsClient(ServiceClient& client) : client_(client) {}
  // Returns the MessageId.
  Result<std::string> publish(const PublishRequest& request);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
