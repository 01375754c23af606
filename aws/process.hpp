#pragma once
// The one way batchwatch starts a child process: exec hooks (agent/delivery) and credential_process
// (aws/credentials_process.cpp). The child runs without a shell, in a process group of its own, with
// an empty signal mask and default dispositions (the daemon blocks SIGTERM/SIGHUP for its signal
// thread; a child must not inherit that). A timeout or a cancel reaches the whole group: SIGTERM,
// then SIGKILL after a grace period. Output is read until the direct child has exited, never until
// every holder of its pipes has: a backgrounded grandchild cannot hold the caller.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace bw::aws {

// Stops a running process early when set, from any thread (e.g. the daemon shutting down while a
// hook runs). One cancel stops every run that watches it, and every later one before it starts.
class Cancellation {
 public:
  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct ProcessOptions {
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds kill_grace{5000};    // after a timeout: between SIGTERM and SIGKILL
  std::chrono::milliseconds cancel_grace{1000};  // after a cancel: short, the caller is shutting down
  std::size_t output_limit = 64 * 1024;          // per capture; the rest is counted, not kept
  bool merge_stderr = true;                      // stderr into `output`; else into `errors`
  const Cancellation* cancel = nullptr;          // optional; must outlive the run
};

struct ProcessResult {
  bool started = false;
  std::string spawn_error;  // why it could not start
  bool timed_out = false;
  bool cancelled = false;
  bool killed = false;      // SIGKILL was needed
  int exit_code = -1;       // when it exited
  int signal = 0;           // when a signal ended it
  std::string output;       // stdout (and stderr when merged), at most output_limit bytes
  std::string errors;       // stderr when not merged, at most output_limit bytes
  std::size_t dropped = 0;  // bytes beyond the limits
  std::chrono::milliseconds elapsed{0};
  bool succeeded() const { return started && !timed_out && !cancelled && signal == 0 && exit_code == 0; }
};

// Runs argv[0] (searched in PATH when it has no '/') with argv and env ("NAME=value" entries); writes
// `input` to its stdin (a socket, so a child that stops reading cannot raise SIGPIPE here), then
// closes it. Returns once the child has exited and been reaped; after a timeout or cancel, the rest
// of its group is killed too.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          const std::string& input, const ProcessOptions& options);

// This process's environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace bw::aws
