// The job rule kinds, `wait_for_jobs` on drained rules and the agent file's `jobs:` key: each key lands
// in the typed config, each mistake is one FILE:LINE:COL diagnostic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

// INTERFACE.md's five examples, one per line (lines 2-6).
const char* const kInterfaceJobRules = R"(rules:
  - {name: job-ended-badly, kind: job_status, statuses: [Failed, Stopped, Expired, PartiallyCompleted], notify: []}
  - {name: job-stuck, kind: job_stuck, statuses: [Submitted, Validating, Scheduled], for: 2h, notify: []}
  - {name: job-errors, kind: job_errors, above: 1%, min_processed: 100, notify: []}
  - {name: job-expiry, kind: job_expiry, margin: 1h, notify: []}
  - {name: jobs-near-quota, kind: job_concurrency, above: 18, notify: []}
)";

TEST(JobRules, InterfaceExamplesLand) {
  const auto p = parse(kInterfaceJobRules);
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 5u);
  EXPECT_EQ(p.rules[0].kind(), "job_status");
  EXPECT_EQ(std::get<JobStatusSpec>(p.rules[0].spec).statuses,
            (std::vector<std::string>{"Failed", "Stopped", "Expired", "PartiallyCompleted"}));
  EXPECT_EQ(p.rules[1].kind(), "job_stuck");
  EXPECT_EQ(std::get<JobStuckSpec>(p.rules[1].spec).for_, Duration{7200});
  EXPECT_EQ(p.rules[2].kind(), "job_errors");
  EXPECT_DOUBLE_EQ(std::get<JobErrorsSpec>(p.rules[2].spec).above, 0.01);
  EXPECT_EQ(std::get<JobErrorsSpec>(p.rules[2].spec).min_processed, 100);
  EXPECT_EQ(p.rules[3].kind(), "job_expiry");
  EXPECT_EQ(std::get<JobExpirySpec>(p.rules[3].spec).margin, Duration{3600});
  EXPECT_EQ(p.rules[4].kind(), "job_concurrency");
  EXPECT_EQ(std::get<JobConcurrencySpec>(p.rules[4].spec).above, 18.0);
  for (const auto& r : p.rules) {
    EXPECT_TRUE(r.is_job_rule()) << r.name;
    EXPECT_EQ(r.notify_on, (std::vector<AlarmState>{AlarmState::Alarm, AlarmState::Ok})) << r.name;
    EXPECT_EQ(r.jobs.model, "*");
    EXPECT_EQ(r.jobs.name, "*");
  }
}

TEST(JobRules, DefaultsAndFilter) {
  const auto p = parse(R"(rules:
  - {name: a, kind: job_status}
  - {name: b, kind: job_stuck, jobs: {model: "anthropic.*", name: "nightly-*"}}
  - {name: c, kind: job_errors}
  - {name: d, kind: job_expiry, margin: 0s}
  - {name: e, kind: job_concurrency, above: 3, statuses: [InProgress, InProgress, Stopping]}
)");
  ASSERT_THAT(p.diags, IsEmpty());
  ASSERT_EQ(p.rules.size(), 5u);
  EXPECT_EQ(std::get<JobStatusSpec>(p.rules[0].spec).statuses, JobStatusSpec{}.statuses);
  EXPECT_EQ(std::get<JobStuckSpec>(p.rules[1].spec).statuses,
            (std::vector<std::string>{"Submitted", "Validating", "Scheduled"}));
  EXPECT_EQ(std::get<JobStuckSpec>(p.rules[1].spec).for_, Duration{7200});
  EXPECT_EQ(p.rules[1].jobs.model, "anthropic.*");
  EXPECT_EQ(p.rules[1].jobs.name, "nightly-*");
  EXPECT_DOUBLE_EQ(std::get<JobErrorsSpec>(p.rules[2].spec).above, 0.01);
  EXPECT_EQ(std::get<JobErrorsSpec>(p.rules[2].spec).min_processed, 100);
  EXPECT_EQ(std::get<JobExpirySpec>(p.rules[3].spec).margin, Duration{0});
  EXPECT_EQ(std::get<JobConcurrencySpec>(p.rules[4].spec).statuses,
            (std::vector<std::string>{"InProgress", "Stopping"}));
}

