// The process runner: spawn in an own group with a clean signal state, feed stdin, capture output,
// enforce the deadline and cancels on the whole group, reap.
#include "aws/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace bw::aws {
namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// How often a running child is checked for having exited (or been cancelled) while its output stays quiet.
constexpr milliseconds kExitPoll{10};

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

// A descriptor numbered 0-2 (the daemon's own stdio was closed) would be dup2'ed onto itself in the
// child and keep its close-on-exec flag: move it out of the way.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

void set_nonblocking(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

bool exited(pid_t pid) {
  siginfo_t info{};
  // WNOWAIT: the child stays a zombie, so its pid (and process group id) cannot be reused before
  // the group is killed and the child reaped.
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) return info.si_pid == pid;
  return errno != EINTR;  // ECHILD: reaped elsewhere (SIGCHLD ignored); it is gone either way
}

// One output stream, kept up to a limit.
struct Capture {
  std::size_t limit;
  std::string& out;
  std::size_t& dropped;
  bool open = true;
  // Reads what is available now, up to a bound so a child writing without pause (`yes`) cannot keep
  // the caller from its deadline; closes at end of file or on error.
  void read_available(int fd) {
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
      open = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      return;
    }
  }
};

// The child's standard streams. stdin is a socket so that writing to a child that stopped reading
// fails with EPIPE instead of raising SIGPIPE here (send with MSG_NOSIGNAL). stderr shares stdout's
// pipe when merged. The child's ends are closed here once it has started.
struct Pipes {
  Fd child_in, to_child;
  Fd from_out, child_out;
  Fd from_err, child_err;
};

