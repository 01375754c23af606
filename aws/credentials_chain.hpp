#pragma once
// The credential providers of the AWS SDK default chain, the caching decorator, and the chain itself.
//
//   environment   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN            (credentials.hpp)
//   web identity  AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME]: STS
//                 AssumeRoleWithWebIdentity, unsigned; the token file is read again on every refresh
//   profile       AWS_PROFILE (or aws.profile), AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, ~/.aws/*:
//                 static keys; role_arn + source_profile | credential_source | web_identity_token_file,
//                 external_id, role_session_name, duration_seconds; credential_process
//   ECS           AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + it) or
//                 AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to loopback / the ECS and EKS agents),
//                 Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read each time) or _TOKEN
//   IMDSv2        PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/[ROLE];
//                 AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6,
//                 AWS_EC2_METADATA_DISABLED=true, AWS_EC2_METADATA_V1_DISABLED=true
//
// Every provider reads the environment through ProviderDeps::env and the network through its transports.
// No provider logs; no error message carries a key, secret, session token or web identity token.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/service.hpp"
#include "aws/sts.hpp"

namespace bw::aws {

struct ProviderDeps {
  EnvLookup env = process_env;
  std::function<Time()> clock;                // local time (the system clock when empty)
  HttpTransport* sts_transport = nullptr;     // STS: normal timeouts, proxies honoured
  HttpTransport* metadata_transport = nullptr;  // ECS and IMDS: 1-2 s timeouts, never proxied
  std::string region;                         // STS signing region; "" = us-east-1
  std::string sts_endpoint_url;               // "" = the regional STS endpoint (FIPS when use_fips)
  bool use_fips = false;
  RetryPolicy retry;                          // for STS calls
  std::shared_ptr<ClockSkew> skew;            // shared with the service clients; may be null
  RequestObserver* observer = nullptr;        // STS calls are counted like any other; may be null
  std::chrono::milliseconds process_timeout{60000};  // credential_process

  Time now() const;
  Endpoint sts_endpoint() const;
  ServiceContext sts_context(CredentialsProvider* signer) const;  // signer nullptr: unsigned
};

// ---- Providers ----

// From AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME.
std::unique_ptr<CredentialsProvider> make_web_identity_provider(const ProviderDeps& deps);
// Explicit settings (a profile's web_identity_token_file).
std::unique_ptr<CredentialsProvider> make_web_identity_provider(const ProviderDeps& deps, std::string token_file,
                                                                std::string role_arn, std::string session_name);

// STS AssumeRole signed with `source`'s credentials. An empty role_session_name becomes batchwatch-<epoch>.
std::unique_ptr<CredentialsProvider> make_assume_role_provider(const ProviderDeps& deps,
                                                               std::unique_ptr<CredentialsProvider> source,
                                                               AssumeRoleRequest request);
// The same over a source that lives elsewhere (e.g. the base chain, for per-account roles): not owned.
std::unique_ptr<CredentialsProvider> make_assume_role_provider(const ProviderDeps& deps, CredentialsProvider& source,
                                                               AssumeRoleRequest request);

// The shared files. `profile` "" = AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default". A profile named
// explicitly (argument or AWS_PROFILE) that does not exist is an error that stops the chain (ProfileNotFound);
// a missing "default" only means the provider does not apply.
std::unique_ptr<CredentialsProvider> make_profile_provider(const ProviderDeps& deps, std::string profile = "");

// credential_process, run as the AWS CLI runs it: the command line is split like a POSIX shell splits words
// (quotes, backslashes) and executed directly (execvp, no shell: no pipes, globs or variable expansion), with
// stdin inherited, stdout parsed as {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
// "Expiration"} and stderr quoted (trimmed) in the error when it exits non-zero. Killed after `timeout`.
std::unique_ptr<CredentialsProvider> make_process_provider(std::string command, std::chrono::milliseconds timeout);
// The splitting, on its own: nullopt on an unterminated quote or a trailing backslash.
std::optional<std::vector<std::string>> split_command_line(std::string_view command);
// The parsing of its standard output, on its own. `program` names the command in errors; an error never quotes
// the output (it holds the secret).
Result<Credentials> parse_credential_process_output(const std::string& output, const std::string& program);

std::unique_ptr<CredentialsProvider> make_ecs_provider(const ProviderDeps& deps);
// The credentials JSON the ECS/EKS agent and instance metadata answer with: AccessKeyId, SecretAccessKey, Token,
// Expiration (+ Code on EC2). `what` names the source in errors; an error never quotes the body.
Result<Credentials> parse_credentials_json(const std::string& body, const std::string& what);
std::unique_ptr<CredentialsProvider> make_imds_provider(const ProviderDeps& deps);

// The region from IMDS (/latest/meta-data/placement/region); nullopt when disabled or unreachable.
std::optional<std::string> imds_region(const ProviderDeps& deps);

// A setting of the active profile in the shared config file (e.g. "region", "ca_bundle"), nullopt when absent.
// `profile` "" resolves as make_profile_provider does.
std::optional<std::string> profile_setting(const EnvLookup& env, const std::string& profile, const std::string& key);
// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default" (when `profile` is "").
std::string active_profile(const EnvLookup& env, const std::string& profile);

// ---- Caching ----

// Owns expiry: answers from its cache until `refresh_before` ahead of the Expiration (never for credentials
// without one), then asks `inner` again. Concurrent callers share one refresh (the others wait for it). When a
// refresh fails but the cached credentials have not expired yet, those are returned (the next call tries again).
inline constexpr Duration kRefreshBeforeExpiry{5 * 60};
std::unique_ptr<CredentialsProvider> make_caching_provider(std::unique_ptr<CredentialsProvider> inner,
                                                           std::function<Time()> clock,
                                                           Duration refresh_before = kRefreshBeforeExpiry);

// ---- The chain ----

// environment -> web identity -> profile -> ECS -> IMDS, in one caching decorator. `profile` "" follows
// AWS_PROFILE; a profile given explicitly here (aws.profile) drops the environment provider, as the SDKs do
// for an explicitly chosen profile.
std::unique_ptr<CredentialsProvider> make_default_chain(const ProviderDeps& deps, const std::string& profile = "");

}  // namespace bw::aws
