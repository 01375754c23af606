// load(): the agent file, rule files found through its globs, and diagnostics across all of them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/test_support.hpp"

namespace bw::config {
namespace {

using namespace testing;

// The INTERFACE.md agent file, with real endpoint URLs in place of "...".
const char* const kAgentExample = R"(aws:
  region: us-east-1                  # else AWS_REGION / AWS_DEFAULT_REGION / profile / IMDS
  profile: ops                       # optional; else the default credential chain
  endpoint_url: http://127.0.0.1:5000   # optional: one endpoint for every service (moto, LocalStack)
  endpoints: {monitoring: "http://127.0.0.1:5001", sns: "http://127.0.0.1:5002"}
poll:
  delay: 2m                          # newest period trusted only this long after it ends
  catch_up: 3h                       # after start or a gap, evaluate the missed time (bounded)
state:
  path: ./batchwatch.db              # SQLite file; created if absent
server:
  listen: 127.0.0.1:9917             # status server; "" disables it
targets:                             # where notifications go; rules refer to them by name
  ops-email:
    type: sns
    topic_arn: arn:aws:sns:us-east-1:123456789012:bedrock-batch-ops
  start-etl:
    type: exec
    command: ["/usr/local/bin/start-etl", "--model", "{{labels.modelId}}"]
    timeout: 60s
  pipeline:
    type: webhook
    url: https://hooks.example.com/bedrock
    secret: ${WEBHOOK_SECRET}        # ${VAR} is read from the environment at load time
rule_files:
  - rules/*.yaml                     # relative paths are relative to this file
)";

const char* const kDrainedRule = R"(  - name: backlog-drained
    kind: drained
    metric: {namespace: AWS/Bedrock/Batch, name: NumberOfRecordsPendingProcessing,
             dimensions: {modelId: "*"}, stat: Maximum, period: 1m}
    for: 5m                          # backlog must stay at zero this long
    notify: [start-etl, ops-email]
)";

TEST(Load, InterfaceAgentExampleLandsInTheTypedConfig) {
  TempDir dir;
  const auto agent = dir.agent(kAgentExample);
  dir.write("rules/bedrock.yaml", kInterfaceThresholdRule);
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;
  EXPECT_EQ(c.path, agent);
  EXPECT_EQ(c.aws.region, "us-east-1");
  EXPECT_EQ(c.aws.profile, "ops");
  EXPECT_EQ(c.aws.endpoint_url, "http://127.0.0.1:5000");
  EXPECT_EQ(c.aws.endpoints, (std::map<std::string, std::string>{{"monitoring", "http://127.0.0.1:5001"},
                                                                  {"sns", "http://127.0.0.1:5002"}}));
  EXPECT_EQ(c.poll.delay, Duration{120});
  EXPECT_EQ(c.poll.catch_up, Duration{3 * 3600});
  EXPECT_EQ(c.state_path, dir.path("batchwatch.db"));
  EXPECT_EQ(c.server_listen, "127.0.0.1:9917");

  ASSERT_EQ(c.targets.size(), 3u);
  const auto& sns = c.targets.at("ops-email");
  EXPECT_EQ(sns.name, "ops-email");
  EXPECT_EQ(sns.type(), "sns");
  EXPECT_EQ(std::get<SnsTarget>(sns.spec).topic_arn, "arn:aws:sns:us-east-1:123456789012:bedrock-batch-ops");
  const auto& exec = c.targets.at("start-etl");
  EXPECT_EQ(exec.type(), "exec");
  EXPECT_EQ(std::get<ExecTarget>(exec.spec).command,
            (std::vector<std::string>{"/usr/local/bin/start-etl", "--model", "{{labels.modelId}}"}));
  EXPECT_EQ(std::get<ExecTarget>(exec.spec).timeout, Duration{60});
  const auto& hook = c.targets.at("pipeline");
  EXPECT_EQ(hook.type(), "webhook");
  EXPECT_EQ(std::get<WebhookTarget>(hook.spec).url, "https://hooks.example.com/bedrock");
  EXPECT_EQ(std::get<WebhookTarget>(hook.spec).secret, "s3cret");
  EXPECT_EQ(std::get<WebhookTarget>(hook.spec).timeout, Duration{10});

  EXPECT_EQ(c.rule_files, std::vector<std::string>{dir.path("rules/bedrock.yaml")});
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].name, "input-tokens-high");
  EXPECT_EQ(c.rules[0].file, dir.path("rules/bedrock.yaml"));
  EXPECT_EQ(c.rules[0].metric.period, Duration{6 * 3600});
  EXPECT_EQ(c.rules[0].notify, std::vector<std::string>{"ops-email"});
}

TEST(Load, DrainedRuleFromTheExampleLoads) {
  TempDir dir;
  const auto agent = dir.agent(kAgentExample);
  dir.write("rules/bedrock.yaml", std::string(kInterfaceThresholdRule) + kDrainedRule);
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  ASSERT_EQ(r.config->rules.size(), 2u);
  const auto& d = r.config->rules[1];
  EXPECT_EQ(d.kind(), "drained");
  EXPECT_EQ(std::get<DrainedSpec>(d.spec).hold, Duration{300});
  EXPECT_EQ(d.notify, (std::vector<std::string>{"start-etl", "ops-email"}));
  EXPECT_EQ(d.notify_on, std::vector<AlarmState>{AlarmState::Drained});
}

TEST(Load, EnvironmentInterpolation) {
  TempDir dir;
  const std::string good = R"(aws:
  region: ${REGION}
  profile: ${PROFILE:-default-profile}
  endpoint_url: "${EMPTY:-http://localhost:4566}"
targets:
  hook:
    type: webhook
    url: https://x.example/$${literal}/${TOPIC}
)";
  const auto agent = dir.agent(good + R"(    secret: "${MISSING_SECRET}"
  t2:
    type: sns
    topic_arn: arn:aws:sns:us-east-1:123456789012:${TOPIC
)");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":9:13: environment variable \"MISSING_SECRET\" is not set (set it, or write "
                                  "${MISSING_SECRET:-default})",
                          agent + ":12:16: unterminated \"${\" (write ${NAME} or ${NAME:-default}; use \"$${\" for a "
                                  "literal \"${\")"));

  // The same file without the broken values shows what the good ones became.
  dir.agent(good);
  const auto ok = load(agent, fake_env);
  ASSERT_THAT(strings(ok.diagnostics), IsEmpty());
  EXPECT_EQ(ok.config->aws.region, "eu-west-1");
  EXPECT_EQ(ok.config->aws.profile, "default-profile");
  EXPECT_EQ(ok.config->aws.endpoint_url, "http://localhost:4566");  // ":-" also covers set-but-empty
  EXPECT_EQ(std::get<WebhookTarget>(ok.config->targets.at("hook").spec).url,
            "https://x.example/${literal}/bedrock-batch-ops");
}

TEST(Load, DuplicateRuleNamesAcrossFilesNameTheFirstDefinition) {
  TempDir dir;
  const auto agent = dir.agent("rule_files: [rules/a.yaml, rules/b.yaml]\n");
  const auto a = dir.write("rules/a.yaml", "rules:\n" + threshold_rule("one") + threshold_rule("shared"));
  const auto b = dir.write("rules/b.yaml", "# second file\nrules:\n" + threshold_rule("shared"));
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(b + ":3:12: duplicate rule name \"shared\" (first defined at " + a + ":3)"));
}

TEST(Load, InlineRulesComeFirstAndShareNamesWithRuleFiles) {
  TempDir dir;
  const auto agent = dir.agent("targets:\n  t: {type: sns, topic_arn: \"arn:aws:sns:us-east-1:123456789012:x\"}\n"
                               "rule_files: [\"*.rules.yaml\"]\nrules:\n" +
                               threshold_rule("inline", "t"));
  dir.write("b.rules.yaml", "rules:\n" + threshold_rule("from-b", "t"));
  dir.write("a.rules.yaml", "rules:\n" + threshold_rule("from-a"));
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  std::vector<std::string> names;
  for (const auto& x : r.config->rules) names.push_back(x.name);
  EXPECT_THAT(names, ElementsAre("inline", "from-a", "from-b"));
  EXPECT_EQ(r.config->rules[0].file, agent);

  const auto dup = dir.write("a.rules.yaml", "rules:\n" + threshold_rule("inline"));
  r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(dup + ":2:12: duplicate rule name \"inline\" (first defined at " + agent + ":5)"));
}

TEST(Load, NotifyNamingAnUnknownTarget) {
  TempDir dir;
  const auto agent = dir.agent(kAgentExample);
  const auto rules = dir.write("rules/x.yaml", "rules:\n" + threshold_rule("a", "ops-emial, pipeline, nobody"));
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(rules + ":2:106: unknown target \"ops-emial\" in notify (did you mean \"ops-email\"?)",
                          rules + ":2:127: unknown target \"nobody\" in notify (defined targets: ops-email, "
                                  "pipeline, start-etl)"));
}

TEST(Load, GlobMatchingNothingPointsAtTheGlob) {
  TempDir dir;
  const auto agent = dir.agent("rule_files:\n  - rules/*.yaml\n  - extra.yaml\n");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:5: \"rules/*.yaml\" matched no files (relative paths are relative to the "
                                  "agent file's directory, " + dir.path() + ")",
                          agent + ":3:5: rule file \"extra.yaml\" does not exist (relative paths are relative to "
                                  "the agent file's directory, " + dir.path() + ")"));
}

TEST(Load, RelativePathsResolveAgainstTheAgentFileDirectory) {
  TempDir dir;
  const auto agent = dir.write("etc/agent.yaml", "state: {path: data/state.db}\n"
                                                 "rule_files: [../rules/*.yaml, ../rules/one.yaml, \"" +
                                                     dir.path("abs/*.yaml") + "\"]\n");
  dir.write("rules/one.yaml", "rules:\n" + threshold_rule("one"));
  dir.write("rules/two.yaml", "rules:\n" + threshold_rule("two"));
  dir.write("abs/three.yaml", "rules:\n" + threshold_rule("three"));
  const auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->state_path, dir.path("etc/data/state.db"));
  // one.yaml is matched twice but loaded once.
  EXPECT_THAT(r.config->rule_files,
              ElementsAre(dir.path("rules/one.yaml"), dir.path("rules/two.yaml"), dir.path("abs/three.yaml")));
  EXPECT_EQ(r.config->rules.size(), 3u);

  dir.write("etc/agent.yaml", "state: {path: /var/lib/batchwatch/bw.db}\n");
  EXPECT_EQ(load(agent, fake_env).config->state_path, "/var/lib/batchwatch/bw.db");
  dir.write("etc/agent.yaml", "{}\n");
  EXPECT_EQ(load(agent, fake_env).config->state_path, dir.path("etc/batchwatch.db"));
}

TEST(Load, StateRetentionDefaultsTo30DaysAndKeepsAtLeastAnHour) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "{}\n");
  EXPECT_EQ(load(agent, fake_env).config->state_retention, Duration{30 * 86400});
  dir.write("agent.yaml", "state: {retention: 7d}\n");
  EXPECT_EQ(load(agent, fake_env).config->state_retention, Duration{7 * 86400});
  dir.write("agent.yaml", "state:\n  retention: 10m\n");
  EXPECT_THAT(strings(load(agent, fake_env).diagnostics),
              ElementsAre(agent + ":2:14: \"state.retention\" is 10m; keep at least 1h of history (default 30d)"));
  dir.write("agent.yaml", "state:\n  retention: forever\n");
  const auto bad = load(agent, fake_env);
  ASSERT_EQ(bad.diagnostics.size(), 1u);
  EXPECT_EQ(bad.diagnostics[0].line, 2);
  EXPECT_FALSE(bad.config);
}

TEST(Load, MissingAgentFileIsAFileLevelDiagnostic) {
  TempDir dir;
  const auto missing = dir.path("nope.yaml");
  const auto r = load(missing, fake_env);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].line, 0);
  EXPECT_EQ(r.diagnostics[0].str(), missing + ": cannot read file: No such file or directory");
  EXPECT_FALSE(r.config);
}

TEST(Load, YamlSyntaxErrorInTheAgentFile) {
  TempDir dir;
  const auto agent = dir.agent("poll:\n  delay: 2m\n catch_up: 3h\n");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics), ElementsAre(agent + ":3:2: YAML syntax error: end of map not found"));
}

TEST(Load, UnknownKeysEverywhere) {
  TempDir dir;
  const auto agent = dir.agent(R"(aws:
  regoin: us-east-1
pol:
  delay: 2m
poll: {delay: 2m, catchup: 1h}
state: {paht: x.db}
server: {listen: "", port: 1}
targets:
  t:
    type: sns
    topic_arn: arn:aws:sns:us-east-1:123456789012:x
    subject: hi
rule_file: [x]
)");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:3: unknown key \"regoin\" (did you mean \"region\"?)",
                          agent + ":3:1: unknown key \"pol\" (did you mean \"poll\"?)",
                          agent + ":5:19: unknown key \"catchup\" (did you mean \"catch_up\"?)",
                          agent + ":6:9: unknown key \"paht\" (did you mean \"path\"?)",
                          agent + ":7:22: unknown key \"port\" (expected one of: listen, auth_token)",
                          agent + ":12:5: unknown key \"subject\" (expected one of: type, topic_arn, max_age)",
                          agent + ":13:1: unknown key \"rule_file\" (did you mean \"rule_files\"?)"));
}

TEST(Load, TargetValidation) {
  TempDir dir;
  const auto agent = dir.agent(R"(targets:
  "bad name": {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:x"}
  a: {type: sms}
  b: {type: sns, topic_arn: "arn:aws:sqs:us-east-1:123456789012:x"}
  c: {type: exec, command: [], timeout: 1 minute}
  d: {type: webhook, url: "ftp://example.com"}
  e: {url: "https://example.com"}
  f:
  g: [sns]
rules:
)" + threshold_rule("r", "a, b, c, d, e, f, g"));
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":2:3: invalid target name \"bad name\" (use letters, digits, \".\", \"_\" "
                                  "and \"-\")",
                          agent + ":3:13: unknown target type \"sms\" (did you mean \"sns\"?)",
                          agent + ":4:29: invalid topic_arn \"arn:aws:sqs:us-east-1:123456789012:x\" (expected "
                                  "arn:aws:sns:REGION:ACCOUNT:TOPIC, e.g. arn:aws:sns:us-east-1:123456789012:ops)",
                          agent + ":5:28: \"command\" must start with the program to run, e.g. "
                                  "[\"/usr/local/bin/hook\", \"--flag\"] (it is run without a shell)",
                          agent + ":5:41: invalid duration \"1 minute\" (use e.g. 90s, 5m, 6h, 7d)",
                          agent + ":6:27: invalid webhook url \"ftp://example.com\" (use an http:// or https:// URL)",
                          agent + ":7:6: target \"e\" is missing \"type\" (sns, exec, webhook, eventbridge or stepfunctions)",
                          agent + ":8:3: target \"f\" is empty (give it a type: sns, exec, webhook, eventbridge or stepfunctions)",
                          agent + ":9:6: target \"g\" must be a map (key: value pairs), not a list"));
}

TEST(Load, ShutdownGrace) {
  TempDir dir;
  const auto agent = dir.write("agent.yaml", "server: {listen: \"\"}\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->shutdown_grace, Duration{10});

  dir.write("agent.yaml", "shutdown: {grace: 30s}\n");
  r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->shutdown_grace, Duration{30});

  dir.write("agent.yaml", "shutdown:\n  grace: 0s\n");
  r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->shutdown_grace, Duration{0});

  dir.write("agent.yaml", "shutdown:\n  grace: soon\n  graze: 1s\n");
  r = load(agent, fake_env);
  const auto problems = strings(r.diagnostics);
  ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(problems);
  EXPECT_THAT(problems[0], ::testing::StartsWith(agent + ":2:10: "));
  EXPECT_THAT(problems[0], ::testing::HasSubstr("soon"));
  EXPECT_EQ(problems[1], agent + ":3:3: unknown key \"graze\" (did you mean \"grace\"?)");
}

TEST(Load, ServerAndPollSettings) {
  TempDir dir;
  const auto agent = dir.agent("server: {listen: \"\"}\npoll: {delay: 0s, catch_up: 0}\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->server_listen, "");
  EXPECT_EQ(r.config->poll.delay, Duration{0});
  EXPECT_EQ(r.config->poll.catch_up, Duration{0});

  dir.agent("server: {listen: \"[::1]:0\"}\n");
  r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->server_listen, "[::1]:0");

  dir.agent("server:\n  listen: localhost\naws: {region: US East}\n");
  EXPECT_THAT(strings(load(agent, fake_env).diagnostics),
              ElementsAre(agent + ":2:11: invalid listen address \"localhost\" (use HOST:PORT such as "
                                  "127.0.0.1:9917, or \"\" to disable the status server)",
                          agent + ":3:15: invalid region \"US East\" (use a region code such as us-east-1)"));
}

TEST(Load, AStatusServerBeyondLoopbackNeedsAnAuthToken) {
  TempDir dir;
  const auto agent = dir.agent("server:\n  listen: 0.0.0.0:9917\n");
  EXPECT_THAT(strings(load(agent, fake_env).diagnostics),
              ElementsAre(::testing::AllOf(::testing::StartsWith(agent + ":2:11: server.listen \"0.0.0.0:9917\" is not a "
                                                                         "loopback address, so server.auth_token is required"),
                                           ::testing::HasSubstr("job names"))));

  dir.agent("server: {listen: \"0.0.0.0:9917\", auth_token: \"${WEBHOOK_SECRET}\"}\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->server_auth_token, "s3cret");  // from the environment, like every ${VAR}

  dir.agent("server: {listen: \"[::2]:80\", auth_token: \"${EMPTY}\"}\n");  // an empty token is no token
  EXPECT_EQ(load(agent, fake_env).diagnostics.size(), 1u);

  for (const char* local : {"127.0.0.1:9917", "127.1.2.3:0", "localhost:9917", "[::1]:9917"}) {
    dir.agent(std::string("server: {listen: \"") + local + "\"}\n");
    r = load(agent, fake_env);
    EXPECT_THAT(strings(r.diagnostics), IsEmpty()) << local;
    EXPECT_EQ(r.config->server_auth_token, "") << local;
  }
}

TEST(Load, CaBundleAndFipsFromTheAgentFile) {
  TempDir dir;
  const auto agent = dir.write("etc/agent.yaml", "aws:\n  ca_bundle: certs/corp-ca.pem\n  use_fips: true\n");
  auto r = load(agent, fake_env);
  ASSERT_THAT(strings(r.diagnostics), IsEmpty());
  EXPECT_EQ(r.config->aws.ca_bundle, dir.path("etc/certs/corp-ca.pem"));  // like every path: from the file's directory
  EXPECT_TRUE(r.config->aws.use_fips);

  dir.write("etc/agent.yaml", "aws: {region: us-east-1}\n");
  r = load(agent, fake_env);
  EXPECT_EQ(r.config->aws.ca_bundle, "");
  EXPECT_FALSE(r.config->aws.use_fips);

  dir.write("etc/agent.yaml", "aws:\n  use_fips: yes please\n");
  EXPECT_THAT(strings(load(agent, fake_env).diagnostics),
              ElementsAre(agent + ":2:13: \"use_fips\" must be true or false, not \"yes please\""));
}

TEST(Load, WrongShapesNeverThrow) {
  TempDir dir;
  const auto agent = dir.agent(R"(aws: us-east-1
poll: [2m]
targets: [a, b]
rule_files: rules/*.yaml
rules: {name: r}
)");
  const auto r = load(agent, fake_env);
  EXPECT_THAT(strings(r.diagnostics),
              ElementsAre(agent + ":1:6: \"aws\" must be a map (key: value pairs), not a string",
                          agent + ":2:7: \"poll\" must be a map (key: value pairs), not a list",
                          agent + ":3:10: \"targets\" must be a map (key: value pairs), not a list",
                          agent + ":4:13: \"rule_files\" must be a list such as [a, b], not a string",
                          agent + ":5:8: \"rules\" must be a list of rules (each starting with \"- name: ...\"), "
                                  "not a map"));
  dir.agent("- just\n- a list\n");
  EXPECT_THAT(strings(load(agent, fake_env).diagnostics),
              ElementsAre(agent + ":1:1: the agent file must be a map (key: value pairs), not a list"));
}

TEST(Load, ProblemsAcrossEveryFileAreAllCollected) {
  TempDir dir;
  const auto agent = dir.agent("poll: {delay: soon}\nrule_files: [a.yaml, b.yaml, c.yaml]\n");
  const auto a = dir.write("a.yaml", "rules:\n  - {name: x, kind: threshold, metric: {namespace: N, name: M, "
                                     "period: 45s}, comparison: \">\", threshold: 1}\n");
  const auto b = dir.write("b.yaml", "rules: [\n");
  const auto c = dir.write("c.yaml", "rules:\n" + threshold_rule("ok"));
  const auto r = load(agent, fake_env);
  const auto d = strings(r.diagnostics);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], agent + ":1:15: invalid duration \"soon\" (use e.g. 90s, 5m, 6h, 7d)");
  EXPECT_THAT(d[1], ::testing::StartsWith(a + ":2:72: invalid period \"45s\""));
  EXPECT_THAT(d[2], ::testing::StartsWith(b + ":"));
  EXPECT_THAT(d[2], ::testing::HasSubstr("YAML syntax error"));
  EXPECT_FALSE(r.config);
}

TEST(Load, ProcessEnvReadsTheRealEnvironment) {
  ::setenv("BW_CONFIG_TEST_VAR", "value", 1);
  EXPECT_EQ(process_env("BW_CONFIG_TEST_VAR"), "value");
  ::unsetenv("BW_CONFIG_TEST_VAR");
  EXPECT_EQ(process_env("BW_CONFIG_TEST_VAR"), std::nullopt);
}

TEST(Diagnostic, Formatting) {
  EXPECT_EQ((Diagnostic{"a.yaml", 3, 7, "bad"}).str(), "a.yaml:3:7: bad");
  EXPECT_EQ((Diagnostic{"a.yaml", 0, 0, "cannot read file"}).str(), "a.yaml: cannot read file");
}

}  // namespace
}  // namespace bw::config
