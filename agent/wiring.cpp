#include "agent/wiring.hpp"

#include "agent/targets.hpp"

namespace bw::agent {

void add_senders(Dispatcher& dispatcher, const config::Config& cfg, AwsStack& aws, Logger& log) {
  TargetClients clients;
  clients.sns = aws.sns.get();
  clients.events = aws.events.get();
  clients.states = aws.states.get();
  for (const auto& [name, target] : cfg.targets) {
    std::string error;
    auto sender = make_sender(target, clients, error);
    if (!sender) {
      // Rows for this target stay pending (and are logged as such) rather than being dropped.
      log.error("target cannot be used; its notifications are kept", {{"target", name}, {"error", error}});
      continue;
    }
    dispatcher.add_sender(name, std::move(sender), target.max_age);
  }
}

}  // namespace bw::agent
