// STS: request parameters, response parsing (never throws, never quotes secrets), and the two STS-backed
// providers (web identity, AssumeRole) against a scripted transport.
#include "aws/sts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "aws/credentials_chain.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::FakeTransport;
using fake::kT0;
using ::testing::HasSubstr;
using ::testing::Not;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string sts_response(const std::string& op, const std::string& key, const std::string& expiration) {
  return "<" + op + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + op +
         "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>TOPSECRET</SecretAccessKey><SessionToken>SESSIONTOKEN</SessionToken>"
         "<Expiration>" + expiration + "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:"
         "assumed-role/r/s</Arn></AssumedRoleUser></" + op + "Result></" + op + "Response>";
}

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto amp = body.find('&', pos);
    const std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    const auto eq = pair.find('=');
    out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bw-sts-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = path + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  std::string path;
};

TEST(StsParams, AssumeRole) {
  EXPECT_EQ(assume_role_params({"arn:aws:iam::1:role/r", "s", "", std::nullopt}),
            (QueryParams{{"RoleArn", "arn:aws:iam::1:role/r"}, {"RoleSessionName", "s"}}));
  EXPECT_EQ(assume_role_params({"arn", "s", "ext-1", 3600}),
            (QueryParams{{"RoleArn", "arn"}, {"RoleSessionName", "s"}, {"DurationSeconds", "3600"}, {"ExternalId", "ext-1"}}));
}

TEST(StsParams, AssumeRoleWithWebIdentity) {
  EXPECT_EQ(assume_role_with_web_identity_params({"arn", "s", "eyJtoken", 900}),
            (QueryParams{{"RoleArn", "arn"}, {"RoleSessionName", "s"}, {"WebIdentityToken", "eyJtoken"}, {"DurationSeconds", "900"}}));
}

TEST(StsParse, Credentials) {
  auto c = parse_sts_credentials("AssumeRole", sts_response("AssumeRole", "ASIAKEY", "2026-01-15T11:00:00Z"));
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAKEY");
  EXPECT_EQ(c->secret_access_key, "TOPSECRET");
  EXPECT_EQ(c->session_token, "SESSIONTOKEN");
  EXPECT_EQ(c->expiration, at(kT0 + 3600));
  auto f = parse_sts_credentials("AssumeRoleWithWebIdentity",
                                 sts_response("AssumeRoleWithWebIdentity", "ASIAWEB", "2026-01-15T11:00:00.123+00:00"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->expiration, at(kT0 + 3600));
}

TEST(StsParse, BrokenAnswersAreProtocolErrorsWithoutTheBody) {
  const std::string missing_token =
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>TOPSECRET"
      "</SecretAccessKey></Credentials></AssumeRoleResult></AssumeRoleResponse>";
  for (const std::string& body : {std::string("not xml TOPSECRET <"), std::string("<a><b>TOPSECRET</b></a>"), missing_token,
                                  sts_response("AssumeRole", "ASIA", "next tuesday TOPSECRET")}) {
    auto c = parse_sts_credentials("AssumeRole", body);
    ASSERT_FALSE(c.ok()) << body;
    EXPECT_EQ(c.error().kind, Error::Kind::Protocol);
    EXPECT_EQ(c.error().operation, "AssumeRole");
    EXPECT_THAT(c.error().describe(), Not(HasSubstr("TOPSECRET")));
  }
}

TEST(StsParse, GarbageAndDeepNestingNeverThrow) {
  std::mt19937 rng(7);
  const std::string alphabet = "<>/=\"' abcCredentials:AccessKeyId&;!?-";
  for (int i = 0; i < 1000; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 300); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    EXPECT_NO_THROW((void)parse_sts_credentials("AssumeRole", s));
  }
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_FALSE(parse_sts_credentials("AssumeRole", deep).ok());
}

ProviderDeps deps_with(FakeTransport& transport, EnvLookup env) {
  ProviderDeps d;
  d.env = std::move(env);
  d.clock = [] { return at(kT0); };
  d.sts_transport = &transport;
  d.region = "eu-west-1";
  d.retry.sleep = [](std::chrono::milliseconds) {};
  return d;
}

TEST(WebIdentityProvider, AssumesTheRoleUnsignedAndRereadsTheToken) {
  TempDir dir;
  const std::string token_file = dir.write("token", "eyJfirst\n");
  FakeTransport t;
  t.respond(200, sts_response("AssumeRoleWithWebIdentity", "ASIA1", "2026-01-15T11:00:00Z"))
      .respond(200, sts_response("AssumeRoleWithWebIdentity", "ASIA2", "2026-01-15T12:00:00Z"));
  auto p = make_web_identity_provider(deps_with(t, env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                                                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"},
                                                           {"AWS_ROLE_SESSION_NAME", "pod-1"}})));
  auto c = p->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIA1");
  const HttpRequest& sent = t.requests.at(0);
  EXPECT_EQ(sent.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_EQ(find_header(sent.headers, "Authorization"), "");  // unsigned
  auto f = form(sent.body);
  EXPECT_EQ(f["Action"], "AssumeRoleWithWebIdentity");
  EXPECT_EQ(f["Version"], "2011-06-15");
  EXPECT_EQ(f["RoleArn"], "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Firsa");
  EXPECT_EQ(f["RoleSessionName"], "pod-1");
  EXPECT_EQ(f["WebIdentityToken"], "eyJfirst");

  dir.write("token", "eyJsecond");  // the kubelet rotated it
  auto c2 = p->credentials();
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->access_key_id, "ASIA2");
  EXPECT_EQ(form(t.requests.at(1).body)["WebIdentityToken"], "eyJsecond");
}

