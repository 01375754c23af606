#pragma once
// systemd's notify protocol, spoken directly (no libsystemd): datagrams of NAME=VALUE lines sent to
// the unix socket named by $NOTIFY_SOCKET ("/path", or "@name" for the abstract namespace).
// Type=notify units learn readiness (READY=1), reloads (RELOADING=1 ... READY=1), shutdown
// (STOPPING=1), a status line (STATUS=) and watchdog keep-alives (WATCHDOG=1) this way.
// Without $NOTIFY_SOCKET every call does nothing, so the daemon needs no "am I under systemd" branch.
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bw::agent {

// Reads one environment variable; std::nullopt when unset. Injected so tests choose the socket.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process environment (getenv).
std::optional<std::string> process_env(const char* name);

class SdNotifier {
 public:
  // NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as systemd sets them for the main process `self`.
  // The watchdog is on when WATCHDOG_USEC is a positive number and WATCHDOG_PID is unset or `self`.
  static SdNotifier from_env(const EnvLookup& env = process_env, pid_t self = ::getpid());

  SdNotifier() = default;  // disabled
  SdNotifier(std::string socket, std::optional<std::chrono::microseconds> watchdog_timeout)
      : socket_(std::move(socket)), watchdog_timeout_(watchdog_timeout) {}

  bool enabled() const { return !socket_.empty(); }
  const std::string& socket() const { return socket_; }
  // How often to send WATCHDOG=1: half the timeout systemd enforces, as sd_watchdog_enabled(3)
  // advises; nullopt when no watchdog is asked for (or there is no socket to send it to).
  std::optional<std::chrono::microseconds> watchdog_interval() const;

  // Each sends one datagram and returns "" on success, else why it could not (for a log line);
  // a disabled notifier returns "" and sends nothing.
  std::string send(std::string_view message) const;  // raw: "NAME=VALUE\nNAME=VALUE"
  std::string ready() const { return send("READY=1"); }
  std::string ready(std::string_view status) const;  // READY=1 with a STATUS= line, in one datagram
  std::string status(std::string_view text) const;
  // RELOADING=1 with MONOTONIC_USEC=, which systemd (253+) uses to tell this reload from an older one.
  std::string reloading() const;
  std::string stopping() const { return send("STOPPING=1"); }
  std::string watchdog() const;  // WATCHDOG=1, only when watchdog_interval() is set

  // A STATUS= value: one line (newlines would start new fields), short enough for one datagram.
  static std::string status_line(std::string_view text);

 private:
  std::string socket_;
  std::optional<std::chrono::microseconds> watchdog_timeout_;
};

}  // namespace bw::agent
