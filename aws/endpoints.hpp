#pragma once
// Where requests go: a service's public endpoint in a region (standard or FIPS), and which proxy (if any) a URL
// is fetched through. Pure; the environment comes in through EnvLookup.
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/http.hpp"

namespace bw::aws {

// The DNS suffix of the region's partition: amazonaws.com, amazonaws.com.cn (cn-*), c2s.ic.gov (us-iso-*),
// sc2s.sgov.gov (us-isob-*), cloud.adc-e.uk (eu-isoe-*), csp.hci.ic.gov (us-isof-*), amazonaws.eu (eusc-*).
std::string_view dns_suffix(std::string_view region);

// https://SERVICE.REGION.SUFFIX, or with fips https://SERVICE-fips.REGION.SUFFIX; in GovCloud the standard
// hostnames of monitoring, sns, sts and events already are the FIPS ones (as botocore's endpoints.json says).
// `service` is the signing name: monitoring, sns, sts, events, states, bedrock, dynamodb.
std::string service_endpoint_url(std::string_view service, std::string_view region, bool fips);

// AWS_USE_FIPS_ENDPOINT=true (case-insensitive).
bool use_fips_from_env(const EnvLookup& env);

// The proxy environment, as curl and the AWS SDKs read it: https_proxy / HTTPS_PROXY for https URLs,
// http_proxy / HTTP_PROXY for http URLs, all_proxy / ALL_PROXY for either; no_proxy / NO_PROXY lists hosts that
// are reached directly. The lower-case spelling wins when both are set.
struct ProxySettings {
  std::string https_proxy;
  std::string http_proxy;
  std::string all_proxy;
  std::string no_proxy;
};
ProxySettings proxy_settings_from_env(const EnvLookup& env);

// The proxy to use for `url`, "" for a direct connection. NO_PROXY entries are comma (or space) separated:
// "*" (everything), a host name matching itself and its subdomains ("example.com", ".example.com"), an IP
// address, or an IPv4 CIDR block ("10.0.0.0/8"); ports in entries are ignored. Link-local metadata addresses
// (169.254.0.0/16, fd00:ec2::/...) and loopback are never proxied.
std::string proxy_for_url(const ProxySettings& settings, std::string_view url);

// A libcurl transport that sets CURLOPT_PROXY on every request from `proxy` (an explicit "" when the URL goes
// direct, so libcurl's own reading of the environment never overrides the decision above).
// make_curl_transport(options) is this with proxy_settings_from_env(process_env).
std::unique_ptr<HttpTransport> make_curl_transport(const TransportOptions& options, const ProxySettings& proxy);

}  // namespace bw::aws
