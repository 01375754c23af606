// The exec target: small /bin/sh scripts in a temp dir stand in for hooks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/delivery/targets.hpp"
#include "tests/support/processes.hpp"
#include "tests/unit/agent/target_rows.hpp"

namespace bw::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::kKey;
using testing::kModel;
using testing::target_row;
using Outcome = Delivery::Outcome;
using std::chrono::milliseconds;

class Hooks : public ::testing::Test {
 protected:
  std::string script(const std::string& name, const std::string& body) const { return dir_.script(name, body); }
  std::string path(const std::string& name) const { return dir_.path(name); }
  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  Delivery run(std::vector<std::string> command, milliseconds timeout = milliseconds(10000)) const {
    aws::ProcessOptions options;
    options.timeout = timeout;
    options.kill_grace = milliseconds(300);
    return ExecSender(std::move(command), options).deliver(target_row());
  }

  bw::testing::ScriptDir dir_{"bw_exec"};
};

TEST_F(Hooks, ArgvIsSubstitutedAndNeverSeenByAShell) {
  const auto hook = script("args.sh", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$OUT\"\n");
  const auto canary = path("canary");
  ::setenv("OUT", path("out").c_str(), 1);
  const auto d = run({hook, "--model", "{{labels.modelId}}", "{{ rule }}/{{state}}", "$(touch " + canary + ")",
                      "a b;c", "{{labels.nope}}", "{{unknown}}", "{{value}}", "`id`*"});
  ::unsetenv("OUT");
  EXPECT_EQ(d.outcome, Outcome::Delivered) << d.detail;
  EXPECT_THAT(lines(read(path("out"))),
              ElementsAre("--model", kModel, "input-tokens-high/ALARM", "$(touch " + canary + ")", "a b;c", "",
                          "{{unknown}}", "1250000.0", "`id`*"));
  EXPECT_FALSE(fs::exists(canary));
}

TEST_F(Hooks, SubstitutedTextIsNotRescanned) {
  EventFields e;
  e.rule = "{{state}}";
  e.state = "ALARM";
  EXPECT_THAT(substitute_argv({"{{rule}}", "x{{state}}y{{", "{{labels.a}}"}, e),
              ElementsAre("{{state}}", "xALARMy{{", ""));
}

TEST_F(Hooks, EnvironmentCarriesTheEvent) {
  const auto hook = script("env.sh", "env > \"$0.env\"\n");
  ::setenv("BW_EXEC_TEST_INHERITED", "yes", 1);
  ::setenv("BATCHWATCH_RULE", "stale", 1);  // the agent's own value must not leak through
  const auto d = run({hook});
  ::unsetenv("BW_EXEC_TEST_INHERITED");
  ::unsetenv("BATCHWATCH_RULE");
  EXPECT_EQ(d.outcome, Outcome::Delivered) << d.detail;
  const auto env = lines(read(hook + ".env"));
  const auto row = target_row();
  const auto has = [&](const std::string& entry) { return std::count(env.begin(), env.end(), entry); };
  EXPECT_EQ(has("BATCHWATCH_EVENT=" + row.payload), 1);
  EXPECT_EQ(has("BATCHWATCH_RULE=input-tokens-high"), 1);
  EXPECT_EQ(has("BATCHWATCH_RULE=stale"), 0);
  EXPECT_EQ(has("BATCHWATCH_STATE=ALARM"), 1);
  EXPECT_EQ(has("BATCHWATCH_VALUE=1250000.0"), 1);
  EXPECT_EQ(has(std::string("BATCHWATCH_IDEMPOTENCY_KEY=") + kKey), 1);
  EXPECT_EQ(has(std::string("BATCHWATCH_LABEL_MODELID=") + kModel), 1);
  EXPECT_EQ(has("BATCHWATCH_LABEL_MODEL_FAMILY=claude"), 1);
  EXPECT_EQ(has("BW_EXEC_TEST_INHERITED=yes"), 1);
  EXPECT_EQ(label_env_name("a.b-c/d9"), "BATCHWATCH_LABEL_A_B_C_D9");
}

TEST_F(Hooks, SeverityIsInTheEnvironmentAndArgvWhenTheRuleHasOne) {
  auto row = target_row();
  EXPECT_EQ(event_fields(row).severity, "");
  const auto none = hook_environment({}, row, event_fields(row));
  EXPECT_EQ(std::count_if(none.begin(), none.end(), [](const std::string& e) { return e.starts_with("BATCHWATCH_SEVERITY="); }), 0);
  auto payload = nlohmann::json::parse(row.payload);
  payload["batchwatch"]["severity"] = "warning";
  row.payload = payload.dump();
  const auto event = event_fields(row);
  const auto env = hook_environment({}, row, event);
  EXPECT_EQ(std::count(env.begin(), env.end(), "BATCHWATCH_SEVERITY=warning"), 1);
  EXPECT_THAT(substitute_argv({"--severity={{severity}}"}, event), ElementsAre("--severity=warning"));
}

