#include "aws/cloudwatch.hpp"

#include <unordered_map>

#include "aws/cloudwatch_scan.hpp"

namespace bw::aws {
namespace {

Error protocol_error(std::string_view operation, std::string message) {
  return malformed_response("monitoring", operation, std::move(message));
}

// As ServiceClient::call_json builds it, with the body already written (the answer is then parsed
// here, without a JSON tree when it is well formed).
HttpRequest json10_request(const ServiceClient& client, std::string_view operation, std::string body) {
  HttpRequest req;
  req.method = "POST";
  req.url = client.endpoint().url;
  if (req.url.find('/', req.url.find("://") + 3) == std::string::npos) req.url += '/';
  req.headers = {{"Content-Type", std::string(kJson10)},
                 {"X-Amz-Target", std::string(kCloudWatchTarget) + "." + std::string(operation)}};
  req.body = std::move(body);
  return req;
}

}  // namespace

nlohmann::json dimensions_json(const std::vector<MetricDimension>& dims) {
  auto out = nlohmann::json::array();
  for (const auto& d : dims) {
    nlohmann::json j{{"Name", d.name}};
    if (!d.value.empty()) j["Value"] = d.value;
    out.push_back(std::move(j));
  }
  return out;
}

namespace {

// A JSON string as nlohmann's dump() writes it (ensure_ascii off): ", \ and control characters escaped.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace

std::string get_metric_data_request_body(const MetricStatQuery* first, std::size_t count, Time start, Time end,
                                         const std::string& next_token) {
  // Keys in the order dump() writes them (sorted), so the text is the same as before.
  std::string out;
  out.reserve(64 + count * 256);
  out += "{\"EndTime\":";
  out += std::to_string(end.time_since_epoch().count());
  out += ",\"MetricDataQueries\":[";
  for (std::size_t i = 0; i < count; ++i) {
    const auto& q = first[i];
    if (i) out += ',';
    out += "{\"Id\":";
    append_json_string(out, q.id);
    out += ",\"MetricStat\":{\"Metric\":{";
    if (!q.dimensions.empty()) {
      out += "\"Dimensions\":[";
      for (std::size_t d = 0; d < q.dimensions.size(); ++d) {
        if (d) out += ',';
        out += "{\"Name\":";
        append_json_string(out, q.dimensions[d].name);
        if (!q.dimensions[d].value.empty()) {
          out += ",\"Value\":";
          append_json_string(out, q.dimensions[d].value);
        }
        out += '}';
      }
      out += "],";
    }
    out += "\"MetricName\":";
    append_json_string(out, q.metric_name);
    out += ",\"Namespace\":";
    append_json_string(out, q.ns);
    out += "},\"Period\":";
    out += std::to_string(q.period);
    out += ",\"Stat\":";
    append_json_string(out, q.stat);
    out += "},\"ReturnData\":true}";
  }
  out += ']';
  if (!next_token.empty()) {
    out += ",\"NextToken\":";
    append_json_string(out, next_token);
  }
  out += ",\"ScanBy\":\"TimestampAscending\",\"StartTime\":";
  out += std::to_string(start.time_since_epoch().count());
  out += '}';
  return out;
}

namespace {

// SAX handler for a GetMetricData response: fills the result vectors as the tokens arrive, with the
// same checks (and messages) as the DOM oracle of the tests (tests/support/cloudwatch_reference.cpp).
// Containers it does not need are skipped.
class GetMetricDataSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit GetMetricDataSax(std::vector<MetricDataResult>& into) : into_(into) {
    for (std::size_t i = 0; i < into_.size(); ++i) index_.emplace(into_[i].id, i);
  }
  std::string error;
  std::string next_token;

  bool null() override { return scalar(Kind::Other); }
  bool boolean(bool) override { return scalar(Kind::Other); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t& v) override {
    if (skip_ == 0 && depth_ == 1 && key_ == Key::NextToken) {
      next_token = std::move(v);
      return true;
    }
    if (skip_ == 0 && depth_ == 3 && key_ == Key::Id) {
      id_ = std::move(v);
      has_id_ = true;
      return true;
    }
    if (skip_ == 0 && depth_ == 3 && key_ == Key::StatusCode) {
      status_ = std::move(v);
      has_status_ = true;
      return true;
    }
    return scalar(Kind::Other);
  }
  bool binary(binary_t&) override { return scalar(Kind::Other); }
  bool key(string_t& k) override {
    if (skip_ > 0) return true;
    if (depth_ == 1) key_ = k == "MetricDataResults" ? Key::Results : k == "NextToken" ? Key::NextToken : Key::Other;
    else if (depth_ == 3)
      key_ = k == "Id" ? Key::Id : k == "StatusCode" ? Key::StatusCode : k == "Timestamps" ? Key::Timestamps
           : k == "Values" ? Key::Values : Key::Other;
    return true;
  }
  bool start_object(std::size_t) override { return open(false); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    if (error.empty()) error = "response is not JSON";
    return false;
  }