TEST(JobRules, DrainedWaitForJobs) {
  const std::string head = "rules:\n  - {name: d, kind: drained, metric: {namespace: N, name: M, period: 1m}";
  auto p = parse(head + ", wait_for_jobs: true}\n");
  ASSERT_THAT(p.diags, IsEmpty());
  EXPECT_TRUE(std::get<DrainedSpec>(p.rules[0].spec).wait_for_jobs);
  p = parse(head + "}\n");
  ASSERT_THAT(p.diags, IsEmpty());
  EXPECT_FALSE(std::get<DrainedSpec>(p.rules[0].spec).wait_for_jobs);
  EXPECT_THAT(parse(head + ", wait_for_jobs: yes please}\n").diags,
              ElementsAre("rules.yaml:2:90: \"wait_for_jobs\" must be true or false, not \"yes please\""));
}

struct Rejected {
  const char* what;
  const char* rule;  // one flow-style item; the rule starts on line 2, column 5
  const char* diag;
};

class RejectedJobRules : public ::testing::TestWithParam<Rejected> {};

TEST_P(RejectedJobRules, OneDiagnosticAtTheRightPlace) {
  const auto& c = GetParam();
  const auto p = parse(std::string("rules:\n  - ") + c.rule + "\n");
  EXPECT_THAT(p.diags, ElementsAre(c.diag)) << c.what;
  EXPECT_THAT(p.rules, IsEmpty()) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RejectedJobRules,
    ::testing::Values(
        Rejected{"misspelt status", "{name: a, kind: job_status, statuses: [Faild]}",
                 "rules.yaml:2:44: unknown job status \"Faild\" (did you mean \"Failed\"?) (Bedrock's statuses: "
                 "Submitted, Validating, Scheduled, InProgress, Stopping, Completed, Failed, Stopped, Expired, "
                 "PartiallyCompleted)"},
        Rejected{"status in the wrong case", "{name: a, kind: job_concurrency, above: 1, statuses: [inprogress]}",
                 "rules.yaml:2:59: unknown job status \"inprogress\" (did you mean \"InProgress\"?) (Bedrock's "
                 "statuses: Submitted, Validating, "
                 "Scheduled, InProgress, Stopping, Completed, Failed, Stopped, Expired, PartiallyCompleted)"},
        Rejected{"no statuses", "{name: a, kind: job_status, statuses: []}",
                 "rules.yaml:2:43: \"statuses\" lists no job statuses (leave it out for the job_status default)"},
        Rejected{"stuck in a final status", "{name: a, kind: job_stuck, statuses: [Scheduled, Failed]}",
                 "rules.yaml:2:54: \"Failed\" is a final status, so a job in it is never stuck; job_stuck watches "
                 "Submitted, Validating, Scheduled, InProgress and Stopping (use job_status to be told about "
                 "Failed jobs)"},
        Rejected{"bad for", "{name: a, kind: job_stuck, for: soon}",
                 "rules.yaml:2:37: invalid duration \"soon\" (use e.g. 90s, 5m, 6h, 7d)"},
        Rejected{"percentage over 100", "{name: a, kind: job_errors, above: 150%}",
                 "rules.yaml:2:40: \"above\" must be from 0% to less than 100% of the processed records, not 150%"},
        Rejected{"a bare 1 meant as 1%", "{name: a, kind: job_errors, above: 1}",
                 "rules.yaml:2:40: \"above\" must be from 0% to less than 100% of the processed records, not 100% "
                 "(did you mean 1%?)"},
        Rejected{"not a percentage", "{name: a, kind: job_errors, above: lots}",
                 "rules.yaml:2:40: \"above\" must be a percentage such as 50% (or a fraction such as 0.5), not "
                 "\"lots\""},
        Rejected{"negative min_processed", "{name: a, kind: job_errors, min_processed: -1}",
                 "rules.yaml:2:48: \"min_processed\" must be 0 or more, not -1 (the error rate is judged once this "
                 "many records are processed)"},
        Rejected{"concurrency without above", "{name: a, kind: job_concurrency}",
                 "rules.yaml:2:5: rule \"a\" is missing \"above\" (the number of concurrent jobs above which to "
                 "alarm, e.g. above: 18 for a quota of 20)"},
        Rejected{"negative concurrency", "{name: a, kind: job_concurrency, above: -2}",
                 "rules.yaml:2:45: \"above\" must be a count of jobs, 0 or more, not -2.0"},
        Rejected{"a metric on a job rule", "{name: a, kind: job_expiry, metric: {namespace: N, name: M}}",
                 "rules.yaml:2:33: job_expiry rules have no \"metric\": they judge the Bedrock job list (narrow it "
                 "with jobs: {model: \"...\", name: \"...\"})"},
        Rejected{"unknown filter key", "{name: a, kind: job_status, jobs: {modelId: \"x*\"}}",
                 "rules.yaml:2:40: unknown key \"modelId\" (did you mean \"model\"?)"},
        Rejected{"empty filter", "{name: a, kind: job_status, jobs: {name: \"\"}}",
                 "rules.yaml:2:46: \"jobs.name\" is empty (a glob such as \"*\" or \"nightly-*\")"},
        Rejected{"a key of another kind", "{name: a, kind: job_status, margin: 1h}",
                 "rules.yaml:2:33: \"margin\" does not apply to job_status rules (it is a key of job_expiry rules)"},
        Rejected{"bad margin", "{name: a, kind: job_expiry, margin: -1h}",
                 "rules.yaml:2:41: invalid duration \"-1h\" (use e.g. 90s, 5m, 6h, 7d)"}));

