#pragma once
// Assembles the pieces both `once` and `run` use: the senders for every configured target.
#include "agent/cli/aws_setup.hpp"
#include "agent/delivery/dispatcher.hpp"
#include "config/config.hpp"

namespace bw::agent {

// One sender per target of the config, each with its max_age.
void add_senders(Dispatcher& dispatcher, const config::Config& config, AwsStack& aws, Logger& log);

}  // namespace bw::agent
