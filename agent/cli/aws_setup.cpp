#include "agent/cli/aws_setup.hpp"

#include <fmt/format.h>

#include <cctype>
#include <random>

#include "agent/cycle/multi_source.hpp"
#include "aws/endpoints.hpp"

namespace bw::agent {
namespace {

bool is_true(std::optional<std::string> v) {
  if (!v) return false;
  std::string s = *v;
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s == "true";
}

// Logs each clock correction, and passes everything on to the agent's observer.
class SkewLogger final : public aws::RequestObserver {
 public:
  SkewLogger(aws::RequestObserver* next, Logger* log) : next_(next), log_(log) {}
  void on_response(std::string_view service, std::string_view operation, std::string_view code) override {
    if (next_) next_->on_response(service, operation, code);
  }
  void on_retry(std::string_view service, std::string_view operation) override {
    if (next_) next_->on_retry(service, operation);
  }
  void on_clock_skew(std::string_view service, std::string_view operation, aws::Duration offset) override {
    if (log_)
      log_->warn("local clock is off: AWS rejected a request for its signing time; signing with a corrected clock",
                 {{"service", std::string(service)},
                  {"operation", std::string(operation)},
                  {"offset_seconds", std::to_string(offset.count())}});
    if (next_) next_->on_clock_skew(service, operation, offset);
  }

 private:
  aws::RequestObserver* next_;
  Logger* log_;
};

}  // namespace

std::unique_ptr<aws::CredentialsProvider> account_credentials(const AwsStack& stack, const config::Account& account) {
  aws::ProviderDeps deps = stack.provider_deps;  // STS of the base stack: region and endpoint as configured
  aws::AssumeRoleRequest request;
  request.role_arn = account.role_arn;
  request.external_id = account.external_id;
  request.role_session_name = "batchwatch";
  return aws::make_caching_provider(aws::make_assume_role_provider(deps, *stack.credentials, request),
                                    stack.context.clock);
}

namespace {

// One account's CloudWatch in one region: owns its AssumeRole credentials and clients.
class AccountCloudWatch final : public MetricSource {
 public:
  AccountCloudWatch(const AwsStack& stack, const config::AwsConfig& cfg, const config::Account& account,
                    const std::string& region) {
    credentials_ = account_credentials(stack, account);
    aws::ServiceContext ctx = stack.context;
    ctx.credentials = credentials_.get();
    client_ = std::make_unique<aws::ServiceClient>(
        ctx, aws::Endpoint{resolve_endpoint(cfg, "monitoring", region, stack.use_fips), region, "monitoring"});
    cloudwatch_ = std::make_unique<aws::CloudWatchClient>(*client_);
    source_ = std::make_unique<CloudWatchSource>(*cloudwatch_);
  }
  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time end) override {
    return source_->fetch(keys, start, end);
  }
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override {
    return source_->discover(metric);
  }

 private:
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::ServiceClient> client_;
  std::unique_ptr<aws::CloudWatchClient> cloudwatch_;
  std::unique_ptr<CloudWatchSource> source_;
};

}  // namespace

std::unique_ptr<MetricSource> make_metric_source(AwsStack& stack, const config::AwsConfig& cfg) {
  if (cfg.accounts.empty()) return std::make_unique<CloudWatchSource>(*stack.cloudwatch);
  std::vector<AccountsSource::Member> members;
  for (const auto& account : cfg.accounts) {
    const std::vector<std::string> regions =
        account.regions.empty() ? std::vector<std::string>{stack.region} : account.regions;
    for (const auto& region : regions)
      members.push_back({account.name, region, std::make_unique<AccountCloudWatch>(stack, cfg, account, region)});
  }
  return std::make_unique<AccountsSource>(std::move(members));
}

std::string resolve_region(const config::AwsConfig& aws, aws::EnvLookup env) {
  if (!aws.region.empty()) return aws.region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"})
    if (auto v = env(name); v && !v->empty()) return *v;
  if (auto r = aws::profile_setting(env, aws.profile, "region")) return *r;
  return "";
}

std::string resolve_endpoint(const config::AwsConfig& aws, const std::string& service, const std::string& region,
                             bool fips) {
  if (auto it = aws.endpoints.find(service); it != aws.endpoints.end() && !it->second.empty()) return it->second;
  if (!aws.endpoint_url.empty()) return aws.endpoint_url;
  return aws::service_endpoint_url(service, region, fips);
}

