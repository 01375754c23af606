// Credentials providers with an injected environment: the real one is never read.
#include "aws/credentials.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bw::aws {
namespace {

using Env = std::map<std::string, std::string>;

// EnvLookup is a plain function pointer: each fake environment is a static map behind its own function.
template <const Env& env>
std::optional<std::string> lookup(const char* name) {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

const Env kEmpty;
const Env kLongTerm{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret/key+1"}};
const Env kSession{{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"},
                   {"AWS_SECRET_ACCESS_KEY", "secret2"},
                   {"AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLE=="}};
const Env kNoSecret{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}};
const Env kEmptySecret{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", ""}};
const Env kEmptyId{{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "secret"}};
const Env kOnlySecret{{"AWS_SECRET_ACCESS_KEY", "secret"}, {"AWS_SESSION_TOKEN", "tok"}};

TEST(EnvironmentProvider, LongTermKeys) {
  auto p = make_environment_provider(lookup<kLongTerm>);
  EXPECT_EQ(p->name(), "environment");
  auto c = p->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "secret/key+1");
  EXPECT_EQ(c->session_token, "");
  EXPECT_FALSE(c->expiration.has_value());
}

TEST(EnvironmentProvider, SessionToken) {
  auto c = make_environment_provider(lookup<kSession>)->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "secret2");
  EXPECT_EQ(c->session_token, "FwoGZXIvYXdzEXAMPLE==");
}

TEST(EnvironmentProvider, NothingSet) {
  auto c = make_environment_provider(lookup<kEmpty>)->credentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, Error::Kind::Credentials);
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().message, "AWS_ACCESS_KEY_ID is not set");
  EXPECT_FALSE(c.error().retryable());
}

TEST(EnvironmentProvider, SecretMissing) {
  const EnvLookup envs[] = {lookup<kNoSecret>, lookup<kEmptySecret>};
  for (EnvLookup env : envs) {
    auto c = make_environment_provider(env)->credentials();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().kind, Error::Kind::Credentials);
    EXPECT_EQ(c.error().message, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    EXPECT_EQ(c.error().describe(),
              "credentials request: NoCredentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
}

TEST(EnvironmentProvider, EmptyOrMissingKeyIdIsNotSet) {
  const EnvLookup envs[] = {lookup<kEmptyId>, lookup<kOnlySecret>};
  for (EnvLookup env : envs) {
    auto c = make_environment_provider(env)->credentials();
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().message, "AWS_ACCESS_KEY_ID is not set");
  }
}

TEST(StaticProvider, ReturnsItsKeys) {
  auto p = make_static_provider(Credentials{"AKID", "SECRET", "TOKEN", Time{std::chrono::seconds{1768471200}}});
  EXPECT_EQ(p->name(), "static");
  for (int i = 0; i < 2; ++i) {  // the same keys every time
    auto c = p->credentials();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->access_key_id, "AKID");
    EXPECT_EQ(c->secret_access_key, "SECRET");
    EXPECT_EQ(c->session_token, "TOKEN");
    ASSERT_TRUE(c->expiration.has_value());
    EXPECT_EQ(c->expiration->time_since_epoch().count(), 1768471200);
  }
}

// Records the order in which a chain asks its providers.
class ScriptedProvider final : public CredentialsProvider {
 public:
  ScriptedProvider(std::string name, std::optional<std::string> failure, std::vector<std::string>* log)
      : name_(std::move(name)), failure_(std::move(failure)), log_(log) {}
  Result<Credentials> credentials() override {
    log_->push_back(name_);
    if (failure_) {
      Error e;
      e.kind = Error::Kind::Credentials;
      e.code = "NoCredentials";
      e.message = *failure_;
      return e;
    }
    return Credentials{"AKID-" + name_, "secret-" + name_, "", std::nullopt};
  }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  std::optional<std::string> failure_;
  std::vector<std::string>* log_;
};

TEST(ChainProvider, FirstSuccessWinsInOrder) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(std::make_unique<ScriptedProvider>("one", "not here", &log));
  providers.push_back(std::make_unique<ScriptedProvider>("two", std::nullopt, &log));
  providers.push_back(std::make_unique<ScriptedProvider>("three", std::nullopt, &log));
  auto chain = make_chain(std::move(providers));
  EXPECT_EQ(chain->name(), "chain");
  auto c = chain->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "AKID-two");
  EXPECT_EQ(log, (std::vector<std::string>{"one", "two"}));  // "three" never asked
}

TEST(ChainProvider, EnvironmentThenStatic) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(make_environment_provider(lookup<kNoSecret>));
  providers.push_back(make_static_provider(Credentials{"AKID-static", "s", "", std::nullopt}));
  auto c = make_chain(std::move(providers))->credentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKID-static");

  std::vector<std::unique_ptr<CredentialsProvider>> env_first;
  env_first.push_back(make_environment_provider(lookup<kSession>));
  env_first.push_back(make_static_provider(Credentials{"AKID-static", "s", "", std::nullopt}));
  auto c2 = make_chain(std::move(env_first))->credentials();
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(c2->session_token, "FwoGZXIvYXdzEXAMPLE==");
}

TEST(ChainProvider, ErrorListsEveryProvidersReason) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(make_environment_provider(lookup<kEmpty>));
  providers.push_back(std::make_unique<ScriptedProvider>("profile", "no [default] in ~/.aws/credentials", &log));
  providers.push_back(make_environment_provider(lookup<kNoSecret>));
  auto c = make_chain(std::move(providers))->credentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, Error::Kind::Credentials);
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().message,
            "no AWS credentials found (tried environment: AWS_ACCESS_KEY_ID is not set; "
            "profile: no [default] in ~/.aws/credentials; "
            "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not)");
  EXPECT_EQ(log, std::vector<std::string>{"profile"});
}

}  // namespace
}  // namespace bw::aws