TEST_F(Hooks, JobNotificationsCarryTheJobInTheEnvironment) {
  auto row = target_row();
  const auto plain = hook_environment({}, row, event_fields(row));
  const auto is_job_variable = [](const std::string& e) { return e.starts_with("BATCHWATCH_JOB_"); };
  EXPECT_EQ(std::count_if(plain.begin(), plain.end(), is_job_variable), 0);
  auto payload = nlohmann::json::parse(row.payload);
  payload["batchwatch"]["job"] = {{"jobArn", "arn:aws:bedrock:us-east-1:1:model-invocation-job/x"},
                                  {"jobName", "nightly"},
                                  {"status", "Failed"},
                                  {"outputS3Uri", "s3://out/nightly/"}};
  row.payload = payload.dump();
  const auto env = hook_environment({}, row, event_fields(row));
  for (const char* want : {"BATCHWATCH_JOB_ARN=arn:aws:bedrock:us-east-1:1:model-invocation-job/x",
                           "BATCHWATCH_JOB_NAME=nightly", "BATCHWATCH_JOB_STATUS=Failed",
                           "BATCHWATCH_JOB_OUTPUT_URI=s3://out/nightly/"})
    EXPECT_EQ(std::count(env.begin(), env.end(), want), 1) << want;
}

TEST_F(Hooks, EventJsonOnStdin) {
  const auto hook = script("stdin.sh", "cat > \"$0.in\"\n");
  EXPECT_EQ(run({hook}).outcome, Outcome::Delivered);
  EXPECT_EQ(read(hook + ".in"), target_row().payload + "\n");
}

TEST_F(Hooks, ExitStatusDecidesAndOutputIsKept) {
  const auto ok = run({script("ok.sh", "echo started etl; echo warn >&2\n")});
  EXPECT_EQ(ok.outcome, Outcome::Delivered);
  EXPECT_THAT(ok.detail, StartsWith("exec " + path("ok.sh") + ": exit 0 after "));
  EXPECT_THAT(ok.detail, HasSubstr("; output: started etl\nwarn"));

  const auto failed = run({script("fail.sh", "echo cannot reach etl >&2; exit 3\n")});
  EXPECT_EQ(failed.outcome, Outcome::Retry);
  EXPECT_THAT(failed.detail, HasSubstr(": exit 3 after "));
  EXPECT_THAT(failed.detail, HasSubstr("output: cannot reach etl"));

  const auto signalled = run({script("sig.sh", "kill -KILL $$\n")});
  EXPECT_EQ(signalled.outcome, Outcome::Retry);
  EXPECT_THAT(signalled.detail, HasSubstr("killed by signal 9"));

  const auto missing = run({path("no-such-hook")});
  EXPECT_EQ(missing.outcome, Outcome::Retry);
  EXPECT_EQ(missing.detail, "exec: cannot run \"" + path("no-such-hook") + "\": No such file or directory");
}

using bw::testing::gone;

TEST_F(Hooks, TimeoutTerminatesTheWholeProcessGroup) {
  const auto hook = script("slow.sh", "sleep 30 &\necho $! > \"$0.child\"\nwait\n");
  const auto start = std::chrono::steady_clock::now();
  const auto d = run({hook}, milliseconds(500));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  EXPECT_EQ(d.outcome, Outcome::Retry);
  EXPECT_THAT(d.detail, StartsWith("exec " + hook + ": timed out after 0.5s; SIGTERM sent to its process group"));
  const auto child = std::stoi(read(hook + ".child"));
  EXPECT_TRUE(gone(child)) << "the hook's child " << child << " outlived the timeout";
}

// Shutdown: the hook's group is stopped and the row is left owed (Interrupted), not failed (Retry).
TEST_F(Hooks, CancelInterruptsTheHookAndItsGroup) {
  const auto hook = script("long.sh", "sleep 100 &\necho $! > \"$0.child\"\nwait\n");
  ExecSender sender({hook}, aws::ProcessOptions{});
  std::thread canceller([&] {
    bw::testing::pid_in(hook + ".child");
    sender.cancel();
  });
  const auto d = sender.deliver(target_row());
  canceller.join();
  EXPECT_EQ(d.outcome, Outcome::Interrupted);
  EXPECT_THAT(d.detail, StartsWith("exec " + hook + ": stopped by shutdown after "));
  EXPECT_THAT(d.detail, HasSubstr("SIGTERM sent to its process group"));
  EXPECT_TRUE(gone(bw::testing::pid_in(hook + ".child")));
  EXPECT_EQ(sender.deliver(target_row()).outcome, Outcome::Interrupted) << "a cancelled sender starts nothing";
}

TEST_F(Hooks, ABackgroundChildHoldingTheOutputDoesNotHoldTheDelivery) {
  const auto start = std::chrono::steady_clock::now();
  const auto d = run({script("detach.sh", "sleep 3 &\necho done\n")});
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_EQ(d.outcome, Outcome::Delivered) << d.detail;
  EXPECT_THAT(d.detail, HasSubstr("output: done"));
}

}  // namespace
}  // namespace bw::agent
