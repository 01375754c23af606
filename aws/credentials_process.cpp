// credential_process: run a command, read credentials from its stdout (the AWS CLI's way: no shell).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "aws/credentials_chain.hpp"

extern char** environ;

namespace bw::aws {

std::optional<std::vector<std::string>> split_command_line(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return std::nullopt;
      if (s[i + 1] != '\n') word += s[i + 1];  // backslash-newline joins lines
      ++i;
      in_word = true;
    } else if (c == '\'') {
      const auto close = s.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      word += s.substr(i + 1, close - i - 1);
      i = close;
      in_word = true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() &&
            (s[j + 1] == '\\' || s[j + 1] == '"' || s[j + 1] == '$' || s[j + 1] == '`' || s[j + 1] == '\n')) {
          if (s[j + 1] != '\n') word += s[j + 1];
          ++j;
        } else {
          word += s[j];
        }
      }
      if (j >= s.size()) return std::nullopt;
      i = j;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

namespace {

struct Output {
  int exit_status = -1;  // -1: killed or not run
  bool timed_out = false;
  std::string out, err;
  std::string spawn_error;
};

Output run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Output result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    result.spawn_error = std::strerror(rc);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return result;
  }
  constexpr std::size_t kMaxOutput = 1 << 20;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);  // the child we started, by its pid
      break;
    }
    const int n = poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int k = 0; k < 2 && n > 0; ++k) {
      if (fds[k].fd < 0 || fds[k].revents == 0) continue;
      char buf[4096];
      const ssize_t got = read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        if (sinks[k]->size() < kMaxOutput) sinks[k]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fds[k].fd);
        fds[k].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

std::string one_line(std::string s, std::size_t max) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

Error fail(std::string message) {
  return credentials_failure("CredentialsProviderError", "credential_process: " + std::move(message));
}

class ProcessProvider final : public CredentialsProvider {
 public:
  ProcessProvider(std::string command, std::chrono::milliseconds timeout)
      : command_(std::move(command)), timeout_(timeout) {}

  Result<Credentials> credentials() override {
    auto argv = split_command_line(command_);
    if (!argv || argv->empty())
      return fail("credential_process is empty or has an unterminated quote or trailing backslash");
    const std::string& program = argv->front();
    const Output r = run(*argv, timeout_);
    if (!r.spawn_error.empty()) return fail("cannot run \"" + program + "\": " + r.spawn_error);
    if (r.timed_out) return fail("\"" + program + "\" did not finish within " + std::to_string(timeout_.count()) + " ms");
    if (r.exit_status != 0)
      return fail("\"" + program + "\" exited with status " + std::to_string(r.exit_status) +
                  (r.err.empty() ? "" : ": " + one_line(r.err, 300)));
    return parse_credential_process_output(r.out, program);
  }

  std::string name() const override { return "credential_process"; }

 private:
  std::string command_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

Result<Credentials> parse_credential_process_output(const std::string& output, const std::string& program) {
  // Never quote the output: it holds the secret.
  const auto j = nlohmann::json::parse(output, nullptr, false);
  if (!j.is_object()) return fail("\"" + program + "\" did not print a JSON object");
  const auto version = j.find("Version");
  if (version == j.end() || !version->is_number_integer() || version->get<std::int64_t>() != 1)
    return fail("\"" + program + "\" printed no \"Version\": 1");
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c{str("AccessKeyId"), str("SecretAccessKey"), str("SessionToken"), std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return fail("\"" + program + "\" printed no AccessKeyId or SecretAccessKey");
  if (const std::string exp = str("Expiration"); !exp.empty()) {
    c.expiration = parse_iso8601(exp);
    if (!c.expiration) return fail("\"" + program + "\" printed an unreadable Expiration");
  }
  return c;
}

std::unique_ptr<CredentialsProvider> make_process_provider(std::string command, std::chrono::milliseconds timeout) {
  return std::make_unique<ProcessProvider>(std::move(command), timeout);
}

}  // namespace bw::aws
