#include "aws/credentials.hpp"

#include <cstdlib>

namespace bw::aws {
namespace {

Error credentials_error(std::string message) {
  Error e;
  e.kind = Error::Kind::Credentials;
  e.service = "credentials";
  e.code = "NoCredentials";
  e.message = std::move(message);
  return e;
}

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c) : creds_(std::move(c)) {}
  Result<Credentials> credentials() override { return creds_; }
  std::string name() const override { return "static"; }

 private:
  Credentials creds_;
};

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(EnvLookup env) : env_(env) {}
  Result<Credentials> credentials() override {
    auto id = env_("AWS_ACCESS_KEY_ID");
    auto secret = env_("AWS_SECRET_ACCESS_KEY");
    if (!id || id->empty()) return credentials_error("AWS_ACCESS_KEY_ID is not set");
    if (!secret || secret->empty()) return credentials_error("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    Credentials c{*id, *secret, env_("AWS_SESSION_TOKEN").value_or(""), std::nullopt};
    return c;
  }
  std::string name() const override { return "environment"; }

 private:
  EnvLookup env_;
};

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> p) : providers_(std::move(p)) {}
  Result<Credentials> credentials() override {
    std::string tried;
    for (auto& p : providers_) {
      auto r = p->credentials();
      if (r) return r;
      if (!tried.empty()) tried += "; ";
      tried += p->name() + ": " + r.error().message;
    }
    return credentials_error("no AWS credentials found (tried " + tried + ")");
  }
  std::string name() const override { return "chain"; }

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

}  // namespace

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::unique_ptr<CredentialsProvider> make_static_provider(Credentials creds) {
  return std::make_unique<StaticProvider>(std::move(creds));
}

std::unique_ptr<CredentialsProvider> make_environment_provider(EnvLookup env) {
  return std::make_unique<EnvironmentProvider>(env);
}

std::unique_ptr<CredentialsProvider> make_chain(std::vector<std::unique_ptr<CredentialsProvider>> providers) {
  return std::make_unique<ChainProvider>(std::move(providers));
}

}  // namespace bw::aws
