// The job source of the AWS stack (aws_setup.hpp, make_job_source): Bedrock's control plane, per
// account and region when aws.accounts names several.
#include <memory>
#include <string>
#include <vector>

#include "agent/cli/aws_setup.hpp"

namespace bw::agent {
namespace {

// One account's Bedrock in one region: owns its AssumeRole credentials and clients.
class AccountBedrock final : public JobSource {
 public:
  AccountBedrock(const AwsStack& stack, const config::AwsConfig& cfg, const config::Account& account,
                 const std::string& region)
      : credentials_(account_credentials(stack, account)) {
    aws::ServiceContext ctx = stack.context;
    ctx.credentials = credentials_.get();
    client_ = std::make_unique<aws::ServiceClient>(
        ctx, aws::Endpoint{resolve_endpoint(cfg, "bedrock", region, stack.use_fips), region, "bedrock"});
    bedrock_ = std::make_unique<aws::BedrockClient>(*client_);
    source_ = std::make_unique<BedrockJobSource>(*bedrock_, JobScope{account.name, region});
  }
  std::vector<JobListing> list_jobs(Time submitted_after) override { return source_->list_jobs(submitted_after); }

 private:
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::ServiceClient> client_;
  std::unique_ptr<aws::BedrockClient> bedrock_;
  std::unique_ptr<BedrockJobSource> source_;
};

}  // namespace

std::unique_ptr<JobSource> make_job_source(AwsStack& stack, const config::AwsConfig& cfg) {
  if (cfg.accounts.empty()) return std::make_unique<BedrockJobSource>(*stack.bedrock_client, JobScope{});
  std::vector<std::unique_ptr<JobSource>> members;
  for (const auto& account : cfg.accounts) {
    const std::vector<std::string> regions =
        account.regions.empty() ? std::vector<std::string>{stack.region} : account.regions;
    for (const auto& region : regions) members.push_back(std::make_unique<AccountBedrock>(stack, cfg, account, region));
  }
  return std::make_unique<AccountsJobSource>(std::move(members));
}

}  // namespace bw::agent