 private:
  enum class Key { Other, Results, NextToken, Id, StatusCode, Timestamps, Values };
  enum class Kind { Number, Other };
  struct Column {
    bool present = false, is_array = false, non_numeric = false, out_of_range = false;
    std::size_t count = 0;
  };

  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  Column* column() { return key_ == Key::Timestamps ? &ts_ : key_ == Key::Values ? &vs_ : nullptr; }

  bool number(double v) {
    if (skip_ == 0 && depth_ == 4) {
      if (key_ == Key::Timestamps) {
        ts_.count++;
        std::int64_t t = 0;
        if (!epoch_seconds(v, t)) ts_.out_of_range = true;
        timestamps_.push_back(t);
      } else {
        vs_.count++;
        values_.push_back(v);
      }
      return true;
    }
    return scalar(Kind::Number);
  }

  // A scalar anywhere but inside a datapoint array of a result.
  bool scalar(Kind kind) {
    if (skip_ > 0) return true;
    if (depth_ == 0) return fail("response is not a JSON object");
    if (depth_ == 1 && key_ == Key::Results) return fail("MetricDataResults is not a list");
    if (depth_ == 2) return fail("a result has no Id");
    if (depth_ == 3) {
      if (key_ == Key::Id) return fail("a result has no Id");  // not a string
      if (auto* c = column()) c->present = true;               // present but not a list
    }
    if (depth_ == 4) {  // a non-number inside Timestamps or Values
      auto* c = column();
      c->count++;
      if (kind != Kind::Number) c->non_numeric = true;
    }
    return true;
  }

  bool open(bool array) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    switch (depth_) {
      case 0:
        if (array) return fail("response is not a JSON object");
        break;
      case 1:
        if (key_ == Key::Results && !array) return fail("MetricDataResults is not a list");
        if (key_ != Key::Results) return skip();
        break;
      case 2:
        if (array) return fail("a result has no Id");
        has_id_ = has_status_ = false;
        ts_ = vs_ = Column{};
        timestamps_.clear();
        values_.clear();
        key_ = Key::Other;
        break;
      case 3: {
        if (key_ == Key::Id) return fail("a result has no Id");
        auto* c = column();
        if (!c) return skip();
        c->present = true;
        if (!array) return skip();
        c->is_array = true;
        break;
      }
      default: {  // depth 4: a container inside Timestamps or Values
        auto* c = column();
        c->count++;
        c->non_numeric = true;
        return skip();
      }
    }
    ++depth_;
    return true;
  }

  bool skip() {
    skip_ = 1;
    return true;
  }

  bool close() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    --depth_;
    if (depth_ == 2) return finish_result();
    if (depth_ == 3) key_ = Key::Other;  // left Timestamps/Values
    return true;
  }

  bool finish_result() {
    if (!has_id_) return fail("a result has no Id");
    auto [it, inserted] = index_.emplace(id_, into_.size());
    if (inserted) into_.push_back(MetricDataResult{id_, "", {}, {}});
    auto& out = into_[it->second];
    if (has_status_) out.status_code = status_;
    if (!ts_.present || !vs_.present) return true;
    if (!ts_.is_array || !vs_.is_array || ts_.count != vs_.count)
      return fail("Timestamps and Values differ in length for " + out.id);
    if (ts_.non_numeric || vs_.non_numeric) return fail("non-numeric datapoint in " + out.id);
    if (ts_.out_of_range) return fail("timestamp out of range in " + out.id);
    if (out.timestamps.empty()) {
      out.timestamps.swap(timestamps_);
      out.values.swap(values_);
    } else {
      out.timestamps.insert(out.timestamps.end(), timestamps_.begin(), timestamps_.end());
      out.values.insert(out.values.end(), values_.begin(), values_.end());
    }
    return true;
  }

  std::vector<MetricDataResult>& into_;
  std::unordered_map<std::string, std::size_t> index_;
  int depth_ = 0;  // open containers we follow: 1 root, 2 results list, 3 a result, 4 its datapoint list
  int skip_ = 0;   // open containers being skipped
  Key key_ = Key::Other;
  std::string id_, status_;
  bool has_id_ = false, has_status_ = false;
  Column ts_, vs_;
  std::vector<std::int64_t> timestamps_;
  std::vector<double> values_;
};

}  // namespace

Result<std::string> parse_get_metric_data_body(std::string_view body, std::vector<MetricDataResult>& into) {
  // The dedicated scanner takes every well-formed page (a 100,500-point page: ~4 ms, ~35 ms by SAX); it
  // leaves `into` untouched for anything else, and the SAX parse then gives the result or the error.
  if (std::string token; scan_get_metric_data_body(body, into, token)) return token;
  return parse_get_metric_data_body_sax(body, into);
}

