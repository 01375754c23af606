// The shared-files profile provider and credential_process, with real temporary files and processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "aws/credentials_chain.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::FakeTransport;
using fake::kT0;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string role_response(const std::string& key) {
  return "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey><SessionToken>roletoken</SessionToken>"
         "<Expiration>2026-01-15T11:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
}

class Profiles : public ::testing::Test {
 protected:
  Profiles() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bw-profile-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    vars_ = {{"AWS_CONFIG_FILE", dir_ + "/config"}, {"AWS_SHARED_CREDENTIALS_FILE", dir_ + "/credentials"}};
  }
  ~Profiles() override { std::filesystem::remove_all(dir_); }

  void config(const std::string& text) { std::ofstream(dir_ + "/config") << text; }
  void credentials(const std::string& text) { std::ofstream(dir_ + "/credentials") << text; }

  ProviderDeps deps() {
    ProviderDeps d;
    d.env = [vars = vars_](const char* name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    d.clock = [] { return at(kT0); };
    d.sts_transport = &transport_;
    d.metadata_transport = &transport_;
    d.sts_endpoint_url = "http://127.0.0.1:5000";
    d.retry.sleep = [](std::chrono::milliseconds) {};
    return d;
  }
  Result<Credentials> get(const std::string& profile = "") { return make_profile_provider(deps(), profile)->credentials(); }
  std::string sent_key(std::size_t i) const {
    const std::string auth(find_header(transport_.requests.at(i).headers, "Authorization"));
    const auto start = auth.find("Credential=") + 11;
    return auth.substr(start, auth.find('/', start) - start);
  }

  std::string dir_;
  std::map<std::string, std::string> vars_;
  FakeTransport transport_;
};

TEST_F(Profiles, StaticKeysFromTheCredentialsFile) {
  credentials("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
              "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\naws_session_token = t2\n");
  EXPECT_EQ(get()->access_key_id, "AKIDDEFAULT");
  auto dev = get("dev");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->session_token, "t2");
  vars_["AWS_PROFILE"] = "dev";
  EXPECT_EQ(get()->access_key_id, "AKIDDEV");
}

TEST_F(Profiles, MissingProfile) {
  auto def = get();  // no files at all: the provider does not apply
  EXPECT_EQ(def.error().code, "NoCredentials");
  EXPECT_THAT(def.error().message, HasSubstr("profile \"default\" not found in " + dir_ + "/config"));
  auto named = get("prod");  // chosen explicitly: an error that stops the chain
  EXPECT_EQ(named.error().code, "ProfileNotFound");
}

TEST_F(Profiles, RoleWithSourceProfileChain) {
  config("[profile base]\nregion = us-east-1\n"
         "[profile middle]\nrole_arn = arn:aws:iam::111111111111:role/middle\nsource_profile = base\n"
         "[profile top]\nrole_arn = arn:aws:iam::222222222222:role/top\nsource_profile = middle\n"
         "external_id = ext-42\nrole_session_name = bw-top\nduration_seconds = 1800\n");
  credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n");
  transport_.respond(200, role_response("ASIAMIDDLE")).respond(200, role_response("ASIATOP"));
  auto c = get("top");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIATOP");
  EXPECT_EQ(c->expiration, at(kT0 + 3600));
  ASSERT_EQ(transport_.requests.size(), 2u);
  EXPECT_EQ(sent_key(0), "AKIDBASE");    // middle's role, signed with base's keys
  EXPECT_EQ(sent_key(1), "ASIAMIDDLE");  // top's role, signed with middle's session
  EXPECT_EQ(find_header(transport_.requests[1].headers, "X-Amz-Security-Token"), "roletoken");
  const std::string& body = transport_.requests[1].body;
  EXPECT_THAT(body, HasSubstr("RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Ftop"));
  EXPECT_THAT(body, HasSubstr("RoleSessionName=bw-top"));
  EXPECT_THAT(body, HasSubstr("ExternalId=ext-42"));
  EXPECT_THAT(body, HasSubstr("DurationSeconds=1800"));
  EXPECT_THAT(transport_.requests[0].body, HasSubstr("RoleSessionName=batchwatch-" + std::to_string(kT0)));
}

TEST_F(Profiles, CyclesAreDetected) {
  config("[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = c\n"
         "[profile c]\nrole_arn = arn:c\nsource_profile = a\n");
  auto c = get("a");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "InvalidConfig");
  EXPECT_EQ(c.error().message, "profile \"a\": source_profile cycle: a -> b -> c -> a");
  EXPECT_TRUE(transport_.requests.empty());
}

