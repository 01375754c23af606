#include "agent/status/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace bw::agent {
namespace {

// systemd reads notify datagrams into a buffer of PIPE_BUF (4096) bytes and drops longer ones;
// a status line is cut well before that.
constexpr std::size_t kMaxStatus = 1024;

std::optional<long long> positive_number(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  long long v = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc{} || ptr != end || v <= 0) return std::nullopt;
  return v;
}

// A sockaddr_un for "/path" or "@abstract"; 0 when the name is not one systemd would give.
socklen_t address_of(const std::string& name, sockaddr_un& addr) {
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (name.size() < 2 || (name[0] != '/' && name[0] != '@') || name.size() >= sizeof addr.sun_path) return 0;
  std::memcpy(addr.sun_path, name.data(), name.size());
  // An abstract name is the bytes after a leading NUL, exactly as long as the address says: no terminator.
  if (name[0] == '@') {
    addr.sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
}

}  // namespace

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

SdNotifier SdNotifier::from_env(const EnvLookup& env, pid_t self) {
  auto socket = env("NOTIFY_SOCKET").value_or("");
  std::optional<std::chrono::microseconds> watchdog;
  if (const auto usec = positive_number(env("WATCHDOG_USEC"))) {
    // WATCHDOG_PID names the process systemd watches; a child that inherited it must not ping.
    const auto pid = env("WATCHDOG_PID");
    if (!pid || positive_number(pid) == static_cast<long long>(self)) watchdog = std::chrono::microseconds(*usec);
  }
  return SdNotifier(std::move(socket), watchdog);
}

std::optional<std::chrono::microseconds> SdNotifier::watchdog_interval() const {
  if (!enabled() || !watchdog_timeout_) return std::nullopt;
  return std::max(std::chrono::microseconds(1), *watchdog_timeout_ / 2);
}

std::string SdNotifier::send(std::string_view message) const {
  if (!enabled()) return "";
  sockaddr_un addr;
  const socklen_t len = address_of(socket_, addr);
  if (len == 0) return "NOTIFY_SOCKET is not a unix socket path or @abstract name: " + socket_;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  ssize_t sent;
  do {
    sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len);
  } while (sent < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (sent < 0) return "sendto " + socket_ + ": " + std::strerror(err);
  if (static_cast<std::size_t>(sent) != message.size()) return "sendto " + socket_ + ": short write";
  return "";
}

std::string SdNotifier::status_line(std::string_view text) {
  std::string line(text.substr(0, kMaxStatus));
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line;
}

std::string SdNotifier::ready(std::string_view status_text) const {
  return send("READY=1\nSTATUS=" + status_line(status_text));
}

std::string SdNotifier::status(std::string_view text) const { return send("STATUS=" + status_line(text)); }

std::string SdNotifier::reloading() const {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

std::string SdNotifier::watchdog() const {
  if (!watchdog_interval()) return "";
  return send("WATCHDOG=1");
}

}  // namespace bw::agent