Result<std::string> parse_get_metric_data_body_sax(std::string_view body, std::vector<MetricDataResult>& into) {
  GetMetricDataSax sax(into);
  const bool ok = nlohmann::json::sax_parse(body.begin(), body.end(), &sax);
  if (!ok) {
    auto message = sax.error.empty() ? std::string("response is not JSON") : sax.error;
    if (message == "response is not JSON") message += ": " + std::string(body.substr(0, 200));
    return protocol_error("GetMetricData", std::move(message));
  }
  return sax.next_token;
}

Result<std::vector<MetricDataResult>> CloudWatchClient::get_metric_data(const std::vector<MetricStatQuery>& queries,
                                                                        Time start, Time end) {
  std::vector<MetricDataResult> results;
  results.reserve(queries.size());
  for (const auto& q : queries) results.push_back(MetricDataResult{q.id, "", {}, {}});
  for (std::size_t offset = 0; offset < queries.size(); offset += kMaxQueriesPerCall) {
    const std::size_t count = std::min(kMaxQueriesPerCall, queries.size() - offset);
    std::string token;
    do {
      auto resp = client_.send("GetMetricData",
                               json10_request(client_, "GetMetricData",
                                              get_metric_data_request_body(queries.data() + offset, count, start, end,
                                                                           token)));
      if (!resp) return resp.error();
      auto next = parse_get_metric_data_body(resp.value().body, results);
      if (!next) return next.error();
      token = next.value();
    } while (!token.empty());
  }
  return results;
}

Result<std::string> parse_list_metrics_response(const nlohmann::json& j, const std::string& ns,
                                                const std::string& metric_name, std::vector<MetricListing>& out) {
  if (auto metrics = j.find("Metrics"); metrics != j.end() && metrics->is_array()) {
    // json::value() throws on a non-object entry or a non-string field; a Result must come back instead.
    try {
      for (const auto& m : *metrics) {
        MetricListing l;
        l.ns = m.value("Namespace", ns);
        l.metric_name = m.value("MetricName", metric_name);
        if (auto dims = m.find("Dimensions"); dims != m.end() && dims->is_array())
          for (const auto& d : *dims) l.dimensions.push_back({d.value("Name", ""), d.value("Value", "")});
        out.push_back(std::move(l));
      }
    } catch (const nlohmann::json::exception& ex) {
      return protocol_error("ListMetrics", std::string("malformed Metrics entry: ") + ex.what());
    }
  }
  return j.contains("NextToken") && j["NextToken"].is_string() ? j["NextToken"].get<std::string>() : std::string{};
}

Result<std::vector<MetricListing>> CloudWatchClient::list_metrics(const std::string& ns,
                                                                  const std::string& metric_name,
                                                                  const std::vector<MetricDimension>& filter) {
  std::vector<MetricListing> out;
  std::string token;
  do {
    nlohmann::json body{{"Namespace", ns}, {"MetricName", metric_name}};
    if (!filter.empty()) body["Dimensions"] = dimensions_json(filter);
    if (!token.empty()) body["NextToken"] = token;
    auto resp = client_.send("ListMetrics", json10_request(client_, "ListMetrics", body.dump()));
    if (!resp) return resp.error();
    // The scanner reads a well-formed page without a JSON tree; anything else gets the DOM's answer.
    std::string next;
    if (!scan_list_metrics_body(resp->body, ns, metric_name, out, next)) {
      const auto parsed = nlohmann::json::parse(resp->body, nullptr, false);
      if (parsed.is_discarded())
        return protocol_error("ListMetrics", "response is not JSON: " + resp->body.substr(0, 200));
      auto r = parse_list_metrics_response(parsed, ns, metric_name, out);
      if (!r) return r.error();
      next = std::move(r.value());
    }
    token = std::move(next);
  } while (!token.empty());
  return out;
}

nlohmann::json put_metric_data_request(const std::string& ns, const std::vector<MetricDatum>& data) {
  auto items = nlohmann::json::array();
  for (const auto& d : data) {
    nlohmann::json item{{"MetricName", d.metric_name}, {"Value", d.value}, {"Unit", d.unit}};
    if (!d.dimensions.empty()) item["Dimensions"] = dimensions_json(d.dimensions);
    items.push_back(std::move(item));
  }
  return {{"Namespace", ns}, {"MetricData", std::move(items)}};
}

Result<Unit> CloudWatchClient::put_metric_data(const std::string& ns, const std::vector<MetricDatum>& data) {
  // Its answer has no members; the body (empty or "{}") is not read, so either is fine.
  auto resp = client_.send("PutMetricData", json10_request(client_, "PutMetricData", put_metric_data_request(ns, data).dump()));
  if (!resp) return resp.error();
  return Unit{};
}

}  // namespace bw::aws
