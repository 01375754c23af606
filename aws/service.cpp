#include "aws/service.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "aws/endpoints.hpp"
#include "aws/sigv4.hpp"

namespace bw::aws {

std::string default_endpoint_url(std::string_view service, std::string_view region) {
  return service_endpoint_url(service, region, false);
}

std::chrono::milliseconds RetryPolicy::delay(int attempt) const {
  const auto exp = base.count() * (std::int64_t{1} << std::min(attempt, 30));
  const auto ceiling = std::min<std::int64_t>(exp, cap.count());
  const double r = random ? random() : 0.5;
  return std::chrono::milliseconds{static_cast<std::int64_t>(r * static_cast<double>(ceiling))};
}

namespace {

std::string_view after_last(std::string_view s, char c) {
  auto pos = s.rfind(c);
  return pos == std::string_view::npos ? s : s.substr(pos + 1);
}

}  // namespace

Error parse_error(std::string_view service, std::string_view operation, const HttpResponse& response) {
  Error e;
  e.kind = Error::Kind::Api;
  e.service = service;
  e.operation = operation;
  e.http_status = response.status;
  if (auto q = response.header("x-amzn-query-error"); !q.empty()) e.code = q.substr(0, q.find(';'));
  // Some JSON services name the error only in a header: "ThrottlingException:http://internal.amazon.com/...".
  if (auto t = response.header("x-amzn-errortype"); e.code.empty() && !t.empty()) e.code = t.substr(0, t.find(':'));
  const auto body = std::string_view(response.body);
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '{') {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object()) {
      e.json_body = body;
      std::string type;
      if (auto it = j.find("__type"); it != j.end() && it->is_string()) type = it->get<std::string>();
      else if (auto c = j.find("code"); c != j.end() && c->is_string()) type = c->get<std::string>();
      // "com.amazonaws.cloudwatch#InvalidParameterValue" or "InvalidParameterValue:http://..."
      std::string_view t = after_last(type, '#');
      t = t.substr(0, t.find(':'));
      if (e.code.empty()) e.code = t;
      for (const char* key : {"message", "Message", "errorMessage"})
        if (auto m = j.find(key); m != j.end() && m->is_string()) { e.message = m->get<std::string>(); break; }
    }
  } else if (first != std::string_view::npos && body[first] == '<') {
    pugi::xml_document doc;
    if (doc.load_buffer(body.data(), body.size())) {
      auto err = doc.select_node("//Error").node();
      if (err) {
        if (e.code.empty()) e.code = err.child_value("Code");
        e.message = err.child_value("Message");
      }
    }
  }
  if (e.code.empty()) {
    e.code = response.status == 429 ? "TooManyRequests" : fmt::format("HTTP{}", response.status);
    if (e.message.empty()) e.message = std::string(body.substr(0, 200));
  }
  return e;
}

ServiceClient::ServiceClient(ServiceContext context, Endpoint endpoint)
    : context_(std::move(context)), endpoint_(std::move(endpoint)) {
  if (!context_.quota) context_.quota = std::make_shared<RetryQuota>();
  if (!context_.skew) context_.skew = std::make_shared<ClockSkew>();
}

Result<HttpResponse> ServiceClient::send(std::string_view operation, const HttpRequest& unsigned_request) {
  const std::string& service = endpoint_.signing_name;
  int max_attempts = context_.retry.max_attempts;
  int last_retry_cost = 0;  // what the quota paid for the retry now running
  bool skew_corrected = false;
  for (int attempt = 1;; ++attempt) {
    HttpRequest request = unsigned_request;
    const Time local = context_.clock();
    const Time signing_time = local + context_.skew->offset();
    if (context_.credentials != nullptr) {
      auto creds = context_.credentials->credentials();
      if (!creds) {
        Error e = creds.error();
        e.service = service;
        e.operation = operation;
        return e;
      }
      sigv4::SigningParams params;
      params.region = endpoint_.region;
      params.service = service;
      params.time = signing_time;
      sigv4::sign(request, creds.value(), params);
    }

    auto sent = context_.transport->send(request);
    std::optional<Error> failure;
    if (!sent) {
      failure = sent.error();
      failure->service = service;
      failure->operation = operation;
    } else if (sent->status < 200 || sent->status >= 300) {
      failure = parse_error(service, operation, sent.value());
    }
    if (context_.observer) context_.observer->on_response(service, operation, failure ? failure->code : "200");
    if (!failure) {
      context_.quota->release(last_retry_cost);
      return sent;
    }
    failure->attempts = attempt;
    if (sent && context_.credentials != nullptr && !skew_corrected) {
      if (auto offset = skew_correction(*failure, sent.value(), signing_time, local)) {
        skew_corrected = true;
        ++max_attempts;  // the corrected retry is extra: it does not use up a throttling retry
        context_.skew->set(*offset);
        if (context_.observer) {
          context_.observer->on_clock_skew(service, operation, *offset);
          context_.observer->on_retry(service, operation);
        }
        continue;
      }
    }
    if (!failure->retryable() || attempt >= max_attempts) return *failure;
    const auto cost = context_.quota->acquire(failure->timeout);
    if (!cost) {
      failure->message += failure->message.empty() ? "retry quota exhausted" : " (retry quota exhausted)";
      return *failure;
    }
    last_retry_cost = *cost;
    if (context_.observer) context_.observer->on_retry(service, operation);
    auto delay = context_.retry.delay(attempt - 1);
    if (sent) {
      if (auto asked = retry_after(sent.value())) delay = std::min(*asked, context_.retry.cap);
    }
    if (context_.retry.sleep) context_.retry.sleep(delay);
  }
}

Result<nlohmann::json> ServiceClient::call_json(std::string_view target_prefix, std::string_view operation,
                                                const nlohmann::json& body, std::string_view content_type) {
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint_.url;
  if (req.url.find('/', req.url.find("://") + 3) == std::string::npos) req.url += '/';
  req.headers = {{"Content-Type", std::string(content_type)},
                 {"X-Amz-Target", fmt::format("{}.{}", target_prefix, operation)}};
  req.body = body.dump();
  auto resp = send(operation, req);
  if (!resp) return resp.error();
  auto parsed = nlohmann::json::parse(resp->body, nullptr, false);
  if (parsed.is_discarded()) {
    return malformed_response(endpoint_.signing_name, operation, "response is not JSON: " + resp->body.substr(0, 200));
  }
  return parsed;
}

Result<std::string> ServiceClient::call_query(std::string_view operation, std::string_view version,
                                              std::vector<std::pair<std::string, std::string>> params) {
  params.insert(params.begin(), {{"Action", std::string(operation)}, {"Version", std::string(version)}});
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint_.url;
  if (req.url.find('/', req.url.find("://") + 3) == std::string::npos) req.url += '/';
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  req.body = form_encode(params);
  auto resp = send(operation, req);
  if (!resp) return resp.error();
  return std::move(resp.value().body);
}

}  // namespace bw::aws