TEST(JobsKey, DefaultsOffUnlessPresentOrAJobRuleExists) {
  struct Row {
    const char* agent;
    bool enabled;
    Duration every, lookback;
  };
  const Row rows[] = {
      {"rules: []\n", false, Duration{60}, Duration{3 * 86400}},
      {"jobs:\nrules: []\n", true, Duration{60}, Duration{3 * 86400}},
      {"jobs: {every: 5m, lookback: 7d}\n", true, Duration{300}, Duration{7 * 86400}},
      {"rules:\n  - {name: a, kind: job_status}\n", true, Duration{60}, Duration{3 * 86400}},
  };
  TempDir dir;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.agent);
    const auto r = load(dir.agent(row.agent), fake_env);
    ASSERT_TRUE(r.config) << strings(r.diagnostics).front();
    EXPECT_EQ(r.config->jobs.enabled, row.enabled);
    EXPECT_EQ(r.config->jobs.every, row.every);
    EXPECT_EQ(r.config->jobs.lookback, row.lookback);
  }
}

TEST(JobsKey, BadValuesNameTheirPlace) {
  TempDir dir;
  const auto path = dir.agent("jobs:\n  every: often\n  lookbak: 3d\n");
  const auto r = load(path, fake_env);
  EXPECT_FALSE(r.config);
  EXPECT_THAT(strings(r.diagnostics), ElementsAre(path + ":2:10: invalid duration \"often\" (use e.g. 90s, 5m, 6h, 7d)",
                                                  path + ":3:3: unknown key \"lookbak\" (did you mean \"lookback\"?)"));
}

TEST(JobsKey, AccountsLeaveJobRulesWithoutDimensions) {
  TempDir dir;
  const auto r =
      load(dir.agent("aws:\n  accounts:\n    - {name: prod, role_arn: \"arn:aws:iam::123456789012:role/r\"}\n"
                     "rules:\n  - {name: a, kind: job_status}\n"),
           fake_env);
  ASSERT_TRUE(r.config) << strings(r.diagnostics).front();
  EXPECT_TRUE(r.config->rules[0].metric.dimensions.empty());
}

}  // namespace
}  // namespace bw::config