TEST_F(Profiles, SelfReferenceUsesItsOwnKeys) {
  config("[profile self]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = self\n");
  credentials("[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = s\n");
  transport_.respond(200, role_response("ASIASELF"));
  auto c = get("self");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIASELF");
  EXPECT_EQ(sent_key(0), "AKIDSELF");
}

TEST_F(Profiles, CredentialSourceEnvironment) {
  config("[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n");
  vars_["AWS_ACCESS_KEY_ID"] = "AKIDFROMENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  transport_.respond(200, role_response("ASIACI"));
  ASSERT_EQ(get("ci")->access_key_id, "ASIACI");
  EXPECT_EQ(sent_key(0), "AKIDFROMENV");
}

TEST_F(Profiles, CredentialSourceEcsContainer) {
  config("[profile task]\nrole_arn = arn:aws:iam::1:role/t\ncredential_source = EcsContainer\n");
  vars_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/creds";
  transport_.respond(200, R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"x","Token":"y","Expiration":"2026-01-15T11:00:00Z"})")
      .respond(200, role_response("ASIATASK"));
  ASSERT_EQ(get("task")->access_key_id, "ASIATASK");
  EXPECT_EQ(transport_.requests[0].url, "http://127.0.0.1:9/creds");
  EXPECT_EQ(sent_key(1), "ASIAECS");
}

TEST_F(Profiles, ConfigurationMistakesAreNamed) {
  config("[profile both]\nrole_arn = r\nsource_profile = x\ncredential_source = Environment\n"
         "[profile nosource]\nrole_arn = r\n"
         "[profile badsource]\nrole_arn = r\ncredential_source = Laptop\n"
         "[profile mfa]\nrole_arn = r\nsource_profile = keys\nmfa_serial = arn:aws:iam::1:mfa/me\n"
         "[profile halfkeys]\naws_access_key_id = AKID\n"
         "[profile badduration]\nrole_arn = r\nsource_profile = keys\nduration_seconds = 60\n"
         "[profile sso]\nsso_session = corp\nsso_account_id = 1\n"
         "[profile chainmissing]\nrole_arn = r\nsource_profile = ghost\n"
         "[profile empty]\nregion = us-east-1\n"
         "[profile keys]\naws_access_key_id = AKID\naws_secret_access_key = s\n");
  const std::map<std::string, std::string> expected = {
      {"both", "mutually exclusive"}, {"nosource", "needs source_profile, credential_source"},
      {"badsource", "\"Laptop\" is not one of"}, {"mfa", "mfa_serial"}, {"halfkeys", "must be set together"},
      {"badduration", "900 to 43200"}, {"sso", "aws configure export-credentials --profile sso --format process"},
      {"chainmissing", "source_profile \"ghost\" (via chainmissing) not found"}};
  for (const auto& [profile, message] : expected) {
    auto c = get(profile);
    ASSERT_FALSE(c.ok()) << profile;
    EXPECT_NE(c.error().code, "NoCredentials") << profile;
    EXPECT_THAT(c.error().message, HasSubstr(message)) << profile;
  }
  EXPECT_EQ(get("empty").error().code, "NoCredentials");  // a profile without credentials: does not apply
  EXPECT_TRUE(transport_.requests.empty());
}

TEST_F(Profiles, SettingsAndRegion) {
  config("[default]\nregion = eu-north-1\n[profile dev]\nregion = ap-southeast-2\nca_bundle = /etc/ssl/corp.pem\n");
  const auto env = deps().env;
  EXPECT_EQ(profile_setting(env, "", "region"), "eu-north-1");
  EXPECT_EQ(profile_setting(env, "dev", "region"), "ap-southeast-2");
  EXPECT_EQ(profile_setting(env, "dev", "ca_bundle"), "/etc/ssl/corp.pem");
  EXPECT_EQ(profile_setting(env, "nope", "region"), std::nullopt);
  EXPECT_EQ(active_profile(env, ""), "default");
  vars_["AWS_DEFAULT_PROFILE"] = "legacy";
  EXPECT_EQ(active_profile(deps().env, ""), "legacy");
  vars_["AWS_PROFILE"] = "dev";
  EXPECT_EQ(active_profile(deps().env, ""), "dev");
  EXPECT_EQ(active_profile(deps().env, "explicit"), "explicit");
}

