// Providers backed by STS: web identity (AssumeRoleWithWebIdentity, unsigned) and AssumeRole.
#include "aws/credentials_chain.hpp"

namespace bw::aws {
namespace {

std::string trimmed(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// An STS failure, as a credentials error: the chain stops on it (the provider applied) and the outer call does not
// retry it again (STS calls already had their retries).
Error sts_failure(const Error& e, const std::string& what) {
  if (e.kind == Error::Kind::Credentials) {
    // The source credentials of an AssumeRole are missing: the profile asked for a role, so this is a failure
    // of the profile, not "does not apply".
    return credentials_failure(e.code == "NoCredentials" ? "CredentialsProviderError" : e.code,
                               what + ": no source credentials: " + e.message);
  }
  return credentials_failure(e.code.empty() ? "CredentialsProviderError" : e.code, what + ": " + e.describe());
}

class WebIdentityProvider final : public CredentialsProvider {
 public:
  WebIdentityProvider(ProviderDeps deps, bool from_env, std::string token_file, std::string role_arn,
                      std::string session_name)
      : deps_(std::move(deps)), from_env_(from_env), token_file_(std::move(token_file)), role_arn_(std::move(role_arn)),
        session_name_(std::move(session_name)) {}

  Result<Credentials> credentials() override {
    std::string token_file = token_file_, role_arn = role_arn_, session = session_name_;
    if (from_env_) {
      token_file = deps_.env("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
      role_arn = deps_.env("AWS_ROLE_ARN").value_or("");
      session = deps_.env("AWS_ROLE_SESSION_NAME").value_or("");
      if (token_file.empty()) return no_credentials("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
      if (role_arn.empty()) return no_credentials("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    }
    // Read on every refresh: the kubelet rotates the projected token file.
    std::string why;
    auto token = read_text_file(token_file, &why);
    if (!token)
      return credentials_failure("CredentialsProviderError",
                                 "cannot read the web identity token file " + token_file + ": " + why);
    const std::string t = trimmed(std::move(*token));
    if (t.empty()) return credentials_failure("CredentialsProviderError", "the web identity token file " + token_file + " is empty");
    if (deps_.sts_transport == nullptr) return credentials_failure("CredentialsProviderError", "no HTTP transport for STS");
    ServiceClient client(deps_.sts_context(nullptr), deps_.sts_endpoint());
    StsClient sts(client);
    AssumeRoleWithWebIdentityRequest request{role_arn, session.empty() ? default_role_session_name(deps_.now()) : session,
                                             t, std::nullopt};
    auto creds = sts.assume_role_with_web_identity(request);
    if (!creds) return sts_failure(creds.error(), "AssumeRoleWithWebIdentity for " + role_arn);
    return creds;
  }

  std::string name() const override { return "web identity"; }

 private:
  ProviderDeps deps_;
  bool from_env_;
  std::string token_file_, role_arn_, session_name_;
};

class AssumeRoleProvider final : public CredentialsProvider {
 public:
  AssumeRoleProvider(ProviderDeps deps, std::unique_ptr<CredentialsProvider> owned, CredentialsProvider* source,
                     AssumeRoleRequest request)
      : deps_(std::move(deps)), owned_(std::move(owned)), source_(source), request_(std::move(request)) {}

  Result<Credentials> credentials() override {
    if (deps_.sts_transport == nullptr) return credentials_failure("CredentialsProviderError", "no HTTP transport for STS");
    ServiceClient client(deps_.sts_context(source_), deps_.sts_endpoint());
    StsClient sts(client);
    AssumeRoleRequest request = request_;
    if (request.role_session_name.empty()) request.role_session_name = default_role_session_name(deps_.now());
    auto creds = sts.assume_role(request);
    if (!creds) return sts_failure(creds.error(), "AssumeRole " + request.role_arn);
    return creds;
  }

  std::string name() const override { return "assume role"; }

 private:
  ProviderDeps deps_;
  std::unique_ptr<CredentialsProvider> owned_;
  CredentialsProvider* source_;
  AssumeRoleRequest request_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> make_web_identity_provider(const ProviderDeps& deps) {
  return std::make_unique<WebIdentityProvider>(deps, true, "", "", "");
}

std::unique_ptr<CredentialsProvider> make_web_identity_provider(const ProviderDeps& deps, std::string token_file,
                                                                std::string role_arn, std::string session_name) {
  return std::make_unique<WebIdentityProvider>(deps, false, std::move(token_file), std::move(role_arn),
                                               std::move(session_name));
}

std::unique_ptr<CredentialsProvider> make_assume_role_provider(const ProviderDeps& deps,
                                                               std::unique_ptr<CredentialsProvider> source,
                                                               AssumeRoleRequest request) {
  CredentialsProvider* raw = source.get();
  return std::make_unique<AssumeRoleProvider>(deps, std::move(source), raw, std::move(request));
}

std::unique_ptr<CredentialsProvider> make_assume_role_provider(const ProviderDeps& deps, CredentialsProvider& source,
                                                               AssumeRoleRequest request) {
  return std::make_unique<AssumeRoleProvider>(deps, nullptr, &source, std::move(request));
}

}  // namespace bw::aws