TEST(WebIdentityProvider, DefaultSessionNameAndFips) {
  TempDir dir;
  FakeTransport t;
  t.respond(200, sts_response("AssumeRoleWithWebIdentity", "ASIA1", "2026-01-15T11:00:00Z"));
  ProviderDeps d = deps_with(t, env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", "tok")}, {"AWS_ROLE_ARN", "arn"}}));
  d.use_fips = true;
  d.region = "us-west-2";
  ASSERT_TRUE(make_web_identity_provider(d)->credentials().ok());
  EXPECT_EQ(t.requests.at(0).url, "https://sts-fips.us-west-2.amazonaws.com/");
  EXPECT_EQ(form(t.requests.at(0).body)["RoleSessionName"], "batchwatch-" + std::to_string(kT0));
}

TEST(WebIdentityProvider, NotApplicableOrBroken) {
  FakeTransport t;
  auto none = make_web_identity_provider(deps_with(t, env_of({})))->credentials();
  EXPECT_EQ(none.error().code, "NoCredentials");
  EXPECT_EQ(none.error().message, "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  auto no_role = make_web_identity_provider(deps_with(t, env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/x"}})))->credentials();
  EXPECT_EQ(no_role.error().code, "NoCredentials");
  auto missing = make_web_identity_provider(
      deps_with(t, env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token"}, {"AWS_ROLE_ARN", "arn"}})))->credentials();
  EXPECT_EQ(missing.error().code, "CredentialsProviderError");  // applies but fails: stops the chain
  EXPECT_THAT(missing.error().message, HasSubstr("/nonexistent/token"));
  EXPECT_TRUE(t.requests.empty());
}

TEST(WebIdentityProvider, StsRefusalNamesTheRoleButNotTheToken) {
  TempDir dir;
  FakeTransport t;
  t.respond(400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>Token expired</Message></Error></ErrorResponse>");
  auto c = make_web_identity_provider(deps_with(t, env_of({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", "eyJSECRETTOKEN")},
                                                           {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}})))->credentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, Error::Kind::Credentials);
  EXPECT_EQ(c.error().code, "InvalidIdentityToken");
  EXPECT_THAT(c.error().message, HasSubstr("arn:aws:iam::1:role/r"));
  EXPECT_THAT(c.error().message, HasSubstr("Token expired"));
  EXPECT_THAT(c.error().describe(), Not(HasSubstr("SECRETTOKEN")));
}

TEST(AssumeRoleProvider, SignsWithTheSourceAndSendsEveryParameter) {
  FakeTransport t;
  t.respond(200, sts_response("AssumeRole", "ASIAROLE", "2026-01-15T11:00:00Z"));
  ProviderDeps d = deps_with(t, env_of({}));
  d.sts_endpoint_url = "http://127.0.0.1:5000";
  auto p = make_assume_role_provider(d, make_static_provider({"AKIDSOURCE", "sourcesecret", "", std::nullopt}),
                                     {"arn:aws:iam::1:role/r", "sess", "ext", 1800});
  auto c = p->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAROLE");
  EXPECT_EQ(c->expiration, at(kT0 + 3600));
  const HttpRequest& sent = t.requests.at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:5000/");
  EXPECT_THAT(std::string(find_header(sent.headers, "Authorization")),
              HasSubstr("Credential=AKIDSOURCE/20260115/eu-west-1/sts/aws4_request"));
  auto f = form(sent.body);
  EXPECT_EQ(f["Action"], "AssumeRole");
  EXPECT_EQ(f["RoleSessionName"], "sess");
  EXPECT_EQ(f["ExternalId"], "ext");
  EXPECT_EQ(f["DurationSeconds"], "1800");
}

TEST(AssumeRoleProvider, MissingSourceCredentialsIsAFailureNotAbsence) {
  FakeTransport t;
  auto p = make_assume_role_provider(deps_with(t, env_of({})), make_environment_provider(env_of({})), {"arn", "", "", std::nullopt});
  auto c = p->credentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CredentialsProviderError");
  EXPECT_THAT(c.error().message, HasSubstr("AWS_ACCESS_KEY_ID is not set"));
  EXPECT_TRUE(t.requests.empty());
}

}  // namespace
}  // namespace bw::aws
