#pragma once
// Credentials and the providers that find them. Providers share one interface and are combined by a chain.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
// A std::function, so both plain functions and lambdas over a test's map fit.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
std::unique_ptr<CredentialsProvider> make_environment_provider(EnvLookup env = process_env);

// Tries each provider in order. A provider that does not apply answers Error code "NoCredentials" and the chain
// moves on; the error when none applies lists every provider and why. A provider that applies but fails (any
// other code: a web identity token STS refused, a profile's AssumeRole denied, an unreadable token file) stops
// the chain, as in the AWS SDKs: falling through to another identity would hide the misconfiguration.
std::unique_ptr<CredentialsProvider> make_chain(std::vector<std::unique_ptr<CredentialsProvider>> providers);

// ---- Shared by the providers (aws/credentials_*.cpp) ----

// "not applicable": Kind::Credentials, code NoCredentials. Messages never carry secrets.
Error no_credentials(std::string message);
// "applies but failed": Kind::Credentials with its own code (e.g. "CredentialsProviderError", "ProfileNotFound").
Error credentials_failure(std::string code, std::string message);

// ISO 8601 / RFC 3339 timestamps as credentials carry them: "2026-01-15T10:00:00Z", with fractional seconds,
// a numeric offset ("+01:00", "+0100") or none (UTC); whole seconds (fraction dropped). nullopt on garbage.
std::optional<Time> parse_iso8601(std::string_view text);

// Reads a whole (small) file; nullopt when it cannot be read. `error` gets the reason (strerror), not the content.
std::optional<std::string> read_text_file(const std::string& path, std::string* error = nullptr);
// Whether `path` can be opened and read (its first byte), without reading it all: a CA bundle is
// ~200 kB that only curl needs to parse. On failure `error` gets the reason (strerror).
bool file_readable(const std::string& path, std::string* error = nullptr);

}  // namespace bw::aws