TEST_F(Profiles, HomeExpansion) {
  std::filesystem::create_directories(dir_ + "/.aws");
  std::ofstream(dir_ + "/.aws/credentials") << "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s\n";
  vars_ = {{"HOME", dir_}};
  EXPECT_EQ(get()->access_key_id, "AKIDHOME");
}

// ---- credential_process ----

TEST(SplitCommandLine, PosixWords) {
  EXPECT_THAT(*split_command_line("tool --profile x"), ElementsAre("tool", "--profile", "x"));
  EXPECT_THAT(*split_command_line("  'a b'  \"c \\\"d\\\" $e\" f\\ g ''"), ElementsAre("a b", "c \"d\" $e", "f g", ""));
  EXPECT_THAT(*split_command_line("x'y'\"z\""), ElementsAre("xyz"));
  EXPECT_TRUE(split_command_line("")->empty());
  EXPECT_EQ(split_command_line("'open"), std::nullopt);
  EXPECT_EQ(split_command_line("\"open"), std::nullopt);
  EXPECT_EQ(split_command_line("trailing\\"), std::nullopt);
}

TEST_F(Profiles, CredentialProcessRunsWithoutAShell) {
  const std::string script = dir_ + "/creds.sh";
  std::ofstream(script) << "#!/bin/sh\n"
                           "printf '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"%s\", "
                           "\"SessionToken\": \"tok\", \"Expiration\": \"2026-01-15T11:00:00Z\"}' \"$1\"\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  // Quoted argument with a space, and a "|" that a shell would take for a pipe.
  config("[profile proc]\ncredential_process = " + script + " 'secret with space|not a pipe'\n");
  auto c = get("proc");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAPROC");
  EXPECT_EQ(c->secret_access_key, "secret with space|not a pipe");
  EXPECT_EQ(c->expiration, at(kT0 + 3600));
}

TEST(CredentialProcess, Failures) {
  using std::chrono::milliseconds;
  auto run = [](const std::string& cmd, milliseconds timeout = milliseconds{10000}) {
    return make_process_provider(cmd, timeout)->credentials();
  };
  auto failed = run("sh -c 'echo denied by policy >&2; exit 3'");
  EXPECT_EQ(failed.error().message, "credential_process: \"sh\" exited with status 3: denied by policy");
  auto leaked = run("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"SUPERSECRET\"}'");
  EXPECT_EQ(leaked.error().message, "credential_process: \"echo\" printed no \"Version\": 1");
  auto notjson = run("echo SUPERSECRET");
  EXPECT_THAT(notjson.error().describe(), Not(HasSubstr("SUPERSECRET")));
  auto missing = run("/nonexistent/tool --x");
  EXPECT_EQ(missing.error().message,
            "credential_process: cannot run \"/nonexistent/tool\": No such file or directory");
  auto slow = run("sleep 5", milliseconds{50});
  EXPECT_EQ(slow.error().message, "credential_process: \"sleep\" did not finish within 50 ms");
  EXPECT_EQ(run("'unterminated").error().code, "CredentialsProviderError");
  // A helper that leaves a background process holding its stdout (and stderr) is done when it exits;
  // the daemon's blocked SIGTERM is not inherited, so a timeout stops it.
  const auto start = std::chrono::steady_clock::now();
  auto detached = run(R"(sh -c 'sleep 30 & echo "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}"')");
  EXPECT_TRUE(detached.ok()) << detached.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds{2000});
  auto ok = run("echo '{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"s\"}'");
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_FALSE(ok->expiration.has_value());
}

// The CA bundle is checked with file_readable: the reason names what is wrong, and the file is not read whole.
TEST_F(Profiles, FileReadableNamesWhyAFileCannotBeRead) {
  std::string why;
  config("[default]\n");
  EXPECT_TRUE(file_readable(dir_ + "/config", &why));
  EXPECT_FALSE(file_readable(dir_ + "/missing.pem", &why));
  EXPECT_EQ(why, "No such file or directory");
  EXPECT_FALSE(file_readable(dir_, &why));  // a directory opens, then cannot be read
  EXPECT_EQ(why, "Is a directory");
  std::ofstream(dir_ + "/empty.pem").flush();
  EXPECT_TRUE(file_readable(dir_ + "/empty.pem", &why));
}

}  // namespace
}  // namespace bw::aws
