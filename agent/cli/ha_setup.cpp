#include "agent/cli/ha_setup.hpp"

#include <fmt/format.h>

#include "agent/cli/heartbeat.hpp"
#include "agent/delivery/dynamo_claims.hpp"

namespace bw::agent {

std::string start_ha(const config::Config& config, AwsStack& aws, Clock& clock, Logger& log) {
  if (!config.ha) return "";
  const auto& ha = *config.ha;
  // Only with `ha:`: a single agent builds no DynamoDB client. Signed, retried and counted like the others.
  aws.dynamodb = std::make_unique<aws::ServiceClient>(
      aws.context, aws::Endpoint{resolve_endpoint(config.aws, "dynamodb", aws.region, aws.use_fips), aws.region,
                                 "dynamodb"});
  aws.dynamodb_client = std::make_unique<aws::DynamoDbClient>(*aws.dynamodb);
  auto ready = ensure_claims_table(*aws.dynamodb_client, TableSetup{ha.dynamodb_table, ha.create_table},
                                   [&clock](Duration d) { clock.sleep_for(d); });
  if (!ready) return ready.error().describe();
  aws.claims = std::make_unique<DynamoClaimStore>(*aws.dynamodb_client, ha.dynamodb_table);
  log.info(fmt::format("ha: replica {}, table {}, lease {}s", replica_name(config), ha.dynamodb_table,
                       ha.lease.count()),
           {{"endpoint", aws.dynamodb->endpoint().url}});
  return "";
}

void use_claims(Dispatcher& dispatcher, const config::Config& config, AwsStack& aws) {
  if (config.ha && aws.claims) dispatcher.set_claims(*aws.claims, replica_name(config), config.ha->lease);
}

}  // namespace bw::agent
