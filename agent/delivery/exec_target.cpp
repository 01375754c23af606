// The exec target: argv and environment from the notification, run by aws/process (no shell, own
// process group, a deadline), and its outcome told as a Delivery.
#include <fmt/format.h>

#include <cctype>
#include <set>

#include "agent/delivery/targets.hpp"

namespace bw::agent {
namespace {

using std::chrono::milliseconds;

std::string trim_copy(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string placeholder_value(std::string_view name, const EventFields& e, bool& known) {
  known = true;
  if (name == "rule") return e.rule;
  if (name == "state") return e.state;
  if (name == "value") return e.value;
  if (name == "idempotency_key") return e.idempotency_key;
  if (name == "severity") return e.severity;
  if (name.starts_with("labels.")) {
    const auto label = name.substr(7);
    for (const auto& [k, v] : e.labels)
      if (k == label) return v;
    return "";
  }
  known = false;
  return "";
}

}  // namespace

std::vector<std::string> substitute_argv(const std::vector<std::string>& argv, const EventFields& event) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const auto& arg : argv) {
    std::string s;
    std::size_t i = 0;
    while (i < arg.size()) {
      const auto open = arg.find("{{", i);
      const auto close = open == std::string::npos ? std::string::npos : arg.find("}}", open + 2);
      if (close == std::string::npos) {
        s.append(arg, i, std::string::npos);
        break;
      }
      s.append(arg, i, open - i);
      bool known = false;
      auto value = placeholder_value(trim_copy(std::string_view(arg).substr(open + 2, close - open - 2)), event, known);
      s += known ? value : arg.substr(open, close + 2 - open);
      i = close + 2;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string label_env_name(std::string_view label) {
  std::string name = "BATCHWATCH_LABEL_";
  for (const unsigned char c : label) name += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return name;
}

std::vector<std::string> hook_environment(const std::vector<std::string>& base, const OutboxRow& row,
                                          const EventFields& event) {
  std::vector<std::pair<std::string, std::string>> ours = {{"BATCHWATCH_EVENT", row.payload},
                                                           {"BATCHWATCH_RULE", event.rule},
                                                           {"BATCHWATCH_STATE", event.state},
                                                           {"BATCHWATCH_VALUE", event.value},
                                                           {"BATCHWATCH_IDEMPOTENCY_KEY", event.idempotency_key}};
  if (!event.severity.empty()) ours.emplace_back("BATCHWATCH_SEVERITY", event.severity);
  if (event.has_job) {
    ours.emplace_back("BATCHWATCH_JOB_ARN", event.job_arn);
    ours.emplace_back("BATCHWATCH_JOB_NAME", event.job_name);
    ours.emplace_back("BATCHWATCH_JOB_STATUS", event.job_status);
    ours.emplace_back("BATCHWATCH_JOB_OUTPUT_URI", event.job_output_uri);
  }
  for (const auto& [name, value] : event.labels) ours.emplace_back(label_env_name(name), value);
  std::set<std::string> names;
  for (const auto& [name, value] : ours) names.insert(name);
  std::vector<std::string> env;
  for (const auto& entry : base)
    if (!names.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
  for (const auto& [name, value] : ours) env.push_back(name + "=" + value);
  return env;
}

namespace {

// How the hook ended, in words for the log and the outbox row's last error.
std::string describe(const std::string& program, const aws::ProcessResult& r, const aws::ProcessOptions& options) {
  const auto secs = [](milliseconds d) { return static_cast<double>(d.count()) / 1000.0; };
  const auto then_killed = [&](milliseconds grace) {
    return r.killed ? fmt::format(", then SIGKILL after {:.1f}s", secs(grace)) : std::string();
  };
  if (r.cancelled)
    return fmt::format("exec {}: stopped by shutdown after {:.1f}s; SIGTERM sent to its process group{}", program,
                       secs(r.elapsed), then_killed(options.cancel_grace));
  if (r.timed_out)
    return fmt::format("exec {}: timed out after {:.1f}s; SIGTERM sent to its process group{}", program,
                       secs(options.timeout), then_killed(options.kill_grace));
  if (r.signal != 0) return fmt::format("exec {}: killed by signal {} after {:.1f}s", program, r.signal, secs(r.elapsed));
  if (r.exit_code < 0) return fmt::format("exec {}: exit status unknown (reaped elsewhere)", program);
  return fmt::format("exec {}: exit {} after {:.1f}s", program, r.exit_code, secs(r.elapsed));
}

}  // namespace

Delivery ExecSender::deliver(const OutboxRow& row) {
  const auto event = event_fields(row);
  const auto argv = substitute_argv(command_, event);
  const auto env = hook_environment(aws::current_environment(), row, event);
  auto options = options_;
  options.cancel = &cancel_;
  const auto r = aws::run_process(argv, env, row.payload + "\n", options);
  // Stopped by shutdown: not the hook's failure, so the row stays owed as it was.
  if (r.cancelled) return {Delivery::Outcome::Interrupted, r.started ? describe(argv.front(), r, options) : "exec: " + r.spawn_error};
  if (!r.started) return {Delivery::Outcome::Retry, "exec: " + r.spawn_error};
  std::string detail = describe(argv.front(), r, options);
  const auto output = trim_copy(r.output);
  if (!output.empty()) detail += "; output: " + output;
  if (r.dropped > 0) detail += fmt::format(" [{} more bytes not kept]", r.dropped);
  return {r.succeeded() ? Delivery::Outcome::Delivered : Delivery::Outcome::Retry, std::move(detail)};
}

}  // namespace bw::agent
