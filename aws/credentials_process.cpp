// credential_process: run a command, read credentials from its stdout (the AWS CLI's way: no shell).
#include <nlohmann/json.hpp>

#include "aws/credentials_chain.hpp"
#include "aws/process.hpp"

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

// A credentials document is a few kilobytes; more is not one.
constexpr std::size_t kMaxOutput = 1 << 20;

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
    const auto r = run_process(*argv, current_environment(), "", options());
    if (!r.started) return fail(r.spawn_error);
    if (r.timed_out) return fail("\"" + program + "\" did not finish within " + std::to_string(timeout_.count()) + " ms");
    if (r.exit_code != 0)
      return fail("\"" + program + "\" " +
                  (r.signal != 0 ? "was killed by signal " + std::to_string(r.signal)
                                 : "exited with status " + std::to_string(r.exit_code)) +
                  (r.errors.empty() ? "" : ": " + one_line(r.errors, 300)));
    return parse_credential_process_output(r.output, program);
  }

  std::string name() const override { return "credential_process"; }

 private:
  // stderr apart (stdout is the JSON document); a short grace: credentials hold up requests.
  ProcessOptions options() const {
    ProcessOptions o;
    o.timeout = timeout_;
    o.kill_grace = std::chrono::milliseconds(500);
    o.output_limit = kMaxOutput;
    o.merge_stderr = false;
    return o;
  }

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
