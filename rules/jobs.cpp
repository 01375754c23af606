// Job status helpers, the job filter and the finish estimator (see docs/rules.md, "Job rules").
#include "rules/jobs.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace bw {

namespace {

constexpr std::array<std::string_view, 5> kTerminal{"Completed", "Failed", "Stopped", "Expired", "PartiallyCompleted"};
constexpr std::array<std::string_view, 5> kActive{"Submitted", "Validating", "Scheduled", "InProgress", "Stopping"};

bool contains(const auto& list, std::string_view s) { return std::find(list.begin(), list.end(), s) != list.end(); }

// `*` any run of characters, `?` exactly one; everything else literal. Backtracks only to the last
// `*`, so it is linear in practice and never recursive.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// The rate between the oldest and the newest progress point of the recent run: points within
// kJobRateWindow of the newest (plus the one just before the window, so sparse polls still give a
// rate), stopping at a count that went backwards (earlier counts are not comparable with later ones).
std::optional<JobRate> observed_rate(const std::vector<JobProgress>& points) {
  if (points.size() < 2) return std::nullopt;
  const auto& newest = points.back();
  std::size_t i = points.size() - 1;
  while (i > 0 && newest.observed - points[i].observed < kJobRateWindow &&
         points[i - 1].processed <= points[i].processed && points[i - 1].observed < points[i].observed)
    --i;
  const auto& oldest = points[i];
  const auto span = (newest.observed - oldest.observed).count();
  const auto done = newest.processed - oldest.processed;
  if (span <= 0) return std::nullopt;
  // No progress over a whole window is a stall, reported as a zero rate; over less it may just be
  // Bedrock updating its counts in steps, so the caller falls back to the average since the start.
  if (done <= 0)
    return span >= kJobRateWindow.count() ? std::optional<JobRate>{JobRate{0, oldest.observed, newest.observed, true}}
                                          : std::nullopt;
  return JobRate{static_cast<double>(done) / static_cast<double>(span), oldest.observed, newest.observed, true};
}

// One observation (or no progress within the recent run): the average since processing started,
// which is lastModifiedTime while the job is InProgress (its last status change) or else submitTime.
std::optional<JobRate> lifetime_rate(const JobSnapshot& job, std::int64_t processed, Time at) {
  if (processed <= 0) return std::nullopt;
  std::optional<Time> start = job.submit_time;
  if (job.status == "InProgress" && job.last_modified_time && *job.last_modified_time < at)
    start = job.last_modified_time;
  if (!start || *start >= at) return std::nullopt;
  return JobRate{static_cast<double>(processed) / static_cast<double>((at - *start).count()), *start, at, false};
}

std::optional<std::int64_t> current_processed(const JobSnapshot& job, const JobHistory& history) {
  if (job.processed && *job.processed >= 0) return job.processed;
  if (!history.progress.empty()) return history.progress.back().processed;
  return std::nullopt;
}

// When the snapshot's counts were observed: the newest progress point, else now.
Time counts_observed(const JobHistory& history, Time now) {
  return history.progress.empty() ? now : std::min(history.progress.back().observed, now);
}

}  // namespace

bool is_terminal_job_status(std::string_view status) { return contains(kTerminal, status); }
bool is_active_job_status(std::string_view status) { return contains(kActive, status); }
bool is_known_job_status(std::string_view status) { return contains(kTerminal, status) || contains(kActive, status); }

std::vector<std::string_view> known_job_statuses() {
  std::vector<std::string_view> all(kActive.begin(), kActive.end());
  all.insert(all.end(), kTerminal.begin(), kTerminal.end());
  return all;
}

bool JobFilter::matches(const JobSnapshot& job) const {
  return glob_match(model, job.model_id) && glob_match(name, job.name);
}

std::optional<Time> job_end(const JobSnapshot& job) {
  if (job.end_time) return job.end_time;
  if (is_terminal_job_status(job.status)) return job.last_modified_time;
  return std::nullopt;
}

std::optional<JobRate> job_processing_rate(const JobSnapshot& job, const JobHistory& history, Time now) {
  if (auto rate = observed_rate(history.progress)) return rate;
  const auto processed = current_processed(job, history);
  if (!processed) return std::nullopt;
  return lifetime_rate(job, *processed, counts_observed(history, now));
}

std::optional<Time> project_job_finish(const JobSnapshot& job, const JobHistory& history, Time now) {
  if (is_terminal_job_status(job.status) || !job.total || *job.total <= 0) return std::nullopt;
  const auto processed = current_processed(job, history);
  if (!processed) return std::nullopt;
  const Time at = counts_observed(history, now);
  const auto left = *job.total - *processed;
  if (left <= 0) return std::max(at, now);
  const auto rate = job_processing_rate(job, history, now);
  if (!rate || rate->per_second <= 0) return std::nullopt;
  // Capped at ten years: a crawl of a few records a day must not overflow the time type.
  const double seconds = std::min(std::ceil(static_cast<double>(left) / rate->per_second), 10.0 * 365 * 86400);
  return std::max(at + Duration{static_cast<std::int64_t>(seconds)}, now);
}

}  // namespace bw
