// The caching decorator (fake clock, ten threads), the default chain's order and error, and the shared-files
// profile provider (static keys, role chains, cycles, credential_source) against a scripted transport.
#include "aws/credentials_chain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "fake_transport.hpp"

namespace bw::aws {
namespace {

using fake::at;
using fake::FakeTransport;
using fake::kT0;
using ::testing::HasSubstr;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Hands out numbered credentials expiring `lifetime` after the fake now; counts calls.
class CountingProvider final : public CredentialsProvider {
 public:
  CountingProvider(Time* now, Duration lifetime) : now_(now), lifetime_(lifetime) {}
  Result<Credentials> credentials() override {
    const int n = ++calls;
    if (gate) gate();
    if (fail_next.exchange(false)) return credentials_failure("CredentialsProviderError", "endpoint down");
    return Credentials{"ASIA" + std::to_string(n), "secret", "token", *now_ + lifetime_};
  }
  std::string name() const override { return "counting"; }
  std::atomic<int> calls{0};
  std::atomic<bool> fail_next{false};
  std::function<void()> gate;

 private:
  Time* now_;
  Duration lifetime_;
};

TEST(CachingProvider, RefreshesFiveMinutesBeforeExpiry) {
  Time now = at(kT0);
  auto inner = std::make_unique<CountingProvider>(&now, Duration{3600});
  auto* counting = inner.get();
  auto cache = make_caching_provider(std::move(inner), [&] { return now; });
  EXPECT_EQ(cache->credentials()->access_key_id, "ASIA1");
  now = at(kT0 + 3600 - 301);  // 5 min + 1 s before expiry: still fresh
  EXPECT_EQ(cache->credentials()->access_key_id, "ASIA1");
  EXPECT_EQ(counting->calls, 1);
  now = at(kT0 + 3600 - 300);  // inside the window: refreshed before it expires
  EXPECT_EQ(cache->credentials()->access_key_id, "ASIA2");
  EXPECT_EQ(counting->calls, 2);
  EXPECT_EQ(cache->credentials()->access_key_id, "ASIA2");
  EXPECT_EQ(counting->calls, 2);
}

TEST(CachingProvider, CredentialsWithoutExpiryAreKept) {
  auto cache = make_caching_provider(make_static_provider({"AKID", "s", "", std::nullopt}), [] { return at(kT0); });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cache->credentials()->access_key_id, "AKID");
}

TEST(CachingProvider, FailedRefreshKeepsUnexpiredCredentials) {
  Time now = at(kT0);
  auto inner = std::make_unique<CountingProvider>(&now, Duration{3600});
  auto* counting = inner.get();
  auto cache = make_caching_provider(std::move(inner), [&] { return now; });
  ASSERT_TRUE(cache->credentials().ok());
  now = at(kT0 + 3500);
  counting->fail_next = true;
  auto c = cache->credentials();  // refresh fails, the old ones have 100 s left
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIA1");
  now = at(kT0 + 3600);
  counting->fail_next = true;
  auto expired = cache->credentials();
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().message, "endpoint down");
  EXPECT_EQ(cache->credentials()->access_key_id, "ASIA4");  // and the next call tries again
}

TEST(CachingProvider, TenThreadsShareOneRefresh) {
  Time now = at(kT0);
  auto inner = std::make_unique<CountingProvider>(&now, Duration{3600});
  auto* counting = inner.get();
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  counting->gate = [&] {  // the refresh blocks until the test has every thread running
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return open; });
  };
  auto cache = make_caching_provider(std::move(inner), [&] { return now; });
  std::atomic<int> started{0};
  std::vector<std::string> keys(10);
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i)
    threads.emplace_back([&, i] {
      ++started;
      auto c = cache->credentials();
      keys[static_cast<std::size_t>(i)] = c.ok() ? c->access_key_id : c.error().message;
    });
  while (started < 10 || counting->calls < 1) std::this_thread::yield();
  {
    std::lock_guard lock(mu);
    open = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  EXPECT_EQ(counting->calls, 1);
  for (const auto& k : keys) EXPECT_EQ(k, "ASIA1");
}

// ---- The default chain ----

ProviderDeps offline(EnvLookup env, FakeTransport* transport = nullptr) {
  ProviderDeps d;
  d.env = std::move(env);
  d.clock = [] { return at(kT0); };
  d.sts_transport = transport;
  d.metadata_transport = transport;
  d.retry.sleep = [](std::chrono::milliseconds) {};
  return d;
}

TEST(DefaultChain, EnvironmentFirst) {
  auto c = make_default_chain(offline(env_of({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}})))->credentials();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
}

TEST(DefaultChain, ErrorListsEveryProviderAndWhy) {
  FakeTransport t;
  t.fail("CouldNotConnect", "no route");
  auto c = make_default_chain(offline(env_of({{"HOME", "/nonexistent"}}), &t))->credentials();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().message,
            "no AWS credentials found (tried environment: AWS_ACCESS_KEY_ID is not set; web identity: "
            "AWS_WEB_IDENTITY_TOKEN_FILE is not set; profile: profile \"default\" not found in "
            "/nonexistent/.aws/config or /nonexistent/.aws/credentials; ecs: neither "
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set; imds: no instance "
            "metadata service at http://169.254.169.254 (CouldNotConnect))");
}

TEST(DefaultChain, ExplicitProfileSkipsTheEnvironment) {
  struct Dir {
    Dir() {
      std::string tmpl = (std::filesystem::temp_directory_path() / "bw-chain-XXXXXX").string();
      path = mkdtemp(tmpl.data());
    }
    ~Dir() { std::filesystem::remove_all(path); }
    std::string path;
  } dir;
  std::ofstream(dir.path + "/credentials") << "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\n";
  const auto env = env_of({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"},
                           {"AWS_SHARED_CREDENTIALS_FILE", dir.path + "/credentials"}, {"AWS_CONFIG_FILE", "/nonexistent"},
                           {"AWS_EC2_METADATA_DISABLED", "true"}});
  EXPECT_EQ(make_default_chain(offline(env), "ops")->credentials()->access_key_id, "AKIDOPS");
  EXPECT_EQ(make_default_chain(offline(env))->credentials()->access_key_id, "AKIDENV");
}

TEST(DefaultChain, ImdsDisabled) {
  auto c = make_imds_provider(offline(env_of({{"AWS_EC2_METADATA_DISABLED", "TRUE"}})))->credentials();
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().message, "AWS_EC2_METADATA_DISABLED is true");
}

}  // namespace
}  // namespace bw::aws