std::unique_ptr<AwsStack> make_aws_stack(const config::AwsConfig& cfg, Clock& clock, aws::RequestObserver* observer,
                                         std::string& error, Logger* log) {
  const aws::EnvLookup env = aws::process_env;
  auto stack = std::make_unique<AwsStack>();

  // TLS and transports first: IMDS may be needed for the region.
  stack->ca_bundle = cfg.ca_bundle;
  if (stack->ca_bundle.empty()) stack->ca_bundle = env("AWS_CA_BUNDLE").value_or("");
  if (stack->ca_bundle.empty()) stack->ca_bundle = aws::profile_setting(env, cfg.profile, "ca_bundle").value_or("");
  if (!stack->ca_bundle.empty()) {
    std::string why;
    if (!aws::file_readable(stack->ca_bundle, &why)) {
      error = fmt::format("CA bundle {} cannot be read: {}", stack->ca_bundle, why);
      return nullptr;
    }
  }
  aws::TransportOptions topts;
  topts.ca_bundle = stack->ca_bundle;
  const aws::ProxySettings proxies = aws::proxy_settings_from_env(env);
  stack->transport = aws::make_curl_transport(topts, proxies);
  stack->sts_transport = aws::make_curl_transport(topts, proxies);
  aws::TransportOptions metadata = topts;
  metadata.connect_timeout = std::chrono::milliseconds{1000};
  metadata.total_timeout = std::chrono::milliseconds{2000};
  stack->metadata_transport = aws::make_curl_transport(metadata, aws::ProxySettings{});

  stack->use_fips = cfg.use_fips || aws::use_fips_from_env(env) ||
                    is_true(aws::profile_setting(env, cfg.profile, "use_fips_endpoint"));
  stack->skew = std::make_shared<aws::ClockSkew>();
  stack->skew_logger = std::make_unique<SkewLogger>(observer, log);

  aws::ProviderDeps& deps = stack->provider_deps;
  deps.env = env;
  deps.clock = [&clock] { return clock.now(); };
  deps.sts_transport = stack->sts_transport.get();
  deps.metadata_transport = stack->metadata_transport.get();
  deps.use_fips = stack->use_fips;
  deps.skew = stack->skew;
  deps.observer = stack->skew_logger.get();
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  deps.retry.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  deps.retry.sleep = [&clock](std::chrono::milliseconds d) { clock.sleep_for(d); };

  stack->region = resolve_region(cfg, env);
  if (stack->region.empty()) stack->region = aws::imds_region(deps).value_or("");
  if (stack->region.empty()) {
    error = "no AWS region: set aws.region in the agent file, AWS_REGION, or region in the AWS profile";
    return nullptr;
  }
  deps.region = stack->region;
  deps.sts_endpoint_url = resolve_endpoint(cfg, "sts", stack->region, stack->use_fips);
  stack->credentials = aws::make_default_chain(deps, cfg.profile);

  aws::ServiceContext& ctx = stack->context;
  ctx.transport = stack->transport.get();
  ctx.credentials = stack->credentials.get();
  ctx.clock = [&clock] { return clock.now(); };
  ctx.retry = deps.retry;
  ctx.observer = stack->skew_logger.get();
  ctx.skew = stack->skew;  // one clock for all; the retry quota stays per client (ServiceContext::quota unset)

  auto client = [&](const std::string& service) {
    return std::make_unique<aws::ServiceClient>(
        ctx, aws::Endpoint{resolve_endpoint(cfg, service, stack->region, stack->use_fips), stack->region, service});
  };
  stack->monitoring = client("monitoring");
  stack->sns = client("sns");
  stack->events = client("events");
  stack->states = client("states");
  stack->sts = client("sts");
  stack->bedrock = client("bedrock");
  stack->cloudwatch = std::make_unique<aws::CloudWatchClient>(*stack->monitoring);
  stack->sns_client = std::make_unique<aws::SnsClient>(*stack->sns);
  stack->bedrock_client = std::make_unique<aws::BedrockClient>(*stack->bedrock);
  return stack;
}

}  // namespace bw::agent
