#include "agent/status/sd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace bw::agent {
namespace {

using std::chrono::microseconds;

// Plays systemd's side: a datagram socket of its own, bound to a file path or an abstract name.
class NotifySocket {
 public:
  // `abstract`: the name systemd would publish as "@…", else a file in a fresh temporary folder.
  explicit NotifySocket(bool abstract) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len;
    if (abstract) {
      name_ = "@bw-sd-notify-test-" + std::to_string(::getpid());
      std::memcpy(addr.sun_path + 1, name_.data() + 1, name_.size() - 1);
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    } else {
      char tmpl[] = "/tmp/bw-sd-notify-XXXXXX";
      dir_ = ::mkdtemp(tmpl);
      name_ = dir_ + "/notify";
      std::memcpy(addr.sun_path, name_.c_str(), name_.size() + 1);
      len = sizeof addr;
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0) << std::strerror(errno);
  }
  ~NotifySocket() {
    ::close(fd_);
    if (!dir_.empty()) {
      ::unlink(name_.c_str());
      ::rmdir(dir_.c_str());
    }
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& name() const { return name_; }

  // Every datagram waiting, in arrival order, without blocking.
  std::vector<std::string> received() {
    std::vector<std::string> out;
    char buf[8192];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) return out;
      out.emplace_back(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::string dir_;
  std::string name_;
};

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SdNotify, WithoutNotifySocketEverythingIsANoOp) {
  const auto n = SdNotifier::from_env(env_of({{"WATCHDOG_USEC", "1000000"}}), 42);
  EXPECT_FALSE(n.enabled());
  EXPECT_FALSE(n.watchdog_interval());
  EXPECT_EQ(n.ready(), "");
  EXPECT_EQ(n.watchdog(), "");
  EXPECT_EQ(n.stopping(), "");
}

TEST(SdNotify, WatchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly) {
  EXPECT_EQ(SdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "30000000"}}), 42)
                .watchdog_interval(),
            microseconds(15'000'000));
  EXPECT_EQ(SdNotifier::from_env(
                env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "3000000"}, {"WATCHDOG_PID", "42"}}), 42)
                .watchdog_interval(),
            microseconds(1'500'000));
  // Meant for another process (we were started by it and inherited its environment).
  EXPECT_FALSE(SdNotifier::from_env(
                   env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "3000000"}, {"WATCHDOG_PID", "7"}}), 42)
                   .watchdog_interval());
  for (const char* bad : {"", "0", "-5", "12s", "abc"})
    EXPECT_FALSE(SdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", bad}}), 42)
                     .watchdog_interval())
        << bad;
  EXPECT_FALSE(SdNotifier::from_env(env_of({{"NOTIFY_SOCKET", "/run/x"}}), 42).watchdog_interval());
}

// The daemon's sequence: ready after the first cycle, a status per cycle, watchdog pings, a reload, a stop.
void expect_lifecycle_delivered(NotifySocket& systemd) {
  const auto n = SdNotifier::from_env(env_of({{"NOTIFY_SOCKET", systemd.name()}, {"WATCHDOG_USEC", "2000000"}}), 42);
  ASSERT_TRUE(n.enabled());
  EXPECT_EQ(n.ready("cycle 1: 3 series, 0 notifications"), "");
  EXPECT_EQ(n.watchdog(), "");
  EXPECT_EQ(n.status("cycle 2: 3 series\n1 notification"), "");
  EXPECT_EQ(n.reloading(), "");
  EXPECT_EQ(n.ready(), "");
  EXPECT_EQ(n.stopping(), "");

  const auto got = systemd.received();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0], "READY=1\nSTATUS=cycle 1: 3 series, 0 notifications");
  EXPECT_EQ(got[1], "WATCHDOG=1");
  EXPECT_EQ(got[2], "STATUS=cycle 2: 3 series 1 notification");  // one line: a newline would start a field
  EXPECT_EQ(got[3].rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << got[3];
  EXPECT_GT(std::strtoll(got[3].c_str() + std::strlen("RELOADING=1\nMONOTONIC_USEC="), nullptr, 10), 0);
  EXPECT_EQ(got[4], "READY=1");
  EXPECT_EQ(got[5], "STOPPING=1");
}

TEST(SdNotify, MessagesArriveInOrderOnAPathSocket) {
  NotifySocket systemd(/*abstract=*/false);
  expect_lifecycle_delivered(systemd);
}

TEST(SdNotify, MessagesArriveInOrderOnAnAbstractSocket) {
  NotifySocket systemd(/*abstract=*/true);
  expect_lifecycle_delivered(systemd);
}

TEST(SdNotify, NoWatchdogPingWithoutWatchdogUsec) {
  NotifySocket systemd(false);
  const auto n = SdNotifier::from_env(env_of({{"NOTIFY_SOCKET", systemd.name()}}), 42);
  EXPECT_EQ(n.watchdog(), "");
  EXPECT_EQ(n.stopping(), "");
  EXPECT_EQ(systemd.received(), std::vector<std::string>{"STOPPING=1"});
}

TEST(SdNotify, LongStatusIsCutToFitOneDatagram) {
  NotifySocket systemd(false);
  const SdNotifier n(systemd.name(), std::nullopt);
  EXPECT_EQ(n.status(std::string(10000, 'x')), "");
  const auto got = systemd.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(got[0].size(), 4096u);
  EXPECT_EQ(got[0].rfind("STATUS=xxx", 0), 0u);
}

TEST(SdNotify, UnusableSocketsAreReportedNotThrown) {
  EXPECT_NE(SdNotifier("relative/path", std::nullopt).ready(), "");
  EXPECT_NE(SdNotifier("/nonexistent-dir/notify", std::nullopt).ready(), "");
  EXPECT_NE(SdNotifier("/" + std::string(200, 'a'), std::nullopt).ready(), "");  // longer than sun_path
}

}  // namespace
}  // namespace bw::agent
