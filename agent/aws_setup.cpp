#include "agent/aws_setup.hpp"

#include <random>

namespace bw::agent {

std::string resolve_region(const config::AwsConfig& aws, aws::EnvLookup env) {
  if (!aws.region.empty()) return aws.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (auto v = env(name); v && !v->empty()) return *v;
  return "";
}

std::string resolve_endpoint(const config::AwsConfig& aws, const std::string& service, const std::string& region) {
  if (auto it = aws.endpoints.find(service); it != aws.endpoints.end() && !it->second.empty()) return it->second;
  if (!aws.endpoint_url.empty()) return aws.endpoint_url;
  return aws::default_endpoint_url(service, region);
}

std::unique_ptr<AwsStack> make_aws_stack(const config::AwsConfig& cfg, Clock& clock, aws::RequestObserver* observer,
                                         std::string& error) {
  auto stack = std::make_unique<AwsStack>();
  stack->region = resolve_region(cfg, aws::process_env);
  if (stack->region.empty()) {
    error = "no AWS region: set aws.region in the agent file, or AWS_REGION";
    return nullptr;
  }
  aws::TransportOptions topts;
  if (auto ca = aws::process_env("AWS_CA_BUNDLE")) topts.ca_bundle = *ca;
  stack->transport = aws::make_curl_transport(topts);
  std::vector<std::unique_ptr<aws::CredentialsProvider>> chain;
  chain.push_back(aws::make_environment_provider());
  stack->credentials = aws::make_chain(std::move(chain));

  aws::ServiceContext ctx;
  ctx.transport = stack->transport.get();
  ctx.credentials = stack->credentials.get();
  ctx.clock = [&clock] { return clock.now(); };
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  ctx.retry.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  ctx.retry.sleep = [&clock](std::chrono::milliseconds d) { clock.sleep_for(d); };
  ctx.observer = observer;

  auto endpoint = [&](const std::string& service) {
    return aws::Endpoint{resolve_endpoint(cfg, service, stack->region), stack->region, service};
  };
  stack->monitoring = std::make_unique<aws::ServiceClient>(ctx, endpoint("monitoring"));
  stack->sns = std::make_unique<aws::ServiceClient>(ctx, endpoint("sns"));
  stack->cloudwatch = std::make_unique<aws::CloudWatchClient>(*stack->monitoring);
  stack->sns_client = std::make_unique<aws::SnsClient>(*stack->sns);
  return stack;
}

}  // namespace bw::agent
