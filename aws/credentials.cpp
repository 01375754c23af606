#include "aws/credentials.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace bw::aws {
namespace {

Error credentials_error(std::string message) { return no_credentials(std::move(message)); }

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
      if (r.error().code != "NoCredentials") {
        Error e = r.error();
        e.message = p->name() + ": " + e.message;
        if (!tried.empty()) e.message += " (before it: " + tried + ")";
        return e;
      }
      if (!tried.empty()) tried += "; ";
      tried += p->name() + ": " + r.error().message;
    }
    return credentials_error("no AWS credentials found (tried " + tried + ")");
  }
  std::string name() const override { return "chain"; }

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Error no_credentials(std::string message) {
  Error e;
  e.kind = Error::Kind::Credentials;
  e.service = "credentials";
  e.code = "NoCredentials";
  e.message = std::move(message);
  return e;
}

Error credentials_failure(std::string code, std::string message) {
  Error e = no_credentials(std::move(message));
  e.code = std::move(code);
  return e;
}

std::optional<Time> parse_iso8601(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  int y, mo, d, h, mi, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 16 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi))
    return std::nullopt;
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, 17, 2, sec)) return std::nullopt;
    i = 19;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      ++i;
      const std::size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  int offset_minutes = 0;
  if (i < s.size()) {
    const std::string_view tz = s.substr(i);
    int oh = 0, om = 0;
    if (tz == "Z" || tz == "z") {
    } else if ((tz[0] == '+' || tz[0] == '-') && digits(tz, 1, 2, oh) &&
               ((tz.size() == 6 && tz[3] == ':' && digits(tz, 4, 2, om)) || (tz.size() == 5 && digits(tz, 3, 2, om)) ||
                tz.size() == 3)) {
      offset_minutes = (tz[0] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi - offset_minutes} +
         std::chrono::seconds{sec};
}

std::optional<std::string> read_text_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    if (error) *error = "read error";
    return std::nullopt;
  }
  return std::move(out).str();
}

bool file_readable(const std::string& path, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = std::strerror(errno);
    return false;
  }
  char first = 0;
  const auto n = ::read(fd, &first, 1);  // a directory opens, and fails here (EISDIR)
  const int read_errno = errno;
  ::close(fd);
  if (n < 0 && error) *error = std::strerror(read_errno);
  return n >= 0;
}

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
