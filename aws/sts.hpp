#pragma once
// STS AssumeRole and AssumeRoleWithWebIdentity over the Query protocol (form-encoded request, XML response).
// AssumeRole is signed with the caller's credentials; AssumeRoleWithWebIdentity is sent unsigned (the token is
// the proof), i.e. through a ServiceClient whose context has no credentials provider.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/service.hpp"

namespace bw::aws {

inline constexpr std::string_view kStsVersion = "2011-06-15";

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;          // 2..64 of [\w+=,.@-]
  std::string external_id;                // "" = none
  std::optional<int> duration_seconds;    // 900..43200; nullopt = the role's default (1 hour)
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // the OIDC token (never logged)
  std::optional<int> duration_seconds;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Pure halves of the protocol, tested without a network.
QueryParams assume_role_params(const AssumeRoleRequest& request);
QueryParams assume_role_with_web_identity_params(const AssumeRoleWithWebIdentityRequest& request);
// The temporary credentials in an <AssumeRoleResponse> or <AssumeRoleWithWebIdentityResponse> body. Never
// throws; garbage yields a Protocol error whose message never quotes the body (it may hold a secret).
Result<Credentials> parse_sts_credentials(std::string_view operation, std::string_view xml);

// "batchwatch-<epoch seconds>": the session name used when none is configured.
std::string default_role_session_name(Time now);

class StsClient {
 public:
  explicit StsClient(ServiceClient& client) : client_(client) {}
  Result<Credentials> assume_role(const AssumeRoleRequest& request);
  Result<Credentials> assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& request);

 private:
  ServiceClient& client_;
};

}  // namespace bw::aws
