// Endpoint URLs per service and region (standard, FIPS, partitions) and the proxy decision per URL.
#include "aws/endpoints.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace bw::aws {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServiceEndpoint, StandardAndFips) {
  EXPECT_EQ(service_endpoint_url("monitoring", "us-east-1", false), "https://monitoring.us-east-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("monitoring", "us-east-1", true), "https://monitoring-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("sns", "us-west-2", true), "https://sns-fips.us-west-2.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("sts", "us-east-2", true), "https://sts-fips.us-east-2.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("events", "ca-central-1", true), "https://events-fips.ca-central-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("states", "us-west-1", true), "https://states-fips.us-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("bedrock", "us-east-1", true), "https://bedrock-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("bedrock", "us-east-1", false), "https://bedrock.us-east-1.amazonaws.com");
  // Bedrock has no FIPS-by-default hostname in GovCloud (botocore's endpoint rules).
  EXPECT_EQ(service_endpoint_url("bedrock", "us-gov-west-1", true), "https://bedrock-fips.us-gov-west-1.amazonaws.com");
}

TEST(ServiceEndpoint, DynamoDb) {
  // botocore's endpoints.json: dynamodb-fips in every partition that has FIPS, GovCloud included.
  EXPECT_EQ(service_endpoint_url("dynamodb", "eu-west-1", false), "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("dynamodb", "us-east-1", true), "https://dynamodb-fips.us-east-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("dynamodb", "us-gov-west-1", true), "https://dynamodb-fips.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("dynamodb", "cn-north-1", false), "https://dynamodb.cn-north-1.amazonaws.com.cn");
}

TEST(ServiceEndpoint, Partitions) {
  EXPECT_EQ(service_endpoint_url("monitoring", "cn-north-1", false), "https://monitoring.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(service_endpoint_url("sns", "us-iso-east-1", false), "https://sns.us-iso-east-1.c2s.ic.gov");
  EXPECT_EQ(service_endpoint_url("sns", "us-isob-east-1", false), "https://sns.us-isob-east-1.sc2s.sgov.gov");
  EXPECT_EQ(service_endpoint_url("sns", "eu-isoe-west-1", false), "https://sns.eu-isoe-west-1.cloud.adc-e.uk");
  EXPECT_EQ(service_endpoint_url("sns", "us-isof-south-1", false), "https://sns.us-isof-south-1.csp.hci.ic.gov");
  EXPECT_EQ(service_endpoint_url("monitoring", "eusc-de-east-1", false), "https://monitoring.eusc-de-east-1.amazonaws.eu");
  EXPECT_EQ(dns_suffix("eu-west-1"), "amazonaws.com");
}

TEST(ServiceEndpoint, GovCloudStandardHostsAreFips) {
  EXPECT_EQ(service_endpoint_url("monitoring", "us-gov-west-1", true), "https://monitoring.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("sts", "us-gov-east-1", true), "https://sts.us-gov-east-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("states", "us-gov-west-1", true), "https://states.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(service_endpoint_url("states", "us-gov-east-1", true), "https://states-fips.us-gov-east-1.amazonaws.com");
}

TEST(ServiceEndpoint, FipsFromEnvironment) {
  EXPECT_TRUE(use_fips_from_env(env_of({{"AWS_USE_FIPS_ENDPOINT", "true"}})));
  EXPECT_TRUE(use_fips_from_env(env_of({{"AWS_USE_FIPS_ENDPOINT", " TRUE "}})));
  EXPECT_FALSE(use_fips_from_env(env_of({{"AWS_USE_FIPS_ENDPOINT", "false"}})));
  EXPECT_FALSE(use_fips_from_env(env_of({{"AWS_USE_FIPS_ENDPOINT", "1"}})));
  EXPECT_FALSE(use_fips_from_env(env_of({})));
}

TEST(Proxy, SettingsFromEnvironmentLowerCaseWins) {
  const auto s = proxy_settings_from_env(env_of({{"HTTPS_PROXY", "http://upper:3128"}, {"https_proxy", "http://lower:3128"},
                                                 {"HTTP_PROXY", "http://plain:3128"}, {"NO_PROXY", ".internal"},
                                                 {"ALL_PROXY", "socks5://all:1080"}}));
  EXPECT_EQ(s.https_proxy, "http://lower:3128");
  EXPECT_EQ(s.http_proxy, "http://plain:3128");
  EXPECT_EQ(s.all_proxy, "socks5://all:1080");
  EXPECT_EQ(s.no_proxy, ".internal");
  const auto none = proxy_settings_from_env(env_of({{"https_proxy", ""}}));
  EXPECT_EQ(none.https_proxy, "");
}

TEST(Proxy, SchemeSelectsTheVariable) {
  ProxySettings s;
  s.https_proxy = "http://secure-proxy:3128";
  s.http_proxy = "http://plain-proxy:3128";
  EXPECT_EQ(proxy_for_url(s, "https://monitoring.us-east-1.amazonaws.com/"), "http://secure-proxy:3128");
  EXPECT_EQ(proxy_for_url(s, "HTTPS://monitoring.us-east-1.amazonaws.com/"), "http://secure-proxy:3128");
  EXPECT_EQ(proxy_for_url(s, "http://moto.test:5000/"), "http://plain-proxy:3128");
  s.https_proxy.clear();
  EXPECT_EQ(proxy_for_url(s, "https://sns.us-east-1.amazonaws.com/"), "");
  s.all_proxy = "http://fallback:3128";
  EXPECT_EQ(proxy_for_url(s, "https://sns.us-east-1.amazonaws.com/"), "http://fallback:3128");
  EXPECT_EQ(proxy_for_url(ProxySettings{}, "https://sns.us-east-1.amazonaws.com/"), "");
}

TEST(Proxy, NoProxyEntries) {
  ProxySettings s;
  s.https_proxy = "http://proxy:3128";
  auto direct = [&](const char* no_proxy, const char* url) {
    s.no_proxy = no_proxy;
    return proxy_for_url(s, url).empty();
  };
  EXPECT_TRUE(direct("*", "https://monitoring.us-east-1.amazonaws.com/"));
  EXPECT_TRUE(direct("amazonaws.com", "https://monitoring.us-east-1.amazonaws.com/"));
  EXPECT_TRUE(direct(".amazonaws.com", "https://monitoring.us-east-1.amazonaws.com/"));
  EXPECT_TRUE(direct("*.amazonaws.com", "https://sns.us-east-1.amazonaws.com/"));
  EXPECT_TRUE(direct("foo, monitoring.us-east-1.amazonaws.com:443", "https://monitoring.us-east-1.amazonaws.com/x"));
  EXPECT_TRUE(direct("vpce.internal 10.0.0.0/8", "https://10.1.2.3:8443/"));
  EXPECT_TRUE(direct("10.1.2.3", "https://10.1.2.3/"));
  EXPECT_FALSE(direct("10.0.0.0/8", "https://11.1.2.3/"));
  EXPECT_FALSE(direct("zonaws.com", "https://monitoring.us-east-1.amazonaws.com/"));  // suffix at a dot only
  EXPECT_FALSE(direct("example.com", "https://monitoring.us-east-1.amazonaws.com/"));
  EXPECT_FALSE(direct("10.0.0.0/40,10.0.0.0/x", "https://10.1.2.3/"));
  EXPECT_FALSE(direct("", "https://sns.us-east-1.amazonaws.com/"));
  EXPECT_TRUE(direct("[::1]", "https://[::1]:443/"));
}

TEST(Proxy, LoopbackAndMetadataAreNeverProxied) {
  ProxySettings s;
  s.http_proxy = "http://proxy:3128";
  s.https_proxy = "http://proxy:3128";
  for (const char* url : {"http://169.254.169.254/latest/api/token", "http://169.254.170.2/v2/credentials/x",
                          "http://127.0.0.1:5000/", "http://localhost:5000/", "http://[::1]:5000/",
                          "http://[fd00:ec2::254]/latest/api/token", "http://user:pw@127.0.0.1:80/"})
    EXPECT_EQ(proxy_for_url(s, url), "") << url;
  EXPECT_EQ(proxy_for_url(s, "http://169.255.0.1/"), "http://proxy:3128");
}

}  // namespace
}  // namespace bw::aws
