#pragma once
// Credentials and the providers that find them. Providers share one interface and are combined by a chain.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/error.hpp"

namespace bw::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;       // empty for long-term keys
  std::optional<Time> expiration;  // nullopt: does not expire
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> credentials() = 0;
  virtual std::string name() const = 0;
};

// Fixed keys (tests, explicit configuration).
std::unique_ptr<CredentialsProvider> make_static_provider(Credentials creds);

// Reads a variable by name; injected so providers never touch the real environment in unit tests.
using EnvLookup = std::optional<std::string> (*)(const char* name);
std::optional<std::string> process_env(const char* name);

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
std::unique_ptr<CredentialsProvider> make_environment_provider(EnvLookup env = process_env);

// Tries each provider in order; the error lists every provider and why it did not apply.
std::unique_ptr<CredentialsProvider> make_chain(std::vector<std::unique_ptr<CredentialsProvider>> providers);

}  // namespace bw::aws
