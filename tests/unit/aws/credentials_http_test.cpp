// ECS container credentials and EC2 IMDSv2 against a scripted transport.
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
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kCreds =
    R"({"Code":"Success","AccessKeyId":"ASIAMETA","SecretAccessKey":"metasecret","Token":"metatoken",)"
    R"("Expiration":"2026-01-15T16:00:00Z"})";

struct Fixture {
  std::map<std::string, std::string> vars;
  FakeTransport t;
  Time now = at(kT0);
  ProviderDeps deps() {
    ProviderDeps d;
    d.env = [v = vars](const char* name) -> std::optional<std::string> {
      auto it = v.find(name);
      if (it == v.end()) return std::nullopt;
      return it->second;
    };
    d.clock = [this] { return now; };
    d.metadata_transport = &t;
    return d;
  }
};

// ---- ECS ----

TEST(EcsProvider, RelativeUri) {
  Fixture f;
  f.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  f.t.respond(200, kCreds);
  auto c = make_ecs_provider(f.deps())->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAMETA");
  EXPECT_EQ(c->session_token, "metatoken");
  EXPECT_EQ(c->expiration, at(kT0 + 6 * 3600));
  EXPECT_EQ(f.t.requests[0].method, "GET");
  EXPECT_EQ(f.t.requests[0].url, "http://169.254.170.2/v2/credentials/abc");
  EXPECT_EQ(find_header(f.t.requests[0].headers, "Authorization"), "");
}

TEST(EcsProvider, FullUriWithTokenFileReadEachTime) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bw-ecs-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  std::ofstream(dir + "/token") << "Bearer first\n";
  Fixture f;
  f.vars = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:51679/creds"},
            {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir + "/token"},
            {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-the-file-is-set"}};
  f.t.respond(200, kCreds).respond(200, kCreds);
  auto p = make_ecs_provider(f.deps());
  ASSERT_TRUE(p->credentials().ok());
  std::ofstream(dir + "/token") << "Bearer second";
  ASSERT_TRUE(p->credentials().ok());
  EXPECT_EQ(find_header(f.t.requests[0].headers, "Authorization"), "Bearer first");
  EXPECT_EQ(find_header(f.t.requests[1].headers, "Authorization"), "Bearer second");
  EXPECT_EQ(f.t.requests[0].url, "http://127.0.0.1:51679/creds");
  std::filesystem::remove_all(dir);
}

TEST(EcsProvider, FullUriHostRules) {
  for (const char* ok : {"https://creds.example.com/x", "http://localhost:8080/x", "http://127.0.0.2/x",
                         "http://[::1]:80/x", "http://169.254.170.23/v1/credentials"}) {
    Fixture f;
    f.vars = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ok}, {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"}};
    f.t.respond(200, kCreds);
    auto c = make_ecs_provider(f.deps())->credentials();
    EXPECT_TRUE(c.ok()) << ok << ": " << c.error().describe();
    EXPECT_EQ(find_header(f.t.requests.at(0).headers, "Authorization"), "tok");
  }
  for (const char* bad : {"http://creds.example.com/x", "http://10.0.0.1/x", "http://127.0.0.1.evil.com/x", "ftp://127.0.0.1/"}) {
    Fixture f;
    f.vars = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", bad}};
    auto c = make_ecs_provider(f.deps())->credentials();
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, "InvalidConfig") << bad;
    EXPECT_TRUE(f.t.requests.empty());
  }
}

TEST(EcsProvider, FailuresNeverQuoteTheBody) {
  Fixture f;
  f.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/creds";
  f.t.respond(200, R"({"AccessKeyId":"ASIA","SecretAccessKey":)").respond(500, R"({"code":"Throttled","message":"slow down"})");
  auto bad = make_ecs_provider(f.deps())->credentials();
  EXPECT_EQ(bad.error().code, "CredentialsProviderError");
  EXPECT_THAT(bad.error().message, Not(HasSubstr("ASIA")));
  auto down = make_ecs_provider(f.deps())->credentials();
  EXPECT_EQ(down.error().message, "the container credentials endpoint http://169.254.170.2/creds answered HTTP 500 Throttled slow down");
  f.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "a\r\nX-Injected: 1";
  EXPECT_EQ(make_ecs_provider(f.deps())->credentials().error().code, "InvalidConfig");
  Fixture none;
  EXPECT_EQ(make_ecs_provider(none.deps())->credentials().error().code, "NoCredentials");
}

// ---- IMDSv2 ----

