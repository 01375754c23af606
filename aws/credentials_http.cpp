// Credentials over local HTTP endpoints: the ECS/EKS container agent and EC2 instance metadata (IMDSv2).
#include <cctype>
#include <nlohmann/json.hpp>

#include "aws/credentials_chain.hpp"

namespace bw::aws {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool env_true(const EnvLookup& env, const char* name) {
  auto v = env(name);
  return v && lower(*v) == "true";
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

Result<Credentials> parse_credentials_json(const std::string& body, const std::string& what) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return credentials_failure("CredentialsProviderError", what + " answered something that is not JSON");
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (const std::string code = str("Code"); !code.empty() && code != "Success")
    return credentials_failure("CredentialsProviderError", what + " answered Code " + code);
  Credentials c{str("AccessKeyId"), str("SecretAccessKey"), str("Token"), std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return credentials_failure("CredentialsProviderError", what + " answered without AccessKeyId or SecretAccessKey");
  if (const std::string exp = str("Expiration"); !exp.empty()) {
    c.expiration = parse_iso8601(exp);
    if (!c.expiration) return credentials_failure("CredentialsProviderError", what + " answered an unreadable Expiration");
  }
  return c;
}

namespace {

// ---- ECS ----

std::string url_host(std::string_view url) {
  auto p = url.find("://");
  std::string_view rest = p == std::string_view::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return lower(std::string(rest.substr(1, rest.find(']') - 1)));
  return lower(std::string(rest.substr(0, rest.find(':'))));
}

bool allowed_http_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "169.254.170.2" || host == "169.254.170.23" ||
      host == "fd00:ec2::23")
    return true;
  return host.starts_with("127.") && host.find_first_not_of("0123456789.") == std::string::npos;
}

class EcsProvider final : public CredentialsProvider {
 public:
  explicit EcsProvider(ProviderDeps deps) : deps_(std::move(deps)) {}

