#pragma once
// Builds the AWS side from the agent file: region, credentials, endpoints, service clients.
#include <memory>
#include <string>

#include "agent/clock.hpp"
#include "aws/cloudwatch.hpp"
#include "aws/sns.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct AwsStack {
  std::string region;
  std::unique_ptr<aws::HttpTransport> transport;
  std::unique_ptr<aws::CredentialsProvider> credentials;
  std::unique_ptr<aws::ServiceClient> monitoring;
  std::unique_ptr<aws::ServiceClient> sns;
  std::unique_ptr<aws::CloudWatchClient> cloudwatch;
  std::unique_ptr<aws::SnsClient> sns_client;
};

// aws.region, else AWS_REGION, else AWS_DEFAULT_REGION; "" when none is set.
std::string resolve_region(const config::AwsConfig& aws, aws::EnvLookup env);
// aws.endpoints[service], else aws.endpoint_url, else the public endpoint.
std::string resolve_endpoint(const config::AwsConfig& aws, const std::string& service, const std::string& region);

std::unique_ptr<AwsStack> make_aws_stack(const config::AwsConfig& aws, Clock& clock, aws::RequestObserver* observer,
                                         std::string& error);

}  // namespace bw::agent
