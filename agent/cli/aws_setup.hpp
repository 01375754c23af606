#pragma once
// Builds the AWS side from the agent file: region, credentials, endpoints, service clients.
//
//   region       aws.region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`, else IMDS
//   endpoints    aws.endpoints[service], else aws.endpoint_url, else the public endpoint of the region
//                (FIPS with AWS_USE_FIPS_ENDPOINT=true, the profile's use_fips_endpoint, or aws.use_fips)
//   credentials  the SDK default chain (aws/credentials_chain.hpp) for aws.profile / AWS_PROFILE, cached
//   TLS          peer verification always; CA bundle from aws.ca_bundle, AWS_CA_BUNDLE or the profile's ca_bundle
//   proxies      HTTPS_PROXY / HTTP_PROXY / NO_PROXY (aws/endpoints.hpp), never for ECS/IMDS
//   retries      SDK standard mode (3 attempts, 1 s base, 20 s cap, full jitter); one retry quota per client
//   clock skew   one offset shared by every client and STS; each correction is logged (warn) when a Logger is
//                given, and passed to the observer's on_clock_skew
#include <memory>
#include <string>

#include "agent/clock.hpp"
#include "agent/log.hpp"
#include "agent/cycle/job_source.hpp"
#include "agent/cycle/metric_source.hpp"
#include "agent/delivery/claims.hpp"
#include "aws/bedrock.hpp"
#include "aws/cloudwatch.hpp"
#include "aws/credentials_chain.hpp"
#include "aws/dynamodb.hpp"
#include "aws/sns.hpp"
#include "config/config.hpp"

namespace bw::agent {

struct AwsStack {
  std::string region;
  bool use_fips = false;
  std::string ca_bundle;
  std::unique_ptr<aws::HttpTransport> transport;           // service calls
  std::unique_ptr<aws::HttpTransport> sts_transport;       // STS calls of the credential providers
  std::unique_ptr<aws::HttpTransport> metadata_transport;  // ECS and IMDS: 1 s connect, 2 s total, no proxy
  std::shared_ptr<aws::ClockSkew> skew;
  std::unique_ptr<aws::RequestObserver> skew_logger;       // forwards to the caller's observer
  aws::ProviderDeps provider_deps;                         // to build more providers (per-account roles)
  std::unique_ptr<aws::CredentialsProvider> credentials;
  aws::ServiceContext context;                             // what every client below was built from
  std::unique_ptr<aws::ServiceClient> monitoring;
  std::unique_ptr<aws::ServiceClient> sns;
  std::unique_ptr<aws::ServiceClient> events;  // EventBridge
  std::unique_ptr<aws::ServiceClient> states;  // Step Functions
  std::unique_ptr<aws::ServiceClient> sts;
  std::unique_ptr<aws::ServiceClient> bedrock;  // the control plane: batch inference jobs
  std::unique_ptr<aws::ServiceClient> dynamodb;  // ha: the claims table (built by start_ha, ha_setup.hpp)
  std::unique_ptr<aws::CloudWatchClient> cloudwatch;
  std::unique_ptr<aws::SnsClient> sns_client;
  std::unique_ptr<aws::BedrockClient> bedrock_client;
  std::unique_ptr<aws::DynamoDbClient> dynamodb_client;  // ha:
  std::unique_ptr<ClaimStore> claims;  // ha:, once start_ha has made sure of the table
};

// aws.region, else AWS_REGION, else AWS_DEFAULT_REGION, else the active profile's region; "" when none is set.
// (make_aws_stack then asks IMDS.)
std::string resolve_region(const config::AwsConfig& aws, aws::EnvLookup env);
// aws.endpoints[service], else aws.endpoint_url, else the public endpoint (FIPS when `fips`).
std::string resolve_endpoint(const config::AwsConfig& aws, const std::string& service, const std::string& region,
                             bool fips = false);

// Where the rules' datapoints come from: the stack's CloudWatch when aws.accounts is empty; else an
// AccountsSource (agent/multi_source.hpp) with, per account and region (the account's regions, else the
// stack's), a CloudWatch client signed with credentials from STS AssumeRole (role_arn, external_id, session
// name "batchwatch") on top of the stack's credentials, cached. Endpoints resolve as for the stack
// (aws.endpoint_url / aws.endpoints apply to every account). The source refers to `stack`: keep it alive.
std::unique_ptr<MetricSource> make_metric_source(AwsStack& stack, const config::AwsConfig& aws);

// Credentials of one of aws.accounts: STS AssumeRole of its role_arn (external_id, session name
// "batchwatch") on top of the stack's credentials, cached. Refers to `stack`: keep it alive.
std::unique_ptr<aws::CredentialsProvider> account_credentials(const AwsStack& stack, const config::Account& account);

// Where the job view comes from (jobs.enabled): the stack's Bedrock when aws.accounts is empty (one
// scope, no account/region labels); else one Bedrock client per account and region, signed with
// account_credentials. Refers to `stack`: keep it alive. (job_setup.cpp)
std::unique_ptr<JobSource> make_job_source(AwsStack& stack, const config::AwsConfig& aws);

std::unique_ptr<AwsStack> make_aws_stack(const config::AwsConfig& aws, Clock& clock, aws::RequestObserver* observer,
                                         std::string& error, Logger* log = nullptr);

}  // namespace bw::agent
