// The caching decorator, ProviderDeps and the default chain.
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "aws/credentials_chain.hpp"
#include "aws/endpoints.hpp"

namespace bw::aws {

Time ProviderDeps::now() const {
  if (clock) return clock();
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Endpoint ProviderDeps::sts_endpoint() const {
  const std::string r = region.empty() ? "us-east-1" : region;
  return Endpoint{sts_endpoint_url.empty() ? service_endpoint_url("sts", r, use_fips) : sts_endpoint_url, r, "sts"};
}

ServiceContext ProviderDeps::sts_context(CredentialsProvider* signer) const {
  ServiceContext ctx;
  ctx.transport = sts_transport;
  ctx.credentials = signer;
  ctx.clock = [c = clock] {
    return c ? c() : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  };
  ctx.retry = retry;
  ctx.observer = observer;
  ctx.skew = skew;
  return ctx;
}

namespace {

class CachingProvider final : public CredentialsProvider {
 public:
  CachingProvider(std::unique_ptr<CredentialsProvider> inner, std::function<Time()> clock, Duration refresh_before)
      : inner_(std::move(inner)), clock_(std::move(clock)), refresh_before_(refresh_before) {}

  Result<Credentials> credentials() override {
    std::unique_lock lock(mu_);
    if (cached_ && fresh(*cached_, now())) return *cached_;
    if (refreshing_) {
      // Someone else is asking `inner` already: wait for that answer instead of asking again.
      const std::uint64_t seen = generation_;
      cv_.wait(lock, [&] { return generation_ != seen; });
      return outcome(last_error_, now());
    }
    refreshing_ = true;
    lock.unlock();
    auto fetched = inner_->credentials();  // without the lock: callers with fresh credentials are not held up
    lock.lock();
    refreshing_ = false;
    ++generation_;
    if (fetched) {
      cached_ = fetched.value();
      last_error_.reset();
    } else {
      last_error_ = fetched.error();
    }
    cv_.notify_all();
    return outcome(last_error_, now());
  }

  std::string name() const override { return inner_->name(); }

 private:
  Time now() const {
    return clock_ ? clock_() : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  bool fresh(const Credentials& c, Time now) const { return !c.expiration || now < *c.expiration - refresh_before_; }
  bool unexpired(const Credentials& c, Time now) const { return !c.expiration || now < *c.expiration; }

  // After a refresh (ours or another caller's): the new credentials, else the old ones while they last.
  Result<Credentials> outcome(const std::optional<Error>& error, Time now) const {
    if (!error && cached_) return *cached_;
    if (cached_ && unexpired(*cached_, now)) return *cached_;
    if (error) return *error;
    return no_credentials("credentials expired");
  }

  std::unique_ptr<CredentialsProvider> inner_;
  std::function<Time()> clock_;
  Duration refresh_before_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Credentials> cached_;
  std::optional<Error> last_error_;
  bool refreshing_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace

std::unique_ptr<CredentialsProvider> make_caching_provider(std::unique_ptr<CredentialsProvider> inner,
                                                           std::function<Time()> clock, Duration refresh_before) {
  return std::make_unique<CachingProvider>(std::move(inner), std::move(clock), refresh_before);
}

std::unique_ptr<CredentialsProvider> make_default_chain(const ProviderDeps& deps, const std::string& profile) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  if (profile.empty()) providers.push_back(make_environment_provider(deps.env));
  providers.push_back(make_web_identity_provider(deps));
  providers.push_back(make_profile_provider(deps, profile));
  providers.push_back(make_ecs_provider(deps));
  providers.push_back(make_imds_provider(deps));
  return make_caching_provider(make_chain(std::move(providers)), deps.clock);
}

}  // namespace bw::aws
