#include "agent/delivery/targets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <variant>

#include "aws/crypto.hpp"

namespace bw::agent {
namespace {

// A short, single-line excerpt of a response body for the log.
std::string excerpt(std::string_view body, std::size_t limit = 200) {
  std::string out;
  for (const char c : body.substr(0, limit)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (body.size() > limit) out += "...";
  return out;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

// scheme://host[:port]: webhook paths often carry a token (Slack, Teams) and user:password@ is a
// credential, so logs show only the host.
std::string url_origin(const std::string& url) {
  const auto parts = aws::split_url(url);
  const auto at = parts.host.rfind('@');
  return parts.scheme + "://" + (at == std::string::npos ? parts.host : parts.host.substr(at + 1));
}

}  // namespace

EventFields event_fields(const OutboxRow& row) {
  EventFields f;
  f.rule = row.rule;
  f.state = row.state;
  f.idempotency_key = row.idempotency_key;
  const auto payload = nlohmann::json::parse(row.payload, nullptr, false);
  if (!payload.is_object()) return f;
  const auto bw = payload.find("batchwatch");
  if (bw == payload.end() || !bw->is_object()) return f;
  if (auto v = bw->find("value"); v != bw->end() && v->is_number()) f.value = v->dump();
  if (auto s = bw->find("severity"); s != bw->end() && s->is_string()) f.severity = s->get<std::string>();
  if (auto labels = bw->find("labels"); labels != bw->end() && labels->is_object())
    for (const auto& [name, value] : labels->items())
      f.labels.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
  std::sort(f.labels.begin(), f.labels.end());
  if (auto job = bw->find("job"); job != bw->end() && job->is_object()) {
    const auto text = [&](const char* field) {
      const auto v = job->find(field);
      return v != job->end() && v->is_string() ? v->get<std::string>() : std::string();
    };
    f.has_job = true;
    f.job_arn = text("jobArn");
    f.job_name = text("jobName");
    f.job_status = text("status");
    f.job_output_uri = text("outputS3Uri");
  }
  return f;
}

// ---- webhook ----

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return aws::crypto::hex(aws::crypto::hmac_sha256(key, data));
}

WebhookSender::WebhookSender(config::WebhookTarget target, std::unique_ptr<aws::HttpTransport> transport)
    : target_(std::move(target)), transport_(std::move(transport)) {}

std::string WebhookSender::redact(std::string text) const {
  replace_all(text, target_.url, url_origin(target_.url));
  // The secret itself is never sent (only its HMAC), so it can only come back in a body written by
  // someone who has it; masking very short secrets would mangle ordinary words instead.
  constexpr std::size_t kMaskableSecret = 8;
  if (target_.secret.size() >= kMaskableSecret) replace_all(text, target_.secret, "[secret]");
  return text;
}

Delivery WebhookSender::deliver(const OutboxRow& row) {
  aws::HttpRequest req;
  req.method = "POST";
  req.url = target_.url;
  req.body = row.payload;  // exactly the bytes signed
  req.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "batchwatch"},
                 {"X-Batchwatch-Idempotency-Key", row.idempotency_key}};
  if (!target_.secret.empty())
    req.headers.emplace_back("X-Batchwatch-Signature", "sha256=" + hmac_sha256_hex(target_.secret, req.body));

  std::lock_guard lock(mu_);
  const auto sent = transport_->send(req);
  if (!sent) {
    const auto& e = sent.error();
    return {Delivery::Outcome::Retry, redact(fmt::format("webhook {}: {}", e.code, e.message))};
  }
  const long status = sent->status;
  if (status >= 200 && status < 300) return {Delivery::Outcome::Delivered, fmt::format("HTTP {}", status)};
  std::string detail = fmt::format("webhook answered HTTP {}", status);
  if (status >= 300 && status < 400) {
    // Redirects are not followed: the signature covers one URL, and a POST must not turn into a GET.
    detail += " (redirects are not followed; point the target at the final URL)";
  } else if (!sent->body.empty()) {
    detail += ": " + excerpt(sent->body);
  }
  const bool permanent = status >= 400 && status < 500 && status != 408 && status != 429;
  return {permanent ? Delivery::Outcome::Dead : Delivery::Outcome::Retry, redact(std::move(detail))};
}

// ---- eventbridge ----

