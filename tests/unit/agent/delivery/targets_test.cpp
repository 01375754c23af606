// Senders: webhook against a real local HTTP server (through libcurl), eventbridge and stepfunctions
// against a scripted transport, and the factory. The exec target has its own file.
#include "agent/delivery/targets.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/unit/agent/target_rows.hpp"
#include "tests/unit/aws/fake_transport.hpp"

namespace bw::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;
using testing::kKey;
using testing::target_row;
using Outcome = Delivery::Outcome;

// A webhook receiver on 127.0.0.1, port chosen by the kernel. Answers `status`, optionally only
// after `delay` or when it is destroyed, whichever comes first, and records what it received.
class Receiver {
 public:
  Receiver() {
    server_.Post("/hooks/T0KEN", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mu_);
      requests.push_back(req);
      cv_.wait_for(lock, delay, [this] { return released_; });
      res.status = status;
      res.set_content(answer, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~Receiver() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/T0KEN"; }

  int status = 200;
  std::string answer = "ok";
  std::chrono::milliseconds delay{0};
  std::vector<httplib::Request> requests;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

std::unique_ptr<Sender> webhook(const std::string& url, const std::string& secret = "", Duration timeout = Duration{5}) {
  config::Target t{"hook", config::WebhookTarget{url, secret, timeout}};
  std::string error;
  auto sender = make_sender(t, TargetClients{}, error);  // the production transport: libcurl
  EXPECT_TRUE(sender) << error;
  return sender;
}

// Independent of the code under test: OpenSSL's HMAC over the exact body received.
std::string expected_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &n);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", mac[i]);
  return "sha256=" + hex;
}

TEST(Webhook, PostsThePayloadSignedWithTheSecret) {
  Receiver rx;
  const auto row = target_row();
  const auto d = webhook(rx.url(), "s3cret-value")->deliver(row);
  EXPECT_EQ(d.outcome, Outcome::Delivered) << d.detail;
  EXPECT_EQ(d.detail, "HTTP 200");
  ASSERT_EQ(rx.requests.size(), 1u);
  const auto& req = rx.requests[0];
  EXPECT_EQ(req.body, row.payload);
  EXPECT_EQ(req.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(req.get_header_value("X-Batchwatch-Idempotency-Key"), kKey);
  EXPECT_EQ(req.get_header_value("X-Batchwatch-Signature"), expected_signature("s3cret-value", req.body));
  // A known answer too (RFC 4231 test case 2), so a bug shared by both computations cannot hide.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Webhook, NoSecretNoSignature) {
  Receiver rx;
  rx.status = 204;
  const auto d = webhook(rx.url())->deliver(target_row());
  EXPECT_EQ(d.outcome, Outcome::Delivered) << d.detail;
  ASSERT_EQ(rx.requests.size(), 1u);
  EXPECT_FALSE(rx.requests[0].has_header("X-Batchwatch-Signature"));
  EXPECT_EQ(rx.requests[0].get_header_value("X-Batchwatch-Idempotency-Key"), kKey);
}

TEST(Webhook, StatusCodesMapToOutcomes) {
  const std::vector<std::pair<int, Outcome>> cases = {
      {200, Outcome::Delivered}, {201, Outcome::Delivered}, {202, Outcome::Delivered}, {299, Outcome::Delivered},
      {400, Outcome::Dead},      {401, Outcome::Dead},      {403, Outcome::Dead},      {404, Outcome::Dead},
      {410, Outcome::Dead},      {422, Outcome::Dead},      {408, Outcome::Retry},     {429, Outcome::Retry},
      {500, Outcome::Retry},     {502, Outcome::Retry},     {503, Outcome::Retry},     {504, Outcome::Retry},
      {301, Outcome::Retry},
  };
  Receiver rx;
  auto sender = webhook(rx.url(), "k");
  for (const auto& [status, outcome] : cases) {
    rx.status = status;
    rx.answer = "because " + std::to_string(status);
    const auto d = sender->deliver(target_row());
    EXPECT_EQ(d.outcome, outcome) << status << ": " << d.detail;
    if (status >= 400) {
      EXPECT_EQ(d.detail, fmt::format("webhook answered HTTP {}: because {}", status, status));
    }
  }
  EXPECT_EQ(rx.requests.size(), cases.size());
}

TEST(Webhook, TargetTimeoutBoundsTheRequestAndTheConnect) {
  using std::chrono::milliseconds;
  const auto slow = webhook_transport_options({"http://127.0.0.1:1/h", "", Duration{10}});
  EXPECT_EQ(slow.total_timeout, milliseconds(10000));
  EXPECT_EQ(slow.connect_timeout, milliseconds(5000));
  const auto quick = webhook_transport_options({"http://127.0.0.1:1/h", "", Duration{1}});
  EXPECT_EQ(quick.total_timeout, milliseconds(1000));
  EXPECT_EQ(quick.connect_timeout, milliseconds(1000));
}

// The target's timeout is whole seconds; the sender's libcurl transport gets a 100 ms deadline here
// so that a receiver which never answers (until the test ends) costs no real second.
TEST(Webhook, TimeoutIsARetry) {
  using std::chrono::milliseconds;
  Receiver rx;
  rx.delay = milliseconds(60000);
  const config::WebhookTarget target{rx.url(), "", Duration{1}};
  auto options = webhook_transport_options(target);
  options.total_timeout = options.connect_timeout = milliseconds(100);
  WebhookSender sender(target, aws::make_curl_transport(options));
  const auto start = std::chrono::steady_clock::now();
  const auto d = sender.deliver(target_row());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(d.outcome, Outcome::Retry);
  EXPECT_THAT(d.detail, StartsWith("webhook RequestTimeout: "));
}

TEST(Webhook, NobodyListeningIsARetry) {
  std::string url;
  {
    Receiver gone;
    url = gone.url();
  }
  const auto d = webhook(url)->deliver(target_row());
  EXPECT_EQ(d.outcome, Outcome::Retry);
  EXPECT_THAT(d.detail, StartsWith("webhook CouldNotConnect: "));
}

TEST(Webhook, DetailNeverShowsTheSecretOrTheUrlPath) {
  Receiver rx;
  rx.status = 401;
  rx.answer = "bad signature for secret s3cret-value at /hooks/T0KEN";
  const auto d = webhook(rx.url(), "s3cret-value")->deliver(target_row());
  EXPECT_EQ(d.outcome, Outcome::Dead);
  EXPECT_THAT(d.detail, Not(HasSubstr("s3cret-value")));
  EXPECT_THAT(d.detail, HasSubstr("[secret]"));

  std::string url;
  {
    Receiver gone;
    url = gone.url();
  }
  const auto refused = webhook(url, "s3cret-value")->deliver(target_row());
  EXPECT_THAT(refused.detail, Not(HasSubstr("T0KEN")));
  EXPECT_THAT(refused.detail, HasSubstr(url.substr(0, url.find("/hooks"))));

  const auto with_password = "http://user:pa55word@" + url.substr(7);
  const auto userinfo = webhook(with_password)->deliver(target_row());
  EXPECT_EQ(userinfo.outcome, Outcome::Retry);
  EXPECT_THAT(userinfo.detail, Not(HasSubstr("pa55word")));
  EXPECT_THAT(userinfo.detail, Not(HasSubstr("T0KEN")));
}

// ---- eventbridge and stepfunctions, over a scripted transport ----

TEST(EventBridgeTarget, OneEntryWithThePayloadAsDetail) {
  aws::fake::Harness h;
  h.transport.respond(200, R"({"FailedEntryCount":0,"Entries":[{"EventId":"ev-1"}]})");
  auto events = h.client("events");
  EventBridgeSender sender(events, config::EventBridgeTarget{"ops-bus", "com.example", "Alarm"});
  const auto row = target_row();
  const auto d = sender.deliver(row);
  EXPECT_EQ(d.outcome, Outcome::Delivered);
  EXPECT_EQ(d.detail, "ev-1");
  const auto body = nlohmann::json::parse(h.transport.requests.at(0).body);
  EXPECT_EQ(body, nlohmann::json({{"Entries",
                                   {{{"Source", "com.example"},
                                     {"DetailType", "Alarm"},
                                     {"Detail", row.payload},
                                     {"EventBusName", "ops-bus"}}}}}));
}

TEST(EventBridgeTarget, FailedEntryOrCallIsARetry) {
  aws::fake::Harness h;
  h.transport.respond(200, R"({"FailedEntryCount":1,"Entries":[{"ErrorCode":"InternalFailure","ErrorMessage":"x"}]})")
      .respond(400, R"({"__type":"AccessDeniedException","message":"not allowed"})");
  auto events = h.client("events");
  EventBridgeSender sender(events, config::EventBridgeTarget{});
  const auto entry = sender.deliver(target_row());
  EXPECT_EQ(entry.outcome, Outcome::Retry);
  EXPECT_EQ(entry.detail, "events PutEvents: entry failed: InternalFailure: x");
  const auto call = sender.deliver(target_row());
  EXPECT_EQ(call.outcome, Outcome::Retry);
  EXPECT_EQ(call.detail, "events PutEvents: AccessDeniedException (HTTP 400): not allowed");
}

constexpr const char* kMachine = "arn:aws:states:us-east-1:123456789012:stateMachine:start-etl";

TEST(StepFunctionsTarget, ExecutionNamedAfterTheIdempotencyKey) {
  aws::fake::Harness h;
  h.transport.respond(200, R"({"executionArn":"arn:x:execution:start-etl:bw-1","startDate":1})");
  auto states = h.client("states");
  StepFunctionsSender sender(states, config::StepFunctionsTarget{kMachine});
  const auto row = target_row();
  const auto d = sender.deliver(row);
  EXPECT_EQ(d.outcome, Outcome::Delivered);
  EXPECT_EQ(d.detail, "arn:x:execution:start-etl:bw-1");
  EXPECT_EQ(nlohmann::json::parse(h.transport.requests.at(0).body),
            nlohmann::json({{"stateMachineArn", kMachine}, {"name", std::string("bw-") + kKey}, {"input", row.payload}}));
}

TEST(StepFunctionsTarget, AlreadyExistsIsDeliveredOtherErrorsRetry) {
  aws::fake::Harness h;
  h.transport.respond(400, R"({"__type":"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists","message":"m"})")
      .respond(400, R"({"__type":"StateMachineDoesNotExist","message":"no such machine"})");
  auto states = h.client("states");
  StepFunctionsSender sender(states, config::StepFunctionsTarget{kMachine});
  const auto again = sender.deliver(target_row());
  EXPECT_EQ(again.outcome, Outcome::Delivered);
  EXPECT_EQ(again.detail, std::string("execution bw-") + kKey + " already started");
  const auto missing = sender.deliver(target_row());
  EXPECT_EQ(missing.outcome, Outcome::Retry);
  EXPECT_EQ(missing.detail, "states StartExecution: StateMachineDoesNotExist (HTTP 400): no such machine");
}

TEST(StepFunctionsTarget, ExecutionNamesAreValidAndStable) {
  EXPECT_EQ(execution_name("abc-DEF_123"), "bw-abc-DEF_123");
  for (const std::string& key : {std::string("has space"), std::string(78, 'a'), std::string(""), std::string("a/b")}) {
    const auto name = execution_name(key);
    EXPECT_EQ(name, execution_name(key));
    EXPECT_LE(name.size(), 80u) << key;
    EXPECT_THAT(name, ::testing::MatchesRegex("bw-[0-9a-f]{64}")) << key;
  }
  EXPECT_NE(execution_name("has space"), execution_name("has_space"));
  EXPECT_EQ(execution_name(std::string(77, 'a')), "bw-" + std::string(77, 'a'));  // exactly 80
}

// ---- the factory and the fields every sender reads ----

TEST(MakeSender, BuildsEachTypeAndNamesAMissingClient) {
  aws::fake::Harness h;
  auto sns = h.client("sns"), events = h.client("events"), states = h.client("states");
  TargetClients clients{&sns, &events, &states, {}, std::chrono::milliseconds(5000)};
  const std::vector<config::Target> targets = {
      {"a", config::SnsTarget{"arn:aws:sns:us-east-1:123456789012:ops"}},
      {"b", config::ExecTarget{{"/bin/true"}, Duration{5}}},
      {"c", config::WebhookTarget{"http://127.0.0.1:1/x", "", Duration{1}}},
      {"d", config::EventBridgeTarget{}},
      {"e", config::StepFunctionsTarget{kMachine}},
  };
  std::string error;
  for (const auto& t : targets) EXPECT_TRUE(make_sender(t, clients, error)) << t.name << ": " << error;
  EXPECT_TRUE(dynamic_cast<ExecSender*>(make_sender(targets[1], clients, error).get()));
  EXPECT_TRUE(dynamic_cast<EventBridgeSender*>(make_sender(targets[3], clients, error).get()));

  const TargetClients none;
  EXPECT_FALSE(make_sender(targets[4], none, error));
  EXPECT_EQ(error, "target \"e\" (stepfunctions) needs an AWS client for \"states\", and none was given");
  EXPECT_FALSE(make_sender(targets[0], none, error));
  EXPECT_FALSE(make_sender(targets[3], none, error));
}

TEST(MakeSender, WebhookTransportCanBeInjected) {
  aws::fake::Harness h;
  h.transport.respond(202, "");
  TargetClients clients;
  Duration seen{0};
  clients.webhook_transport = [&](const config::WebhookTarget& t) -> std::unique_ptr<aws::HttpTransport> {
    seen = t.timeout;
    struct Borrowed final : aws::HttpTransport {
      explicit Borrowed(aws::HttpTransport& t) : inner(t) {}
      aws::Result<aws::HttpResponse> send(const aws::HttpRequest& r) override { return inner.send(r); }
      aws::HttpTransport& inner;
    };
    return std::make_unique<Borrowed>(h.transport);
  };
  std::string error;
  auto sender = make_sender({"w", config::WebhookTarget{"https://x.example/h", "k", Duration{7}}}, clients, error);
  ASSERT_TRUE(sender) << error;
  EXPECT_EQ(sender->deliver(target_row()).outcome, Outcome::Delivered);
  EXPECT_EQ(seen, Duration{7});
  EXPECT_EQ(h.transport.requests.at(0).url, "https://x.example/h");
}

TEST(EventFieldsOfARow, ReadFromThePayload) {
  const auto f = event_fields(target_row());
  EXPECT_EQ(f.rule, "input-tokens-high");
  EXPECT_EQ(f.state, "ALARM");
  EXPECT_EQ(f.value, "1250000.0");
  EXPECT_EQ(f.idempotency_key, kKey);
  EXPECT_THAT(f.labels, ElementsAre(Pair("model-family", "claude"), Pair("modelId", testing::kModel)));

  auto row = target_row();
  row.payload = "not json";
  const auto g = event_fields(row);
  EXPECT_EQ(g.rule, "input-tokens-high");
  EXPECT_EQ(g.value, "");
  EXPECT_TRUE(g.labels.empty());
}

}  // namespace
}  // namespace bw::agent