  Result<Credentials> credentials() override {
    const std::string relative = deps_.env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").value_or("");
    const std::string full = deps_.env("AWS_CONTAINER_CREDENTIALS_FULL_URI").value_or("");
    if (relative.empty() && full.empty())
      return no_credentials("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
    std::string url;
    if (!relative.empty()) {
      url = "http://169.254.170.2" + std::string(relative.starts_with('/') ? "" : "/") + relative;
    } else {
      url = full;
      const std::string scheme = lower(url.substr(0, url.find("://")));
      if (scheme != "https" && !(scheme == "http" && allowed_http_host(url_host(url))))
        return credentials_failure("InvalidConfig",
                                   "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address "
                                   "or the ECS/EKS agent (169.254.170.2, 169.254.170.23), not host \"" +
                                       url_host(url) + "\"");
    }
    HttpRequest req;
    req.method = "GET";
    req.url = url;
    std::string token;
    if (auto file = deps_.env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file && !file->empty()) {
      std::string why;
      auto t = read_text_file(*file, &why);  // read every time: the agent rotates it
      if (!t)
        return credentials_failure("CredentialsProviderError",
                                   "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file + ": " + why);
      token = trim(*t);
    } else {
      token = trim(deps_.env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or(""));
    }
    if (token.find_first_of("\r\n") != std::string::npos)
      return credentials_failure("InvalidConfig", "the container authorization token contains a line break");
    if (!token.empty()) req.headers.emplace_back("Authorization", token);
    req.headers.emplace_back("Accept", "application/json");
    if (deps_.metadata_transport == nullptr)
      return credentials_failure("CredentialsProviderError", "no HTTP transport for the container credentials endpoint");
    const std::string what = "the container credentials endpoint " + url;
    auto resp = deps_.metadata_transport->send(req);
    if (!resp) return credentials_failure(resp.error().code, what + ": " + resp.error().message);
    if (resp->status != 200) {
      std::string detail;
      const auto j = nlohmann::json::parse(resp->body, nullptr, false);
      if (j.is_object())
        for (const char* key : {"code", "Code", "message", "Message"})
          if (auto it = j.find(key); it != j.end() && it->is_string()) detail += " " + it->get<std::string>();
      return credentials_failure("CredentialsProviderError",
                                 what + " answered HTTP " + std::to_string(resp->status) + detail);
    }
    return parse_credentials_json(resp->body, what);
  }

  std::string name() const override { return "ecs"; }

 private:
  ProviderDeps deps_;
};

// ---- IMDS ----

constexpr const char* kTokenTtl = "21600";  // 6 hours, the SDKs' default

class Imds {
 public:
  explicit Imds(const ProviderDeps& deps) : deps_(deps) {}

  std::string endpoint() const {
    std::string e = deps_.env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
    if (e.empty())
      e = lower(deps_.env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("")) == "ipv6" ? "http://[fd00:ec2::254]"
                                                                                           : "http://169.254.169.254";
    while (e.ends_with('/')) e.pop_back();
    return e;
  }

  // GET path with a session token; a 401 (token expired) fetches a new token once. `unreachable` is set when no
  // metadata service answered at all (a laptop): the provider then does not apply.
  Result<HttpResponse> get(const std::string& path, bool& unreachable) {
    for (int round = 0; round < 2; ++round) {
      auto token = session_token(unreachable);
      if (!token) return token.error();
      HttpRequest req;
      req.method = "GET";
      req.url = endpoint() + path;
      if (!token->empty()) req.headers.emplace_back("X-aws-ec2-metadata-token", token.value());
      auto resp = deps_.metadata_transport->send(req);
      if (!resp) {
        unreachable = true;
        return resp.error();
      }
      if (resp->status == 401 && round == 0) {
        token_.reset();
        continue;
      }
      return resp;
    }
    return credentials_failure("CredentialsProviderError", "instance metadata kept answering 401");
  }

 private:
  Result<std::string> session_token(bool& unreachable) {
    const Time now = deps_.now();
    if (token_ && now < token_expiry_) return *token_;
    HttpRequest req;
    req.method = "PUT";
    req.url = endpoint() + "/latest/api/token";
    req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", kTokenTtl);
    auto resp = deps_.metadata_transport->send(req);
    if (!resp) {
      unreachable = true;
      return resp.error();
    }
    if (resp->status == 200 && !trim(resp->body).empty()) {
      token_ = trim(resp->body);
      token_expiry_ = now + Duration{21600 - 60};
      return *token_;
    }
    // 403/404/405: an IMDS without v2 (or behind a proxy stripping PUT): fall back to IMDSv1 unless forbidden,
    // and try v2 again after the same TTL.
    if ((resp->status == 403 || resp->status == 404 || resp->status == 405) &&
        !env_true(deps_.env, "AWS_EC2_METADATA_V1_DISABLED")) {
      token_ = std::string();
      token_expiry_ = now + Duration{21600 - 60};
      return *token_;
    }
    return credentials_failure("CredentialsProviderError",
                               "instance metadata token request answered HTTP " + std::to_string(resp->status));
  }

  const ProviderDeps& deps_;
  std::optional<std::string> token_;  // "" = IMDSv1 (no token)
  Time token_expiry_{};
};

class ImdsProvider final : public CredentialsProvider {
 public:
  explicit ImdsProvider(ProviderDeps deps) : deps_(std::move(deps)), imds_(deps_) {}

  Result<Credentials> credentials() override {
    if (env_true(deps_.env, "AWS_EC2_METADATA_DISABLED")) return no_credentials("AWS_EC2_METADATA_DISABLED is true");
    if (deps_.metadata_transport == nullptr) return no_credentials("no HTTP transport for instance metadata");
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    bool unreachable = false;
    auto roles = imds_.get(base, unreachable);
    if (!roles) {
      if (unreachable)
        return no_credentials("no instance metadata service at " + imds_.endpoint() + " (" + roles.error().code + ")");
      return roles.error();
    }
    if (roles->status == 404) return no_credentials("the instance has no IAM role (instance profile)");
    if (roles->status != 200)
      return credentials_failure("CredentialsProviderError",
                                 "instance metadata answered HTTP " + std::to_string(roles->status) + " for " + base);
    std::string role = roles->body.substr(0, roles->body.find('\n'));
    role = trim(role);
    if (role.empty()) return no_credentials("the instance has no IAM role (instance profile)");
    auto creds = imds_.get(base + role, unreachable);
    if (!creds) return credentials_failure(creds.error().code, "instance metadata: " + creds.error().message);
    if (creds->status != 200)
      return credentials_failure("CredentialsProviderError", "instance metadata answered HTTP " +
                                                                 std::to_string(creds->status) + " for role " + role);
    return parse_credentials_json(creds->body, "instance metadata for role " + role);
  }

  std::string name() const override { return "imds"; }

 private:
  ProviderDeps deps_;
  Imds imds_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> make_ecs_provider(const ProviderDeps& deps) {
  return std::make_unique<EcsProvider>(deps);
}

std::unique_ptr<CredentialsProvider> make_imds_provider(const ProviderDeps& deps) {
  return std::make_unique<ImdsProvider>(deps);
}

std::optional<std::string> imds_region(const ProviderDeps& deps) {
  if (env_true(deps.env, "AWS_EC2_METADATA_DISABLED") || deps.metadata_transport == nullptr) return std::nullopt;
  Imds imds(deps);
  bool unreachable = false;
  auto resp = imds.get("/latest/meta-data/placement/region", unreachable);
  if (!resp || resp->status != 200) return std::nullopt;
  const std::string region = trim(resp->body);
  if (region.empty() || region.size() > 32 || region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return std::nullopt;
  return region;
}

}  // namespace bw::aws