Delivery EventBridgeSender::deliver(const OutboxRow& row) {
  aws::PutEventsEntry entry;
  entry.source = target_.source;
  entry.detail_type = target_.detail_type;
  entry.detail = row.payload;
  entry.event_bus_name = target_.event_bus;
  auto put = client_.put_events({entry});
  if (!put) return {Delivery::Outcome::Retry, put.error().describe()};
  const auto& result = put->entries.front();
  if (!result.ok())
    return {Delivery::Outcome::Retry,
            fmt::format("events PutEvents: entry failed: {}{}{}", result.error_code,
                        result.error_message.empty() ? "" : ": ", result.error_message)};
  return {Delivery::Outcome::Delivered, result.event_id};
}

// ---- stepfunctions ----

std::string execution_name(std::string_view key) {
  constexpr std::size_t kMaxName = 80;
  const bool usable = !key.empty() && key.size() + 3 <= kMaxName && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (usable) return "bw-" + std::string(key);
  return "bw-" + aws::crypto::sha256_hex(key);
}

Delivery StepFunctionsSender::deliver(const OutboxRow& row) {
  aws::StartExecutionRequest req;
  req.state_machine_arn = target_.state_machine_arn;
  req.name = execution_name(row.idempotency_key);
  req.input = row.payload;
  auto started = client_.start_execution(req);
  if (started) return {Delivery::Outcome::Delivered, started->execution_arn};
  const auto& e = started.error();
  // The name is this notification's: an earlier attempt started the execution and only its answer
  // was lost. Starting another would run the work twice.
  if (e.code == "ExecutionAlreadyExists")
    return {Delivery::Outcome::Delivered, fmt::format("execution {} already started", req.name)};
  return {Delivery::Outcome::Retry, e.describe()};
}

// ---- factory ----

namespace {

// SnsSender borrows its client; a sender built by the factory owns it.
class OwningSnsSender final : public Sender {
 public:
  OwningSnsSender(aws::ServiceClient& sns, std::string topic_arn) : client_(sns), sender_(client_, std::move(topic_arn)) {}
  Delivery deliver(const OutboxRow& row) override { return sender_.deliver(row); }
  std::size_t batch_limit() const override { return sender_.batch_limit(); }
  std::vector<Delivery> deliver_batch(const std::vector<OutboxRow>& rows) override { return sender_.deliver_batch(rows); }

 private:
  aws::SnsClient client_;
  SnsSender sender_;
};

}  // namespace

aws::TransportOptions webhook_transport_options(const config::WebhookTarget& target) {
  aws::TransportOptions options;
  options.total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(target.timeout);
  options.connect_timeout = std::min(options.connect_timeout, options.total_timeout);
  return options;
}

std::unique_ptr<Sender> make_sender(const config::Target& target, const TargetClients& clients, std::string& error) {
  auto missing = [&](const char* service) {
    error = fmt::format("target \"{}\" ({}) needs an AWS client for \"{}\", and none was given", target.name,
                        target.type(), service);
    return nullptr;
  };
  return std::visit(
      [&](const auto& spec) -> std::unique_ptr<Sender> {
        using T = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<T, config::SnsTarget>) {
          if (!clients.sns) return missing("sns");
          return std::make_unique<OwningSnsSender>(*clients.sns, spec.topic_arn);
        } else if constexpr (std::is_same_v<T, config::ExecTarget>) {
          aws::ProcessOptions options;
          options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
          options.kill_grace = clients.exec_kill_grace;
          return std::make_unique<ExecSender>(spec.command, options);
        } else if constexpr (std::is_same_v<T, config::WebhookTarget>) {
          auto transport = clients.webhook_transport ? clients.webhook_transport(spec)
                                                    : aws::make_curl_transport(webhook_transport_options(spec));
          return std::make_unique<WebhookSender>(spec, std::move(transport));
        } else if constexpr (std::is_same_v<T, config::EventBridgeTarget>) {
          if (!clients.events) return missing("events");
          return std::make_unique<EventBridgeSender>(*clients.events, spec);
        } else {
          static_assert(std::is_same_v<T, config::StepFunctionsTarget>);
          if (!clients.states) return missing("states");
          return std::make_unique<StepFunctionsSender>(*clients.states, spec);
        }
      },
      target.spec);
}

}  // namespace bw::agent