// "" on success, else why the pipes could not be made.
std::string open_pipes(Pipes& pipes, bool merge_stderr) {
  int in[2], out[2], err[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
    return fmt::format("socketpair: {}", std::strerror(errno));
  pipes.child_in.reset(above_stdio(in[0]));
  pipes.to_child.reset(above_stdio(in[1]));
  if (::pipe2(out, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  pipes.from_out.reset(above_stdio(out[0]));
  pipes.child_out.reset(above_stdio(out[1]));
  if (!merge_stderr) {
    if (::pipe2(err, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
    pipes.from_err.reset(above_stdio(err[0]));
    pipes.child_err.reset(above_stdio(err[1]));
    if (!pipes.from_err || !pipes.child_err) return fmt::format("fcntl: {}", std::strerror(errno));
  }
  if (!pipes.child_in || !pipes.to_child || !pipes.from_out || !pipes.child_out)
    return fmt::format("fcntl: {}", std::strerror(errno));
  return "";
}

// Starts argv in a process group of its own (so a timeout reaches its children too), with no
// inherited signal mask and default dispositions (the daemon blocks or ignores signals the child
// relies on). Returns posix_spawnp's error number, 0 on success.
int spawn_in_own_group(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const Pipes& pipes, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_in.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_out.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, pipes.child_err ? pipes.child_err.get() : pipes.child_out.get(), 2);
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

class Supervisor {
 public:
  Supervisor(pid_t pid, Pipes& pipes, const std::string& input, const ProcessOptions& options, ProcessResult& result)
      : pid_(pid), pipes_(pipes), input_(input), options_(options), result_(result),
        out_{options.output_limit, result.output, result.dropped},
        err_{options.output_limit, result.errors, result.dropped} {
    err_.open = static_cast<bool>(pipes.from_err);
    if (input.empty()) pipes_.to_child.reset();  // EOF at once
  }

  // Feeds the input and captures output until the child exits, stopping its group when the deadline
  // passes or the run is cancelled. Returns with the child exited (not yet reaped).
  void run(SteadyTime start) {
    deadline_ = start + options_.timeout;
    while (!exited(pid_)) {
      const auto now = std::chrono::steady_clock::now();
      if (options_.cancel && options_.cancel->cancelled() && !result_.cancelled && !result_.killed) stop(now, true);
      if (now >= deadline_) {
        if (result_.timed_out || result_.cancelled) kill_group();
        else stop(now, false);
        continue;
      }
      exchange(std::chrono::ceil<milliseconds>(std::min<SteadyTime::duration>(deadline_ - now, kExitPoll)));
    }
    // What the child wrote just before exiting; a background child still holding the pipes open
    // cannot keep us here, since only what is already buffered is read.
    if (out_.open) out_.read_available(pipes_.from_out.get());
    if (err_.open) err_.read_available(pipes_.from_err.get());
  }

 private:
  // SIGTERM to the group, SIGKILL after the grace that fits why it is stopped.
  // A cancel during a timeout's grace can only shorten it.
  void stop(SteadyTime now, bool cancelled) {
    const bool stopping = result_.timed_out || result_.cancelled;
    (cancelled ? result_.cancelled : result_.timed_out) = true;
    ::kill(-pid_, SIGTERM);
    const auto until = now + (cancelled ? options_.cancel_grace : options_.kill_grace);
    deadline_ = stopping ? std::min(deadline_, until) : until;
  }
  void kill_group() {
    result_.killed = true;
    ::kill(-pid_, SIGKILL);
    deadline_ = SteadyTime::max();
  }
  // One poll: output read, input written, for at most `wait`.
  void exchange(milliseconds wait) {
    pollfd fds[3];
    nfds_t n = 0;
    int out_at = -1, err_at = -1, in_at = -1;
    if (out_.open) out_at = static_cast<int>(n), fds[n++] = {pipes_.from_out.get(), POLLIN, 0};
    if (err_.open) err_at = static_cast<int>(n), fds[n++] = {pipes_.from_err.get(), POLLIN, 0};
    if (pipes_.to_child) in_at = static_cast<int>(n), fds[n++] = {pipes_.to_child.get(), POLLOUT, 0};
    if (::poll(fds, n, static_cast<int>(wait.count())) < 0) return;  // EINTR: the caller loops
    if (out_at >= 0 && fds[out_at].revents != 0) out_.read_available(pipes_.from_out.get());
    if (err_at >= 0 && fds[err_at].revents != 0) err_.read_available(pipes_.from_err.get());
    if (in_at >= 0 && fds[in_at].revents != 0) write_input();
  }
  void write_input() {
    const ssize_t w = ::send(pipes_.to_child.get(), input_.data() + written_, input_.size() - written_, MSG_NOSIGNAL);
    if (w > 0) written_ += static_cast<std::size_t>(w);
    // A child that exits or closes stdin without reading it all is the child's business.
    if (written_ == input_.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) pipes_.to_child.reset();
  }

  pid_t pid_;
  Pipes& pipes_;
  const std::string& input_;
  const ProcessOptions& options_;
  ProcessResult& result_;
  Capture out_, err_;
  std::size_t written_ = 0;
  SteadyTime deadline_;
};

// Waits for the exited child and records how it ended.
void reap(pid_t pid, ProcessResult& result) {
  int status = 0;
  pid_t reaped = -1;
  do {
    reaped = ::waitpid(pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  if (reaped == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (reaped == pid && WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& input, const ProcessOptions& options) {
  ProcessResult result;
  const SteadyTime start = std::chrono::steady_clock::now();
  if (argv.empty() || argv.front().empty()) {
    result.spawn_error = "no program to run";
    return result;
  }
  if (options.cancel && options.cancel->cancelled()) {
    result.cancelled = true;
    result.spawn_error = "cancelled before it started";
    return result;
  }
  Pipes pipes;
  if (result.spawn_error = open_pipes(pipes, options.merge_stderr); !result.spawn_error.empty()) return result;
  pid_t pid = 0;
  if (const int rc = spawn_in_own_group(argv, env, pipes, pid); rc != 0) {
    result.spawn_error = fmt::format("cannot run \"{}\": {}", argv.front(), std::strerror(rc));
    return result;
  }
  result.started = true;
  pipes.child_in.reset();
  pipes.child_out.reset();
  pipes.child_err.reset();
  set_nonblocking(pipes.to_child.get());
  set_nonblocking(pipes.from_out.get());
  set_nonblocking(pipes.from_err.get());
  Supervisor(pid, pipes, input, options, result).run(start);
  // Members of the group that outlived a stopped child (e.g. its children ignoring SIGTERM) go too.
  if (result.timed_out || result.cancelled) ::kill(-pid, SIGKILL);
  reap(pid, result);
  result.elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  return result;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

}  // namespace bw::aws
