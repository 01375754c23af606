// The five job rule kinds (INTERFACE.md "Bedrock batch jobs"; behaviour and edge cases in
// docs/rules.md "Job rules"). Each judges the latest snapshot the agent holds; reasons only with
// Explain::Yes, since the engine explains only changes.
//
// Vanished jobs (history.vanished: listed before, missing from the latest complete list): job_status
// and job_errors judge the last snapshot (its status and counts are the last word we have);
// job_stuck and job_expiry answer INSUFFICIENT_DATA, because a condition that can no longer be
// observed must not keep alarming and is not known to be resolved either.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "rules/jobs.hpp"

namespace bw {

namespace {

bool listed(const std::vector<std::string>& statuses, std::string_view status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

// "2h 15m", "2h", "45m", "30s", "3d 4h": how long a person reads it (format_duration gives "135m").
std::string human_duration(Duration d) {
  auto s = std::max<std::int64_t>(d.count(), 0);
  if (s >= 86400)
    return s % 86400 >= 3600 ? fmt::format("{}d {}h", s / 86400, s % 86400 / 3600) : fmt::format("{}d", s / 86400);
  if (s >= 3600) return s % 3600 >= 60 ? fmt::format("{}h {}m", s / 3600, s % 3600 / 60) : fmt::format("{}h", s / 3600);
  if (s >= 60) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

// 12400 -> "12,400".
std::string with_thousands(std::int64_t n) {
  auto digits = std::to_string(n < 0 ? -n : n);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return n < 0 ? "-" + digits : digits;
}

// 0.032 -> "3.2%", 0.01 -> "1%", 0.0004 -> "0.04%".
std::string percent(double fraction) {
  const double p = fraction * 100;
  return p < 1000 ? fmt::format("{:.3g}%", p) : fmt::format("{:.0f}%", p);
}

// 2026-11-23T04:10Z: a projection is not worth seconds.
std::string minute_time(Time t) {
  auto text = format_rfc3339(period_floor(t, Duration{60}));
  return text.substr(0, 16) + "Z";
}

Evaluation verdict(AlarmState state, Explain explain, auto&& make_reason) {
  Evaluation ev;
  ev.state = state;
  if (explain == Explain::Yes) ev.reason = make_reason();
  return ev;
}

std::string unknown_note(const JobSnapshot& job) {
  return is_known_job_status(job.status) ? std::string{} : " (a status batchwatch does not know)";
}

std::string vanished_note(const JobHistory& history) { return history.vanished ? " (no longer listed)" : ""; }

}  // namespace

JobVerdict evaluate_job_status(const JobStatusSpec& spec, const JobSnapshot& job, const JobHistory& history,
                               Duration catch_up, Time now, Explain explain) {
  (void)now;  // the verdict depends on what was seen, not on when it is judged
  JobVerdict out;
  const auto ended = job_end(job);
  out.quiet = ended && *ended + catch_up < history.first_seen;
  const bool alarm = listed(spec.statuses, job.status);
  out.evaluation = verdict(alarm ? AlarmState::Alarm : AlarmState::Ok, explain, [&] {
    auto reason = fmt::format("job {} is {}{}", job.name, job.status, unknown_note(job));
    if (alarm && !job.message.empty()) reason += ": " + job.message;
    reason += vanished_note(history);
    if (out.quiet) reason += fmt::format(" (ended {}, before the agent first saw it)", minute_time(*ended));
    return reason;
  });
  return out;
}

Evaluation evaluate_job_stuck(const JobStuckSpec& spec, const JobSnapshot& job, Time now, Explain explain) {
  if (!listed(spec.statuses, job.status))
    return verdict(AlarmState::Ok, explain,
                   [&] { return fmt::format("{} is {}{}", job.name, job.status, unknown_note(job)); });
  const auto since = job.last_modified_time ? job.last_modified_time : job.submit_time;
  if (!since)
    return verdict(AlarmState::InsufficientData, explain, [&] {
      return fmt::format("{} is {} since an unknown time (no lastModifiedTime)", job.name, job.status);
    });
  const Duration in_status = std::max(now - *since, Duration{0});
  const bool stuck = in_status > spec.for_;
  auto ev = verdict(stuck ? AlarmState::Alarm : AlarmState::Ok, explain, [&] {
    return fmt::format("{} has been {} for {} (limit {})", job.name, job.status, human_duration(in_status),
                       human_duration(spec.for_));
  });
  ev.value = static_cast<double>(in_status.count());
  return ev;
}

Evaluation evaluate_job_stuck(const JobStuckSpec& spec, const JobSnapshot& job, const JobHistory& history, Time now,
                              Explain explain) {
  if (history.vanished)
    return verdict(AlarmState::InsufficientData, explain,
                   [&] { return fmt::format("{} is no longer listed (last seen {})", job.name, job.status); });
  return evaluate_job_stuck(spec, job, now, explain);
}

Evaluation evaluate_job_errors(const JobErrorsSpec& spec, const JobSnapshot& job, Explain explain) {
  const auto processed = job.processed.value_or(-1), errors = job.errors.value_or(-1);
  if (processed < 0 || errors < 0)
    return verdict(AlarmState::InsufficientData, explain,
                   [&] { return fmt::format("{}: Bedrock reports no processed/error record counts", job.name); });
  if (processed == 0 || processed < spec.min_processed)
    return verdict(AlarmState::InsufficientData, explain, [&] {
      return fmt::format("{}: {} processed records, judged from {}", job.name, with_thousands(processed),
                         with_thousands(std::max<std::int64_t>(spec.min_processed, 1)));
    });
  const double fraction = static_cast<double>(errors) / static_cast<double>(processed);
  auto ev = verdict(fraction > spec.above ? AlarmState::Alarm : AlarmState::Ok, explain, [&] {
    return fmt::format("{}: errors {} of {} processed records (limit {})", job.name, percent(fraction),
                       with_thousands(processed), percent(spec.above));
  });
  ev.value = fraction;
  return ev;
}

Evaluation evaluate_job_expiry(const JobExpirySpec& spec, const JobSnapshot& job, const JobHistory& history, Time now,
                               Explain explain) {
  auto unknown = [&](std::string why) {
    return verdict(AlarmState::InsufficientData, explain, [&] { return fmt::format("{}: {}", job.name, why); });
  };
  if (is_terminal_job_status(job.status))
    return verdict(AlarmState::Ok, explain, [&] { return fmt::format("{} ended {}", job.name, job.status); });
  if (history.vanished) return unknown(fmt::format("no longer listed (last seen {})", job.status));
  if (!job.expiration_time) return unknown("Bedrock reports no jobExpirationTime");
  if (!job.total || *job.total <= 0) return unknown("no totalRecordCount to project from");
  const Time deadline = *job.expiration_time - spec.margin;
  const auto finish = project_job_finish(job, history, now);
  if (!finish) {
    const auto rate = job_processing_rate(job, history, now);
    if (!rate) return unknown("no processing rate observed yet");
    // A whole window without progress: it will not finish at this rate, whatever the deadline.
    auto ev = verdict(AlarmState::Alarm, explain, [&] {
      return fmt::format("{}: no records processed since {} ({} left); expires {}", job.name, minute_time(rate->from),
                         with_thousands(*job.total - job.processed.value_or(0)), minute_time(*job.expiration_time));
    });
    return ev;
  }
  const auto late = *finish - deadline;
  auto ev = verdict(late > Duration{0} ? AlarmState::Alarm : AlarmState::Ok, explain, [&] {
    if (late > Duration{0})
      return fmt::format("{}: projected to finish {}, {} after expiry - margin ({} - {})", job.name,
                         minute_time(*finish), human_duration(late), minute_time(*job.expiration_time),
                         human_duration(spec.margin));
    return fmt::format("{}: projected to finish {}, {} before expiry - margin ({} - {})", job.name,
                       minute_time(*finish), human_duration(-late), minute_time(*job.expiration_time),
                       human_duration(spec.margin));
  });
  ev.value = static_cast<double>(late.count());
  return ev;
}

Evaluation evaluate_job_concurrency(const JobConcurrencySpec& spec, const std::vector<const JobSnapshot*>& jobs,
                                    Explain explain) {
  std::int64_t count = 0;
  for (const auto* job : jobs)
    if (job != nullptr && listed(spec.statuses, job->status)) ++count;
  auto ev = verdict(static_cast<double>(count) > spec.above ? AlarmState::Alarm : AlarmState::Ok, explain, [&] {
    return fmt::format("{} jobs {} (limit {})", count, fmt::join(spec.statuses, "/"), spec.above);
  });
  ev.value = static_cast<double>(count);
  return ev;
}

}  // namespace bw