TEST(ImdsProvider, TokenThenRoleThenCredentials) {
  Fixture f;
  f.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:1338/";
  f.t.respond(200, "TOKEN-1").respond(200, "monitoring-role\n").respond(200, kCreds);
  auto p = make_imds_provider(f.deps());
  auto c = p->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAMETA");
  ASSERT_EQ(f.t.requests.size(), 3u);
  EXPECT_EQ(f.t.requests[0].method, "PUT");
  EXPECT_EQ(f.t.requests[0].url, "http://127.0.0.1:1338/latest/api/token");
  EXPECT_EQ(find_header(f.t.requests[0].headers, "X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(f.t.requests[1].url, "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(f.t.requests[2].url, "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/monitoring-role");
  for (int i : {1, 2}) EXPECT_EQ(find_header(f.t.requests[static_cast<std::size_t>(i)].headers, "X-aws-ec2-metadata-token"), "TOKEN-1");

  // The session token is reused until it nears its TTL.
  f.t.respond(200, "monitoring-role").respond(200, kCreds);
  ASSERT_TRUE(p->credentials().ok());
  EXPECT_EQ(f.t.requests.size(), 5u);
  f.now = at(kT0 + 21600);
  f.t.respond(200, "TOKEN-2").respond(200, "monitoring-role").respond(200, kCreds);
  ASSERT_TRUE(p->credentials().ok());
  EXPECT_EQ(f.t.requests[5].method, "PUT");
  EXPECT_EQ(find_header(f.t.requests[7].headers, "X-aws-ec2-metadata-token"), "TOKEN-2");
}

TEST(ImdsProvider, ExpiredTokenIsRenewedOnce) {
  Fixture f;
  f.t.respond(200, "OLD").respond(401, "").respond(200, "NEW").respond(200, "role").respond(200, kCreds);
  auto c = make_imds_provider(f.deps())->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(f.t.requests[0].url, "http://169.254.169.254/latest/api/token");
  EXPECT_EQ(find_header(f.t.requests[3].headers, "X-aws-ec2-metadata-token"), "NEW");
}

TEST(ImdsProvider, FallsBackToV1UnlessDisabled) {
  Fixture f;
  f.t.respond(403, "").respond(200, "role").respond(200, kCreds);
  ASSERT_TRUE(make_imds_provider(f.deps())->credentials().ok());
  EXPECT_EQ(find_header(f.t.requests[1].headers, "X-aws-ec2-metadata-token"), "");
  Fixture v2only;
  v2only.vars["AWS_EC2_METADATA_V1_DISABLED"] = "true";
  v2only.t.respond(403, "");
  EXPECT_EQ(make_imds_provider(v2only.deps())->credentials().error().code, "CredentialsProviderError");
}

TEST(ImdsProvider, NotOnEc2) {
  Fixture laptop;
  laptop.t.fail("RequestTimeout", "Connection timed out after 1000 milliseconds", true);
  auto c = make_imds_provider(laptop.deps())->credentials();
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().message, "no instance metadata service at http://169.254.169.254 (RequestTimeout)");
  Fixture no_role;
  no_role.t.respond(200, "T").respond(404, "");
  EXPECT_EQ(make_imds_provider(no_role.deps())->credentials().error().message,
            "the instance has no IAM role (instance profile)");
  Fixture ipv6;
  ipv6.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "IPv6";
  ipv6.t.fail("CouldNotConnect");
  EXPECT_THAT(make_imds_provider(ipv6.deps())->credentials().error().message, HasSubstr("http://[fd00:ec2::254]"));
}

TEST(ImdsProvider, BadCodeOrBodyIsAFailure) {
  Fixture f;
  f.t.respond(200, "T").respond(200, "role").respond(200, R"({"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"X"})");
  EXPECT_EQ(make_imds_provider(f.deps())->credentials().error().message,
            "instance metadata for role role answered Code AssumeRoleUnauthorizedAccess");
}

TEST(ImdsRegion, FromPlacement) {
  Fixture f;
  f.t.respond(200, "T").respond(200, "eu-central-1\n");
  EXPECT_EQ(imds_region(f.deps()), "eu-central-1");
  EXPECT_EQ(f.t.requests[1].url, "http://169.254.169.254/latest/meta-data/placement/region");
  Fixture down;
  down.t.fail("CouldNotConnect");
  EXPECT_EQ(imds_region(down.deps()), std::nullopt);
  Fixture disabled;
  disabled.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_EQ(imds_region(disabled.deps()), std::nullopt);
  EXPECT_TRUE(disabled.t.requests.empty());
  Fixture junk;
  junk.t.respond(200, "T").respond(200, "<html>captive portal</html>");
  EXPECT_EQ(imds_region(junk.deps()), std::nullopt);
}

}  // namespace
}  // namespace bw::aws
