// The exec target: a hook run without a shell, in its own process group, with a deadline.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

#include "agent/delivery/targets.hpp"

extern char** environ;

namespace bw::agent {
namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// How often a running hook is checked for having exited while its output stays quiet.
constexpr milliseconds kExitPoll{10};

std::string trim_copy(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string placeholder_value(std::string_view name, const EventFields& e, bool& known) {
  known = true;
  if (name == "rule") return e.rule;
  if (name == "state") return e.state;
  if (name == "value") return e.value;
  if (name == "idempotency_key") return e.idempotency_key;
  if (name == "severity") return e.severity;
  if (name.starts_with("labels.")) {
    const auto label = name.substr(7);
    for (const auto& [k, v] : e.labels)
      if (k == label) return v;
    return "";
  }
  known = false;
  return "";
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// A descriptor numbered 0-2 (the agent's own stdio was closed) would be dup2'ed onto itself in the
// child and keep its close-on-exec flag: move it out of the way.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

bool exited(pid_t pid) {
  siginfo_t info{};
  // WNOWAIT: the child stays a zombie, so its pid (and process group id) cannot be reused before
  // the group is killed and the child reaped.
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) return info.si_pid == pid;
  return errno != EINTR;  // ECHILD: reaped elsewhere (SIGCHLD ignored); it is gone either way
}

struct Capture {
  std::size_t limit;
  std::string& out;
  std::size_t& dropped;
  // Reads what is available now, up to a bound so a hook writing without pause (`yes`) cannot keep
  // the caller from its deadline; false at end of file or on error.
  bool read_available(int fd) {
    char buf[8192];
    constexpr int kMaxReadsPerCall = 64;
    for (int reads = 0; reads < kMaxReadsPerCall; ++reads) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        const auto keep = std::min(static_cast<std::size_t>(n), limit - std::min(limit, out.size()));
        out.append(buf, keep);
        dropped += static_cast<std::size_t>(n) - keep;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
  }
};

}  // namespace

std::vector<std::string> substitute_argv(const std::vector<std::string>& argv, const EventFields& event) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const auto& arg : argv) {
    std::string s;
    std::size_t i = 0;
    while (i < arg.size()) {
      const auto open = arg.find("{{", i);
      const auto close = open == std::string::npos ? std::string::npos : arg.find("}}", open + 2);
      if (close == std::string::npos) {
        s.append(arg, i, std::string::npos);
        break;
      }
      s.append(arg, i, open - i);
      bool known = false;
      auto value = placeholder_value(trim_copy(std::string_view(arg).substr(open + 2, close - open - 2)), event, known);
      s += known ? value : arg.substr(open, close + 2 - open);
      i = close + 2;
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string label_env_name(std::string_view label) {
  std::string name = "BATCHWATCH_LABEL_";
  for (const unsigned char c : label) name += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return name;
}

std::vector<std::string> process_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

std::vector<std::string> hook_environment(const std::vector<std::string>& base, const OutboxRow& row,
                                          const EventFields& event) {
  std::vector<std::pair<std::string, std::string>> ours = {{"BATCHWATCH_EVENT", row.payload},
                                                           {"BATCHWATCH_RULE", event.rule},
                                                           {"BATCHWATCH_STATE", event.state},
                                                           {"BATCHWATCH_VALUE", event.value},
                                                           {"BATCHWATCH_IDEMPOTENCY_KEY", event.idempotency_key}};
  if (!event.severity.empty()) ours.emplace_back("BATCHWATCH_SEVERITY", event.severity);
  for (const auto& [name, value] : event.labels) ours.emplace_back(label_env_name(name), value);
  std::set<std::string> names;
  for (const auto& [name, value] : ours) names.insert(name);
  std::vector<std::string> env;
  for (const auto& entry : base)
    if (!names.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
  for (const auto& [name, value] : ours) env.push_back(name + "=" + value);
  return env;
}

namespace {

// The hook's three standard streams. stdin is a socket so that writing to a hook that stopped
// reading fails with EPIPE instead of raising SIGPIPE in the agent (send with MSG_NOSIGNAL); stdout
// and stderr share one pipe. The child's ends are closed in the agent once the hook has started.
struct HookPipes {
  Fd child_in, to_child;
  Fd from_child, child_out;
};

// "" on success, else why the pipes could not be made.
std::string open_pipes(HookPipes& pipes) {
  int in[2], out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
    return fmt::format("socketpair: {}", std::strerror(errno));
  pipes.child_in.reset(above_stdio(in[0]));
  pipes.to_child.reset(above_stdio(in[1]));
  if (::pipe2(out, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  pipes.from_child.reset(above_stdio(out[0]));
  pipes.child_out.reset(above_stdio(out[1]));
  if (!pipes.child_in || !pipes.to_child || !pipes.from_child || !pipes.child_out)
    return fmt::format("fcntl: {}", std::strerror(errno));
  return "";
}

// Starts argv in a process group of its own (so a timeout reaches the hook's children too), with no
// inherited signal mask and default dispositions (the agent may block or ignore signals the hook
// relies on). Returns posix_spawnp's error number, 0 on success.
int spawn_in_own_group(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const HookPipes& pipes, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_in.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_out.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_out.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  const int rc = ::posix_spawnp(&pid, argv.front().c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Feeds `input` to the running hook and captures its output until it exits, escalating from SIGTERM
// to SIGKILL on its group when the deadline passes. Returns with the hook exited (not yet reaped).
void supervise(pid_t pid, HookPipes& pipes, const std::string& input, const HookOptions& options,
               SteadyTime start, HookResult& result) {
  Capture capture{options.output_limit, result.output, result.dropped};
  std::size_t written = 0;
  if (input.empty()) pipes.to_child.reset();  // EOF at once
  SteadyTime deadline = start + options.timeout;
  bool output_open = true;
  for (;;) {
    if (exited(pid)) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      if (!result.timed_out) {
        result.timed_out = true;
        ::kill(-pid, SIGTERM);
        deadline = now + options.kill_grace;
      } else {
        result.killed = true;
        ::kill(-pid, SIGKILL);
        deadline = SteadyTime::max();
      }
      continue;
    }
    pollfd fds[2];
    nfds_t n = 0;
    if (output_open) fds[n++] = {pipes.from_child.get(), POLLIN, 0};
    const nfds_t writer = n;
    if (pipes.to_child) fds[n++] = {pipes.to_child.get(), POLLOUT, 0};
    const auto left = deadline - now;
    const auto wait = left > kExitPoll ? kExitPoll : std::chrono::ceil<milliseconds>(left);
    if (::poll(fds, n, static_cast<int>(wait.count())) < 0 && errno != EINTR) break;
    if (output_open && fds[0].revents != 0) output_open = capture.read_available(pipes.from_child.get());
    if (pipes.to_child && fds[writer].revents != 0) {
      const ssize_t w =
          ::send(pipes.to_child.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (w > 0) written += static_cast<std::size_t>(w);
      // A hook that exits or closes stdin without reading it all is the hook's business.
      if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) pipes.to_child.reset();
    }
  }
  // What the hook wrote just before exiting; a background child still holding the pipe open cannot
  // keep us here, since only what is already buffered is read.
  if (output_open) capture.read_available(pipes.from_child.get());
}

// Waits for the exited hook and records how it ended.
void reap(pid_t pid, HookResult& result) {
  int status = 0;
  pid_t reaped = -1;
  do {
    reaped = ::waitpid(pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (reaped == pid && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

HookResult run_hook(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& input, const HookOptions& options) {
  HookResult result;
  const SteadyTime start = std::chrono::steady_clock::now();
  if (argv.empty() || argv.front().empty()) {
    result.spawn_error = "no program to run";
    return result;
  }
  HookPipes pipes;
  if (result.spawn_error = open_pipes(pipes); !result.spawn_error.empty()) return result;
  pid_t pid = 0;
  if (const int rc = spawn_in_own_group(argv, env, pipes, pid); rc != 0) {
    result.spawn_error = fmt::format("cannot run \"{}\": {}", argv.front(), std::strerror(rc));
    return result;
  }
  result.started = true;
  pipes.child_in.reset();
  pipes.child_out.reset();
  set_nonblocking(pipes.to_child.get());
  set_nonblocking(pipes.from_child.get());
  supervise(pid, pipes, input, options, start, result);
  // Members of the group that outlived a timed-out hook (e.g. its children ignoring SIGTERM) go too.
  if (result.timed_out) ::kill(-pid, SIGKILL);
  reap(pid, result);
  result.elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  return result;
}

Delivery ExecSender::deliver(const OutboxRow& row) {
  const auto event = event_fields(row);
  const auto argv = substitute_argv(command_, event);
  const auto env = hook_environment(process_environment(), row, event);
  const auto r = run_hook(argv, env, row.payload + "\n", options_);
  if (!r.started) return {Delivery::Outcome::Retry, "exec: " + r.spawn_error};
  std::string detail;
  const auto secs = [](milliseconds d) { return static_cast<double>(d.count()) / 1000.0; };
  if (r.timed_out)
    detail = fmt::format("exec {}: timed out after {:.1f}s; SIGTERM sent to its process group{}", argv.front(),
                         secs(options_.timeout),
                         r.killed ? fmt::format(", then SIGKILL after {:.1f}s", secs(options_.kill_grace)) : "");
  else if (r.signal != 0)
    detail = fmt::format("exec {}: killed by signal {} after {:.1f}s", argv.front(), r.signal, secs(r.elapsed));
  else if (r.exit_code < 0)
    detail = fmt::format("exec {}: exit status unknown (reaped elsewhere)", argv.front());
  else
    detail = fmt::format("exec {}: exit {} after {:.1f}s", argv.front(), r.exit_code, secs(r.elapsed));
  const auto output = trim_copy(r.output);
  if (!output.empty()) detail += "; output: " + output;
  if (r.dropped > 0) detail += fmt::format(" [{} more bytes not kept]", r.dropped);
  return {r.succeeded() ? Delivery::Outcome::Delivered : Delivery::Outcome::Retry, std::move(detail)};
}

}  // namespace bw::agent
