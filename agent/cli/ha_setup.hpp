#pragma once
// High availability (`ha:`) as `once` and `run` start it: this replica's name, the claims table made sure
// of (created with ha.create_table), and the claim store every dispatcher of the configuration claims in
// (agent/delivery/dynamo_claims.hpp). Without `ha:` none of this happens and delivery is as with one agent.
#include <string>

#include "agent/cli/aws_setup.hpp"
#include "agent/clock.hpp"
#include "agent/delivery/dispatcher.hpp"
#include "agent/log.hpp"
#include "config/config.hpp"

namespace bw::agent {

// Builds the DynamoDB client (aws.endpoints.dynamodb, else aws.endpoint_url, else the region's), makes sure
// of the table (DescribeTable; CreateTable, wait until ACTIVE, UpdateTimeToLive with
// ha.create_table) and puts the claim store in `aws.claims`, then logs "ha: replica R, table T, lease Ns".
// Returns "" when ready (or without `ha:`), else what went wrong, naming the table, region and endpoint.
std::string start_ha(const config::Config& config, AwsStack& aws, Clock& clock, Logger& log);

// With `ha:` (after start_ha), the dispatcher claims each due row before it sends it.
void use_claims(Dispatcher& dispatcher, const config::Config& config, AwsStack& aws);

}  // namespace bw::agent
