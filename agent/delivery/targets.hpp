#pragma once
// The senders behind each target type (sns, webhook, exec, eventbridge, stepfunctions) and the factory
// that builds one from a config::Target. Every sender turns one outbox row into one Delivery: Delivered,
// Retry (the dispatcher backs off and tries again) or Dead.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/delivery/sender.hpp"
#include "aws/eventbridge.hpp"
#include "aws/http.hpp"
#include "aws/process.hpp"
#include "aws/sns.hpp"
#include "aws/stepfunctions.hpp"
#include "config/config.hpp"

namespace bw::agent {

// The fields of a notification that hooks and headers need, read back from the row's payload (the
// "batchwatch" object); rule and state fall back to the row's own columns.
struct EventFields {
  std::string rule;
  std::string state;
  std::string value;  // as JSON writes the number, e.g. "1250000.0"; "" when there is none
  std::string idempotency_key;
  std::string severity;  // the rule's `severity`; "" when it has none
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by name
  // A job notification's `batchwatch.job` (has_job false otherwise): jobArn, jobName, status, outputS3Uri.
  bool has_job = false;
  std::string job_arn, job_name, job_status, job_output_uri;
};
EventFields event_fields(const OutboxRow& row);

// ---- sns ----

// Publishes the payload with the rule, state and severity as message attributes; on a FIFO topic the
// rule is the message group and the idempotency key the deduplication id. Every error: retry.
// Several rows go out with PublishBatch (10 a call, within its 256 KiB), each entry with its own
// subject and attributes; an entry SNS fails is retried on its own. A lone row goes out with Publish:
// the same permission (sns:Publish), and an answer that is all or nothing.
// The Publish request (or PublishBatch entry) of one row to `topic_arn`.
aws::PublishRequest sns_publish_request(const OutboxRow& row, const std::string& topic_arn);

class SnsSender final : public Sender {
 public:
  SnsSender(aws::SnsClient& client, std::string topic_arn) : client_(client), topic_arn_(std::move(topic_arn)) {}
  Delivery deliver(const OutboxRow& row) override;
  std::size_t batch_limit() const override { return aws::kMaxPublishBatchEntries; }
  std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) override;

 private:
  aws::SnsClient& client_;
  std::string topic_arn_;
};

// ---- webhook ----

// Lower-case hex of HMAC-SHA256(key, data): the X-Batchwatch-Signature value after "sha256=".
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// POSTs the payload as JSON. 2xx: delivered; 408, 429, 5xx, no answer: retry; any other 4xx: dead
// (the receiver rejected this request and will reject it again).
class WebhookSender final : public Sender {
 public:
  WebhookSender(config::WebhookTarget target, std::unique_ptr<aws::HttpTransport> transport);
  Delivery deliver(const OutboxRow& row) override;

 private:
  std::string redact(std::string text) const;  // never let the secret or the URL's path reach a log

  config::WebhookTarget target_;
  std::unique_ptr<aws::HttpTransport> transport_;
  std::mutex mu_;  // one transport (one curl handle) per sender
};

// ---- exec ----

// {{rule}}, {{state}}, {{value}}, {{idempotency_key}} and {{labels.NAME}} in each argument, in one pass
// (substituted text is never rescanned); an unknown placeholder stays as written, a missing label is "".
std::vector<std::string> substitute_argv(const std::vector<std::string>& argv, const EventFields& event);
// "modelId" -> "BATCHWATCH_LABEL_MODELID"; characters other than letters and digits become '_'.
std::string label_env_name(std::string_view label);
// The hook's environment: `base` ("NAME=value" entries) minus any the event sets, then the event's.
std::vector<std::string> hook_environment(const std::vector<std::string>& base, const OutboxRow& row,
                                          const EventFields& event);
// Runs the hook through aws::run_process with the event on stdin and in the environment. Exit 0:
// delivered; anything else (non-zero, signal, timeout, cannot start): retry. cancel() (from another
// thread, at shutdown) stops a running hook's process group and any later start: interrupted.
class ExecSender final : public Sender {
 public:
  ExecSender(std::vector<std::string> command, aws::ProcessOptions options)
      : command_(std::move(command)), options_(options) {}
  Delivery deliver(const OutboxRow& row) override;
  void cancel() override { cancel_.cancel(); }

 private:
  std::vector<std::string> command_;
  aws::ProcessOptions options_;
  aws::Cancellation cancel_;
};

// ---- AWS targets ----

// PutEvents with one entry: Detail is the payload. A failed entry: retry, with its ErrorCode.
class EventBridgeSender final : public Sender {
 public:
  EventBridgeSender(aws::ServiceClient& events, config::EventBridgeTarget target)
      : client_(events), target_(std::move(target)) {}
  Delivery deliver(const OutboxRow& row) override;

 private:
  aws::EventBridgeClient client_;
  config::EventBridgeTarget target_;
};

// "bw-" + the idempotency key when that is a valid name (≤ 80 of [A-Za-z0-9_-]), else "bw-" + the
// SHA-256 of the key in hex: the same notification always names the same execution.
std::string execution_name(std::string_view idempotency_key);

// StartExecution named after the idempotency key, input = payload. ExecutionAlreadyExists means an
// earlier attempt started it: delivered. Any other error: retry.
class StepFunctionsSender final : public Sender {
 public:
  StepFunctionsSender(aws::ServiceClient& states, config::StepFunctionsTarget target)
      : client_(states), target_(std::move(target)) {}
  Delivery deliver(const OutboxRow& row) override;

 private:
  aws::StepFunctionsClient client_;
  config::StepFunctionsTarget target_;
};

// ---- factory ----

// The libcurl settings of a webhook target: its `timeout` bounds the whole request, and the connect
// phase too when it is shorter than the usual connect timeout.
aws::TransportOptions webhook_transport_options(const config::WebhookTarget& target);

// What the factory needs from the daemon. The clients must outlive the senders made from them.
struct TargetClients {
  aws::ServiceClient* sns = nullptr;     // signing name "sns"; needed by sns targets
  aws::ServiceClient* events = nullptr;  // signing name "events"; needed by eventbridge targets
  aws::ServiceClient* states = nullptr;  // signing name "states"; needed by stepfunctions targets
  // The transport of one webhook target; unset: libcurl with the target's timeout.
  std::function<std::unique_ptr<aws::HttpTransport>(const config::WebhookTarget&)> webhook_transport;
  std::chrono::milliseconds exec_kill_grace{5000};
};

// The sender for `target`; nullptr with `error` set when `clients` lacks the AWS client it needs.
std::unique_ptr<Sender> make_sender(const config::Target& target, const TargetClients& clients, std::string& error);

}  // namespace bw::agent
