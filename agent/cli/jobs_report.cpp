#include "agent/cli/jobs_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "agent/delivery/notification.hpp"
#include "rules/human.hpp"

namespace bw::agent {
namespace {

std::string minute(Time t) { return format_rfc3339(t).substr(0, 16) + "Z"; }  // 2026-11-22T06:00Z

std::string progress(const JobSnapshot& job) {
  if (!job.total || !job.processed) return "-";
  if (*job.total <= 0) return fmt::format("{} / 0", format_count(static_cast<double>(*job.processed)));
  return fmt::format("{} / {} ({})", format_count(static_cast<double>(*job.processed)),
                     format_count(static_cast<double>(*job.total)),
                     format_percent(static_cast<double>(*job.processed) / static_cast<double>(*job.total)));
}

std::string errors(const JobSnapshot& job) {
  if (!job.errors) return "-";
  return format_count(static_cast<double>(*job.errors));
}

// "ended 2026-11-22T05:10Z", "eta 2026-11-22T09:00Z (in 2h 5m)", or "-".
std::string finish(const JobRow& row, Time now) {
  if (row.job.end_time) return "ended " + minute(*row.job.end_time);
  if (row.eta) return fmt::format("eta {} (in {})", minute(*row.eta), format_age(*row.eta - now));
  return "-";
}

}  // namespace

void sort_job_rows(std::vector<JobRow>& rows) {
  std::sort(rows.begin(), rows.end(), [](const JobRow& a, const JobRow& b) {
    const auto at = a.job.submit_time.value_or(Time{}), bt = b.job.submit_time.value_or(Time{});
    return std::tie(bt, a.job.name, a.scope) < std::tie(at, b.job.name, b.scope);
  });
}

std::string jobs_table(const std::vector<JobRow>& rows, Time now) {
  if (rows.empty()) return "no jobs submitted within jobs.lookback\n";
  const bool scoped = std::any_of(rows.begin(), rows.end(), [](const JobRow& r) { return !r.scope.account.empty(); });
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"JOB", "MODEL", "STATUS", "PROGRESS", "ERRORS", "SUBMITTED", "FINISH", "OUTPUT"});
  if (scoped) cells.back().insert(cells.back().begin(), "ACCOUNT/REGION");
  for (const auto& r : rows) {
    cells.push_back({r.job.name, r.job.model_id, r.job.status, progress(r.job), errors(r.job),
                     r.job.submit_time ? minute(*r.job.submit_time) : "-", finish(r, now),
                     r.job.output_s3_uri.empty() ? "-" : r.job.output_s3_uri});
    if (scoped) cells.back().insert(cells.back().begin(), r.scope.account + "/" + r.scope.region);
  }
  std::vector<std::size_t> width(cells.front().size(), 0);
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  std::string out;
  for (const auto& line : cells) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (i + 1 == line.size()) {
        out += line[i];
      } else {
        out += line[i];
        out.append(width[i] - line[i].size() + 2, ' ');
      }
    }
    out += '\n';
  }
  out += fmt::format("{} job(s)\n", rows.size());
  return out;
}

std::string job_json_line(const JobRow& row) {
  auto j = job_json(row.job);
  j["eta"] = row.eta ? nlohmann::json(format_rfc3339(*row.eta)) : nlohmann::json(nullptr);
  if (!row.scope.account.empty()) {
    j["account"] = row.scope.account;
    j["region"] = row.scope.region;
  }
  return j.dump();
}

}  // namespace bw::agent
