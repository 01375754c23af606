#include "agent/cli/wiring.hpp"

#include <random>

#include "agent/delivery/targets.hpp"
#include "aws/credentials.hpp"
#include "aws/endpoints.hpp"

namespace bw::agent {
namespace {

// The AWS clients of the senders of one dispatcher. Senders run on the delivery thread while the poll loop
// uses the stack's clients, and an HTTP transport (one curl easy handle) must never be used by two threads at
// once (aws/http.hpp): so the senders get a transport of their own, and clients built from the stack's
// context (credentials, clock, observer, endpoints) on it, with a random source of their own too.
struct DeliveryClients {
  std::unique_ptr<aws::HttpTransport> transport;
  std::unique_ptr<aws::ServiceClient> sns, events, states;
};

// A sender that keeps the clients it was built on alive as long as it lives.
class WithClients final : public Sender {
 public:
  WithClients(std::shared_ptr<DeliveryClients> clients, std::unique_ptr<Sender> inner)
      : clients_(std::move(clients)), inner_(std::move(inner)) {}
  Delivery deliver(const OutboxRow& row) override { return inner_->deliver(row); }
  void cancel() override { inner_->cancel(); }
  std::size_t batch_limit() const override { return inner_->batch_limit(); }
  std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) override { return inner_->deliver_batch(rows); }

 private:
  std::shared_ptr<DeliveryClients> clients_;  // declared first: destroyed after inner_, which refers to it
  std::unique_ptr<Sender> inner_;
};

std::shared_ptr<DeliveryClients> delivery_clients(const AwsStack& aws) {
  auto own = std::make_shared<DeliveryClients>();
  aws::TransportOptions options;
  options.ca_bundle = aws.ca_bundle;
  own->transport = aws::make_curl_transport(options, aws::proxy_settings_from_env(aws::process_env));
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto clone = [&](const std::unique_ptr<aws::ServiceClient>& of) -> std::unique_ptr<aws::ServiceClient> {
    if (!of) return nullptr;
    aws::ServiceContext ctx = of->context();
    ctx.transport = own->transport.get();
    ctx.retry.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
    return std::make_unique<aws::ServiceClient>(ctx, of->endpoint());
  };
  own->sns = clone(aws.sns);
  own->events = clone(aws.events);
  own->states = clone(aws.states);
  return own;
}

}  // namespace

void add_senders(Dispatcher& dispatcher, const config::Config& cfg, AwsStack& aws, Logger& log) {
  const auto own = delivery_clients(aws);
  TargetClients clients;
  clients.sns = own->sns.get();
  clients.events = own->events.get();
  clients.states = own->states.get();
  for (const auto& [name, target] : cfg.targets) {
    std::string error;
    auto sender = make_sender(target, clients, error);
    if (!sender) {
      // Rows for this target stay pending (and are logged as such) rather than being dropped.
      log.error("target cannot be used; its notifications are kept", {{"target", name}, {"error", error}});
      continue;
    }
    dispatcher.add_sender(name, std::make_unique<WithClients>(own, std::move(sender)), target.max_age);
  }
}

}  // namespace bw::agent
