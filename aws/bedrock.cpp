// Bedrock batch inference jobs: the two rest-json GETs and a strict single-pass scanner of their answers.
// The scanner walks the shape botocore's model gives ModelInvocationJobSummary (a 1,000-job page is parsed
// without building a JSON tree) and stops at the first member it cannot take, naming it.
#include "aws/bedrock.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "aws/credentials.hpp"
#include "aws/json_reader.hpp"

namespace bw::aws {
namespace {

constexpr std::string_view kService = "bedrock";
constexpr std::string_view kListOperation = "ListModelInvocationJobs";
constexpr std::string_view kGetOperation = "GetModelInvocationJob";

// "2026-11-22T06:00:00Z", the form botocore sends for an iso8601 query timestamp without microseconds.
std::string iso8601(Time t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

// One bit per member of a job, to refuse a member given twice (which value would count is unclear).
enum Member : unsigned {
  kJobArn = 1u << 0, kJobName = 1u << 1, kModelId = 1u << 2, kStatus = 1u << 3, kMessage = 1u << 4,
  kSubmitTime = 1u << 5, kLastModifiedTime = 1u << 6, kEndTime = 1u << 7, kJobExpirationTime = 1u << 8,
  kTimeout = 1u << 9, kOutputDataConfig = 1u << 10, kTotal = 1u << 11, kProcessed = 1u << 12,
  kSuccess = 1u << 13, kErrors = 1u << 14,
};

class JobScanner {
 public:
  JobScanner(std::string_view body, std::string_view operation) : json_(body), body_(body), operation_(operation) {}

  // ListModelInvocationJobs: {"invocationJobSummaries": [job, ...], "nextToken": "..."}.
  bool page(ModelInvocationJobPage& out) {
    bool seen_jobs = false, seen_token = false;
    const bool read = json_.document([&](std::string_view key) {
      path_.clear();
      if (key == "invocationJobSummaries") {
        if (std::exchange(seen_jobs, true)) return repeated(key);
        if (!json_.enter('[')) return wrong(key, "a list");
        return json_.elements([&] {
          path_ = fmt::format("invocationJobSummaries[{}]", out.jobs.size());
          if (!json_.at('{')) return wrong("", "an object (a ModelInvocationJobSummary)");
          return job(out.jobs.emplace_back());
        });
      }
      if (key == "nextToken") return (!std::exchange(seen_token, true) || repeated(key)) && string(key, out.next_token);
      return json_.skip_value();
    });
    if (read && !seen_jobs) {
      problem_ = "response has no invocationJobSummaries";
      return false;
    }
    return read;
  }

  // GetModelInvocationJob: the job's members are the document's.
  bool single(ModelInvocationJob& out) {
    if (!json_.document([&](std::string_view key) { return member(key, out); })) return false;
    return has_arn(out);
  }

  // Why the scan stopped. A body that is not JSON says so first: a truncated page also looks like a wrong type.
  Error error() const {
    if (!nlohmann::json::accept(body_)) {
      return malformed_response(kService, operation_, "response is not JSON: " + std::string(body_.substr(0, 200)));
    }
    if (!problem_.empty()) return malformed_response(kService, operation_, problem_);
    return malformed_response(kService, operation_, "response is not a JSON object of the expected shape");
  }

 private:
  bool job(ModelInvocationJob& out) {
    json_.enter('{');
    seen_ = 0;
    return json_.members([&](std::string_view key) { return member(key, out); }) && has_arn(out);
  }

  bool has_arn(const ModelInvocationJob& out) {
    if (!out.job_arn.empty()) return true;
    problem_ = field("jobArn") + ": missing";
    return false;
  }

  bool member(std::string_view key, ModelInvocationJob& out) {
    if (key == "jobArn") return once(kJobArn, key) && string(key, out.job_arn);
    if (key == "jobName") return once(kJobName, key) && string(key, out.job_name);
    if (key == "modelId") return once(kModelId, key) && string(key, out.model_id);
    if (key == "status") return once(kStatus, key) && string(key, out.status);
    if (key == "message") return once(kMessage, key) && string(key, out.message);
    if (key == "submitTime") return once(kSubmitTime, key) && time(key, out.submit_time);
    if (key == "lastModifiedTime") return once(kLastModifiedTime, key) && time(key, out.last_modified_time);
    if (key == "endTime") return once(kEndTime, key) && time(key, out.end_time);
    if (key == "jobExpirationTime") return once(kJobExpirationTime, key) && time(key, out.job_expiration_time);
    if (key == "timeoutDurationInHours") return once(kTimeout, key) && count(key, out.timeout_duration_in_hours);
    if (key == "totalRecordCount") return once(kTotal, key) && count(key, out.total_record_count);
    if (key == "processedRecordCount") return once(kProcessed, key) && count(key, out.processed_record_count);
    if (key == "successRecordCount") return once(kSuccess, key) && count(key, out.success_record_count);
    if (key == "errorRecordCount") return once(kErrors, key) && count(key, out.error_record_count);
    if (key == "outputDataConfig") return once(kOutputDataConfig, key) && output_config(out.output_s3_uri);
    return json_.skip_value();  // roleArn, inputDataConfig, vpcConfig, ... and members added later
  }

  bool once(Member bit, std::string_view key) {
    if (seen_ & bit) return repeated(key);
    seen_ |= bit;
    return true;
  }

  // A null member is an absent one, as botocore reads it.
  bool null() { return json_.at('n') && json_.skip_value(); }

  bool string(std::string_view key, std::string& out) {
    if (json_.at('n')) return null();
    std::string_view s;
    if (!json_.at('"')) return wrong(key, "a string");
    if (!json_.string(s)) return false;
    out.assign(s);
    return true;
  }

  bool time(std::string_view key, std::optional<Time>& out) {
    if (json_.at('n')) return null();
    std::string_view s;
    if (!json_.at('"')) return wrong(key, "an ISO 8601 timestamp string");
    if (!json_.string(s)) return false;
    out = parse_iso8601(s);
    if (!out) return wrong(key, fmt::format("an ISO 8601 timestamp, got \"{}\"", s.substr(0, 64)));
    return true;
  }

  bool count(std::string_view key, std::optional<std::int64_t>& out) {
    if (json_.at('n')) return null();
    std::int64_t v = 0;
    if (!json_.integer(v) || v < 0) return wrong(key, "a non-negative integer");
    out = v;
    return true;
  }

  // outputDataConfig: {"s3OutputDataConfig": {"s3Uri": "s3://...", ...}}.
  bool output_config(std::string& uri) {
    if (json_.at('n')) return null();
    if (!json_.enter('{')) return wrong("outputDataConfig", "an object");
    bool seen_s3 = false;
    return json_.members([&](std::string_view key) {
      if (key != "s3OutputDataConfig") return json_.skip_value();
      if (std::exchange(seen_s3, true)) return repeated("outputDataConfig.s3OutputDataConfig");
      if (json_.at('n')) return null();
      if (!json_.enter('{')) return wrong("outputDataConfig.s3OutputDataConfig", "an object");
      bool seen_uri = false;
      return json_.members([&](std::string_view k) {
        if (k != "s3Uri") return json_.skip_value();
        if (std::exchange(seen_uri, true)) return repeated("outputDataConfig.s3OutputDataConfig.s3Uri");
        return string("outputDataConfig.s3OutputDataConfig.s3Uri", uri);
      });
    });
  }

  // "invocationJobSummaries[3].submitTime" inside a page, "submitTime" in a Get answer.
  std::string field(std::string_view key) const {
    if (path_.empty()) return std::string(key);
    return key.empty() ? path_ : fmt::format("{}.{}", path_, key);
  }

  // Record why the scan stopped; false, to stop it.
  bool wrong(std::string_view key, std::string_view expected) {
    problem_ = fmt::format("{}: expected {}", field(key), expected);
    return false;
  }
  bool repeated(std::string_view key) {
    problem_ = fmt::format("{}: given twice", field(key));
    return false;
  }

  JsonReader json_;
  std::string_view body_;
  std::string_view operation_;
  std::string path_;  // "invocationJobSummaries[3]" while inside a page's job; "" in a Get answer
  std::string problem_;
  unsigned seen_ = 0;
};

std::string base_url(const Endpoint& endpoint) {
  std::string url = endpoint.url;
  while (url.ends_with('/')) url.pop_back();
  return url;
}

Result<HttpResponse> get(ServiceClient& client, std::string_view operation, std::string url) {
  HttpRequest request;
  request.method = "GET";
  request.url = std::move(url);
  request.headers = {{"Accept", "application/json"}};
  return client.send(operation, request);
}

}  // namespace

std::string list_model_invocation_jobs_query(const ListModelInvocationJobsRequest& request,
                                             std::string_view next_token) {
  // Sorted by name, as the canonical query string sorts them, so the URL is what gets signed.
  std::string query = fmt::format("maxResults={}", std::clamp(request.max_results, 1, 1000));
  if (!next_token.empty()) query += "&nextToken=" + uri_encode(next_token);
  if (!request.status_equals.empty()) query += "&statusEquals=" + uri_encode(request.status_equals);
  if (request.submit_time_after) query += "&submitTimeAfter=" + uri_encode(iso8601(*request.submit_time_after));
  return query;
}

Result<ModelInvocationJobPage> parse_model_invocation_job_page(std::string_view body) {
  ModelInvocationJobPage page;
  JobScanner scanner(body, kListOperation);
  if (!scanner.page(page)) return scanner.error();
  return page;
}

Result<ModelInvocationJob> parse_model_invocation_job(std::string_view body) {
  ModelInvocationJob job;
  JobScanner scanner(body, kGetOperation);
  if (!scanner.single(job)) return scanner.error();
  return job;
}

std::string denied_action(const Error& error) { return aws::denied_action(error, kService); }

Result<std::vector<ModelInvocationJob>> BedrockClient::list_model_invocation_jobs(
    const ListModelInvocationJobsRequest& request) {
  const std::string url = base_url(client_.endpoint()) + "/model-invocation-jobs?";
  std::vector<ModelInvocationJob> jobs;
  std::string token;
  for (;;) {
    auto response = get(client_, kListOperation, url + list_model_invocation_jobs_query(request, token));
    if (!response) return response.error();
    auto page = parse_model_invocation_job_page(response->body);
    if (!page) return page.error();
    auto& got = page.value().jobs;
    jobs.insert(jobs.end(), std::make_move_iterator(got.begin()), std::make_move_iterator(got.end()));
    // A token handed back unchanged would page forever.
    if (!page->next_token.empty() && page->next_token == token) {
      return malformed_response(kService, kListOperation, "nextToken repeated: \"" + token + "\"");
    }
    if (page->next_token.empty()) return jobs;
    token = std::move(page.value().next_token);
  }
}

Result<ModelInvocationJob> BedrockClient::get_model_invocation_job(std::string_view job_identifier) {
  // The ARN is one path segment: its '/' and ':' are percent-encoded here; SigV4 encodes the path again.
  auto response = get(client_, kGetOperation,
                      base_url(client_.endpoint()) + "/model-invocation-job/" + uri_encode(job_identifier, true));
  if (!response) return response.error();
  return parse_model_invocation_job(response->body);
}

}  // namespace bw::aws
