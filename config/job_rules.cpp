// The job rule kinds (job_status, job_stuck, job_errors, job_expiry, job_concurrency) and the agent
// file's `jobs:` key. Keys and defaults: INTERFACE.md "Bedrock batch jobs"; docs/rules.md "Job rules".
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "config/loader.hpp"

namespace bw::config::detail {
namespace {

std::string show_percent(double fraction) { return fmt::format("{:g}%", fraction * 100); }

// `statuses:` as written, each a status Bedrock documents: a misspelt status would silently never
// match, so it is an error (at the item) naming the valid ones. `active_only` (job_stuck): a job
// cannot be stuck in a status it never leaves.
std::optional<std::vector<std::string>> read_statuses(const Sink& sink, const MapReader& rule, std::string_view kind,
                                                      bool active_only) {
  const auto items = rule.string_list("statuses");
  if (!items) return std::nullopt;
  if (items->empty()) {
    sink.error(rule.value_mark("statuses"), fmt::format("\"statuses\" lists no job statuses (leave it out for the "
                                                        "{} default)",
                                                        kind));
    return std::nullopt;
  }
  const auto known = known_job_statuses();
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : *items) {
    if (!is_known_job_status(item.text)) {
      const auto hint = closest(item.text, known);
      sink.error(item.mark, fmt::format("unknown job status \"{}\"{} (Bedrock's statuses: {})", item.text,
                                        hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : std::string{},
                                        fmt::join(known, ", ")));
      ok = false;
    } else if (active_only && is_terminal_job_status(item.text)) {
      sink.error(item.mark, fmt::format("\"{}\" is a final status, so a job in it is never stuck; job_stuck "
                                        "watches Submitted, Validating, Scheduled, InProgress and Stopping "
                                        "(use job_status to be told about {} jobs)",
                                        item.text, item.text));
      ok = false;
    } else if (std::find(out.begin(), out.end(), item.text) == out.end()) {
      out.push_back(item.text);
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

void read_filter(const Sink& sink, const MapReader& rule, Rule& out) {
  if (!rule.has("jobs")) return;
  const auto f = rule.map("jobs", fmt::format("\"jobs\" of rule \"{}\"", out.name));
  if (!f.valid()) return;
  f.check_keys({"model", "name"});
  for (const std::string_view key : {"model", "name"}) {
    const auto glob = f.scalar(key);
    if (!glob) continue;
    if (glob->text.empty()) {
      sink.error(glob->mark, fmt::format("\"jobs.{}\" is empty (a glob such as \"*\" or \"nightly-*\")", key));
      continue;
    }
    (key == "model" ? out.jobs.model : out.jobs.name) = glob->text;
  }
}

// job_errors `above`: a percentage of processed records, 0% up to (not including) 100%.
void read_error_fraction(const Sink& sink, const MapReader& rule, JobErrorsSpec& spec) {
  const auto s = rule.scalar("above");
  if (!s) return;
  const auto f = to_fraction(sink, *s, "above");
  if (!f) return;
  if (*f >= 0 && *f < 1) {
    spec.above = *f;
    return;
  }
  const bool bare_number = !s->text.empty() && s->text.back() != '%';
  sink.error(s->mark,
             fmt::format("\"above\" must be from 0% to less than 100% of the processed records, not {}{}",
                         show_percent(*f), bare_number && *f >= 1 ? fmt::format(" (did you mean {}%?)", s->text) : ""));
}

void read_errors(const Sink& sink, const MapReader& rule, JobErrorsSpec& spec) {
  read_error_fraction(sink, rule, spec);
  if (const auto n = rule.integer("min_processed")) {
    if (*n >= 0)
      spec.min_processed = *n;
    else
      sink.error(rule.value_mark("min_processed"),
                 fmt::format("\"min_processed\" must be 0 or more, not {} (the error rate is judged once this many "
                             "records are processed)",
                             *n));
  }
}

void read_concurrency(const Sink& sink, const MapReader& rule, JobConcurrencySpec& spec) {
  if (!rule.require("above", "the number of concurrent jobs above which to alarm, e.g. above: 18 for a quota of 20"))
    return;
  if (const auto n = rule.number("above")) {
    if (*n >= 0)
      spec.above = *n;
    else
      sink.error(rule.value_mark("above"),
                 fmt::format("\"above\" must be a count of jobs, 0 or more, not {}", format_number(*n)));
  }
  if (auto s = read_statuses(sink, rule, "job_concurrency", false)) spec.statuses = std::move(*s);
}

}  // namespace

bool is_job_kind(std::string_view kind) {
  return kind == "job_status" || kind == "job_stuck" || kind == "job_errors" || kind == "job_expiry" ||
         kind == "job_concurrency";
}

void read_job_rule(const Sink& sink, const MapReader& rule, std::string_view kind, Rule& out) {
  read_filter(sink, rule, out);
  if (kind == "job_status") {
    JobStatusSpec spec;
    if (auto s = read_statuses(sink, rule, kind, false)) spec.statuses = std::move(*s);
    out.spec = spec;
  } else if (kind == "job_stuck") {
    JobStuckSpec spec;
    if (auto s = read_statuses(sink, rule, kind, true)) spec.statuses = std::move(*s);
    if (const auto d = rule.duration("for")) spec.for_ = *d;
    out.spec = spec;
  } else if (kind == "job_errors") {
    JobErrorsSpec spec;
    read_errors(sink, rule, spec);
    out.spec = spec;
  } else if (kind == "job_expiry") {
    JobExpirySpec spec;
    if (const auto d = rule.duration("margin", true)) spec.margin = *d;
    out.spec = spec;
  } else {
    JobConcurrencySpec spec;
    read_concurrency(sink, rule, spec);
    out.spec = spec;
  }
}

void read_jobs_config(const MapReader& top, JobsConfig& jobs) {
  if (!top.has("jobs")) return;
  jobs.enabled = true;  // `jobs:` alone turns the watch on with the defaults
  const auto r = top.map("jobs", "\"jobs\"");
  if (!r.valid()) return;
  r.check_keys({"every", "lookback"});
  if (const auto d = r.duration("every")) jobs.every = *d;
  if (const auto d = r.duration("lookback")) jobs.lookback = *d;
}

}  // namespace bw::config::detail
