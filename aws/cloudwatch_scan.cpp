// The GetMetricData page scanner: reads the one shape a page has straight into result vectors.
#include "aws/cloudwatch_scan.hpp"

#include <cstdint>
#include <unordered_map>
#include <utility>

#include "aws/json_reader.hpp"

namespace bw::aws {
namespace {

// A staged result: nothing reaches the caller's vector before the whole body has been checked.
struct Staged {
  std::string id;
  std::string status;
  bool has_status = false;
  bool has_points = false;  // Timestamps and Values were both present
  std::vector<std::int64_t> timestamps;
  std::vector<double> values;
};

// Reads a GetMetricData body; each method returns false at the first thing it does not take (see the
// header): invalid JSON, a malformed result, something unusual.
class GetMetricDataScanner {
 public:
  explicit GetMetricDataScanner(std::string_view body) : json_(body) {}

  bool page(std::vector<Staged>& out, std::string& next_token) {
    bool seen_results = false, seen_token = false;
    return json_.document([&](std::string_view key) {
      if (key == "MetricDataResults") {
        if (std::exchange(seen_results, true)) return false;
        return results(out);
      }
      if (key == "NextToken") return json_.next_token(seen_token, next_token);
      return json_.skip_value();
    });
  }

 private:
  bool results(std::vector<Staged>& out) {
    if (!json_.enter('[')) return false;  // not a list: an error the general parser reports
    return json_.elements([&] {
      if (!json_.enter('{')) return false;  // not an object: "a result has no Id"
      out.emplace_back();
      return result(out.back());
    });
  }

  bool result(Staged& r) {
    bool has_id = false, has_ts = false, has_vs = false;
    if (!json_.members([&](std::string_view key) {
          if (key == "Id") return json_.string_member(has_id, r.id);
          if (key == "StatusCode") return status_code(r);
          if (key == "Timestamps") return !std::exchange(has_ts, true) && timestamps(r.timestamps);
          if (key == "Values") {
            if (std::exchange(has_vs, true) || !numbers()) return false;
            r.values.assign(numbers_.begin(), numbers_.end());
            return true;
          }
          return json_.skip_value();
        }))
      return false;
    if (!has_id) return false;
    r.has_points = has_ts && has_vs;
    if (!r.has_points) {  // one of the two alone is ignored
      r.timestamps.clear();
      r.values.clear();
      return true;
    }
    return r.timestamps.size() == r.values.size();
  }

  // A StatusCode that is not a string is ignored, as by the general parser.
  bool status_code(Staged& r) {
    if (std::exchange(r.has_status, true)) return false;
    if (!json_.at('"')) {
      r.has_status = false;
      return json_.skip_value();
    }
    std::string_view s;
    if (!json_.string(s)) return false;
    r.status.assign(s);
    return true;
  }

  bool timestamps(std::vector<std::int64_t>& out) {
    if (!numbers()) return false;
    out.resize(numbers_.size());
    for (std::size_t i = 0; i < numbers_.size(); ++i) {
      if (!epoch_seconds(numbers_[i], out[i])) return false;
    }
    return true;
  }

  // A list of numbers into numbers_; false on anything else.
  bool numbers() {
    if (!json_.enter('[')) return false;
    numbers_.clear();
    return json_.elements([&] {
      double v;
      if (!json_.number(v)) return false;
      numbers_.push_back(v);
      return true;
    });
  }

  JsonReader json_;
  std::vector<double> numbers_;
};

}  // namespace

bool scan_get_metric_data_body(std::string_view body, std::vector<MetricDataResult>& into, std::string& next_token) {
  std::vector<Staged> staged;
  std::string token;
  if (!GetMetricDataScanner(body).page(staged, token)) return false;
  // As the general parser: each result's points go to the first entry with its Id (one is created
  // for an Id not seen before); a StatusCode replaces the entry's.
  into.reserve(into.size() + staged.size());  // before the index: its keys view the ids in `into`
  std::unordered_map<std::string_view, std::size_t> index;
  index.reserve(into.size() + staged.size());
  for (std::size_t i = 0; i < into.size(); ++i) index.emplace(into[i].id, i);
  for (auto& s : staged) {
    auto [it, inserted] = index.emplace(s.id, into.size());  // a new key views s.id, alive to the end
    if (inserted) into.push_back(MetricDataResult{s.id, "", {}, {}});
    auto& out = into[it->second];
    if (s.has_status) out.status_code = std::move(s.status);
    if (!s.has_points) continue;
    if (out.timestamps.empty()) {
      out.timestamps.swap(s.timestamps);
      out.values.swap(s.values);
    } else {
      out.timestamps.insert(out.timestamps.end(), s.timestamps.begin(), s.timestamps.end());
      out.values.insert(out.values.end(), s.values.begin(), s.values.end());
    }
  }
  next_token = std::move(token);
  return true;
}

}  // namespace bw::aws
