// The agent file: AWS access, polling, state, the status server, targets, and which rules to load.
#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "config/loader.hpp"
#include "config/targets.hpp"

namespace bw::config {
namespace detail {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string_view> kAgentKeys = {"aws",   "poll",  "state",      "server", "targets",  "silences",
                                                  "rule_files", "rules", "shutdown", "jobs", "heartbeat", "ha"};

bool is_lower_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

// HOST:PORT, HOST possibly a bracketed IPv6 address; PORT 0 lets the kernel choose (tests).
bool valid_listen(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size() || s.size() - colon - 1 > 5)
    return false;
  const auto host = s.substr(0, colon), port = s.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  if (std::stoi(std::string(port)) > 65535) return false;
  if (host.front() == '[') return host.back() == ']';
  return host.find(':') == std::string_view::npos;
}

void check_url(const Sink& sink, const Scalar& url, std::string_view what) {
  if (!is_http_url(url.text))
    sink.error(url.mark, fmt::format("invalid {} \"{}\" (use an http:// or https:// URL)", what, url.text));
}

bool valid_region_code(std::string_view s) {
  static const std::regex re("[a-z]{2}(-[a-z]+)+-[0-9]+");
  return std::regex_match(s.begin(), s.end(), re);
}

bool valid_role_arn(std::string_view s) {
  static const std::regex re(R"(arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\w+=,.@/-]+)");
  return std::regex_match(s.begin(), s.end(), re);
}

void read_account(const Sink& sink, const YAML::Node& item, const YAML::Mark& item_mark, int index,
                  std::set<std::string>& names, AwsConfig& aws) {
  const MapReader a(sink, item, item_mark, fmt::format("account #{}", index), "");
  if (!a.valid()) return;
  a.check_keys({"name", "role_arn", "external_id", "regions"});
  Account account;
  const bool has_name = a.require("name", "the account's label value, e.g. name: prod");
  const bool has_role = a.require("role_arn", "the role to assume, e.g. role_arn: arn:aws:iam::111111111111:role/batchwatch");
  bool ok = has_name && has_role;
  if (auto name = a.scalar("name")) {
    if (!valid_name(name->text)) {
      sink.error(name->mark, fmt::format("invalid account name \"{}\" (use letters, digits, '.', '_' and '-')",
                                         name->text));
      ok = false;
    } else if (!names.insert(name->text).second) {
      sink.error(name->mark, fmt::format("account \"{}\" is listed twice (account names must be unique)", name->text));
      ok = false;
    }
    account.name = name->text;
  } else {
    ok = false;
  }
  if (auto arn = a.scalar("role_arn")) {
    if (!valid_role_arn(arn->text)) {
      sink.error(arn->mark, fmt::format("invalid role_arn \"{}\" (use arn:aws:iam::ACCOUNT_ID:role/NAME)", arn->text));
      ok = false;
    }
    account.role_arn = arn->text;
  } else {
    ok = false;
  }
  if (auto id = a.string("external_id")) account.external_id = *id;
  if (auto regions = a.string_list("regions")) {
    std::set<std::string> seen;
    for (const auto& reg : *regions) {
      if (!valid_region_code(reg.text)) {
        sink.error(reg.mark, fmt::format("invalid region \"{}\" (use a region code such as us-east-1)", reg.text));
        ok = false;
      } else if (!seen.insert(reg.text).second) {
        sink.error(reg.mark, fmt::format("region \"{}\" is listed twice for account \"{}\"", reg.text,
                                         account.name));
        ok = false;
      }
      account.regions.push_back(reg.text);
    }
  }
  if (ok) aws.accounts.push_back(std::move(account));
}

void read_accounts(const Sink& sink, const MapReader& r, AwsConfig& aws) {
  const auto list = r.node("accounts");
  if (!list || list->IsNull()) return;
  const auto mark = r.value_mark("accounts");
  if (!list->IsSequence()) {
    sink.error(mark, fmt::format("\"aws.accounts\" must be a list of accounts (each starting with \"- name: ...\"), "
                                 "not {}",
                                 describe(*list)));
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const auto& item : *list) {
    ++index;
    const auto item_mark = mark_or(item, mark);
    if (!item.IsMap())
      sink.error(item_mark, fmt::format("account #{} must be a map (name: ..., role_arn: ..., regions: [...]), "
                                        "not {}",
                                        index, describe(item)));
    else
      read_account(sink, item, item_mark, index, names, aws);
  }
}

void read_aws(const Sink& sink, const MapReader& top, AwsConfig& aws) {
  const auto r = top.map("aws", "\"aws\"");
  if (!r.valid()) return;
  r.check_keys({"region", "profile", "endpoint_url", "endpoints", "accounts", "ca_bundle", "use_fips"});
  if (auto region = r.scalar("region")) {
    if (!region->text.empty() && !is_lower_token(region->text))
      sink.error(region->mark,
                 fmt::format("invalid region \"{}\" (use a region code such as us-east-1)", region->text));
    aws.region = region->text;
  }
  if (auto profile = r.string("profile")) aws.profile = *profile;
  if (auto bundle = r.string("ca_bundle")) aws.ca_bundle = *bundle;
  if (auto fips = read_bool(sink, r, "use_fips")) aws.use_fips = *fips;
  if (auto url = r.scalar("endpoint_url")) {
    if (!url->text.empty()) check_url(sink, *url, "endpoint_url");
    aws.endpoint_url = url->text;
  }
  const auto endpoints = r.map("endpoints", "\"aws.endpoints\"");
  for (const auto& e : endpoints.entries()) {
    const auto key_mark = mark_or(e.key_node, endpoints.mark());
    if (!is_lower_token(e.key)) {
      sink.error(key_mark, fmt::format("invalid service name \"{}\" (use the endpoint prefix, e.g. monitoring, "
                                       "sns, sts)",
                                       e.key));
      continue;
    }
    auto url = MapReader::to_scalar(sink, e.value, mark_or(e.value, key_mark), "aws.endpoints." + e.key);
    if (!url) continue;
    check_url(sink, *url, fmt::format("endpoint for \"{}\"", e.key));
    aws.endpoints[e.key] = url->text;
  }
  read_accounts(sink, r, aws);
}

void read_poll(const MapReader& top, PollConfig& poll) {
  const auto r = top.map("poll", "\"poll\"");
  if (!r.valid()) return;
  r.check_keys({"delay", "catch_up", "discovery_ttl"});
  if (auto d = r.duration("delay", true)) poll.delay = *d;
  if (auto d = r.duration("catch_up", true)) poll.catch_up = *d;
  if (auto d = r.duration("discovery_ttl", true)) poll.discovery_ttl = *d;
}

// Relative paths in the agent file mean "next to the agent file", not "wherever the daemon started".
std::string resolve(const fs::path& base_dir, const std::string& path) {
  const fs::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
  return (base_dir / p).lexically_normal().string();
}

// Below an hour, a transition could be pruned before anyone had a chance to read it with `history`.
void read_retention(const Sink& sink, const MapReader& state, Config& cfg) {
  const auto s = state.scalar("retention");
  if (!s) return;
  const auto d = to_duration(sink, *s);
  if (!d) return;
  if (*d < Duration{3600})
    sink.error(s->mark, "\"state.retention\" is " + s->text + "; keep at least 1h of history (default 30d)");
  else
    cfg.state_retention = *d;
}

void read_state(const Sink& sink, const MapReader& top, const fs::path& base_dir, Config& cfg) {
  const auto r = top.map("state", "\"state\"");
  if (r.valid()) {
    r.check_keys({"path", "retention"});
    if (auto p = r.scalar("path")) {
      if (p->text.empty())
        sink.error(p->mark, "\"state.path\" is empty (name the SQLite file, e.g. ./batchwatch.db)");
      else
        cfg.state_path = p->text;
    }
    read_retention(sink, r, cfg);
  }
  cfg.state_path = resolve(base_dir, cfg.state_path);
}

// Reachable only from this machine: "localhost", 127.0.0.0/8 or [::1].
bool loopback_listen(std::string_view listen) {
  const auto host = listen.substr(0, listen.rfind(':'));
  return host == "localhost" || host == "[::1]" || host.substr(0, 4) == "127.";
}

void read_server(const Sink& sink, const MapReader& top, Config& cfg) {
  const auto r = top.map("server", "\"server\"");
  if (!r.valid()) return;
  r.check_keys({"listen", "auth_token"});
  if (auto token = r.scalar("auth_token")) cfg.server_auth_token = token->text;
  const auto node = r.node("listen");
  if (!node) return;
  if (node->IsNull()) {  // `listen:` with nothing after it reads as "off", like ""
    cfg.server_listen.clear();
    return;
  }
  const auto listen = r.scalar("listen");
  if (!listen) return;
  cfg.server_listen = listen->text;
  if (listen->text.empty()) return;
  if (!valid_listen(listen->text)) {
    sink.error(listen->mark, fmt::format("invalid listen address \"{}\" (use HOST:PORT such as 127.0.0.1:9917, "
                                         "or \"\" to disable the status server)",
                                         listen->text));
  } else if (!loopback_listen(listen->text) && cfg.server_auth_token.empty()) {
    // The page and the API show alert reasons, job names and output locations.
    sink.error(listen->mark,
               fmt::format("server.listen \"{}\" is not a loopback address, so server.auth_token is required (e.g. "
                           "auth_token: ${{BATCHWATCH_TOKEN}}): the status page and API show alert reasons, job names "
                           "and output locations to whoever can reach the port; or listen on 127.0.0.1",
                           listen->text));
  }
}

void read_shutdown(const MapReader& top, Config& cfg) {
  const auto r = top.map("shutdown", "\"shutdown\"");
  if (!r.valid()) return;
  r.check_keys({"grace"});
  if (auto d = r.duration("grace", true)) cfg.shutdown_grace = *d;
}

// CloudWatch's own limits: a namespace of 1-255 characters not starting with "AWS/" (reserved for AWS
// services), a dimension value of 1-1024 characters.
void read_heartbeat(const Sink& sink, const MapReader& top, Config& cfg) {
  if (!top.has("heartbeat")) return;
  HeartbeatConfig hb;
  const auto r = top.map("heartbeat", "\"heartbeat\"");
  if (r.valid()) {
    r.check_keys({"namespace", "replica"});
    if (auto ns = r.scalar("namespace")) {
      if (ns->text.empty() || ns->text.size() > 255 || ns->text.starts_with("AWS/"))
        sink.error(ns->mark, fmt::format("invalid heartbeat namespace \"{}\" (1 to 255 characters, not starting "
                                         "with \"AWS/\", e.g. Batchwatch)",
                                         ns->text));
      hb.ns = ns->text;
    }
    if (auto replica = r.scalar("replica")) {
      if (replica->text.empty() || replica->text.size() > 1024)
        sink.error(replica->mark, "\"heartbeat.replica\" must be 1 to 1024 characters (leave it out for "
                                  "HOSTNAME-PID)");
      hb.replica = replica->text;
    }
  }
  cfg.heartbeat = hb;
}

bool has_glob_chars(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// The agent file's directory is a literal path, even if it contains glob characters.
std::string glob_pattern(const fs::path& base_dir, const std::string& pattern) {
  if (fs::path(pattern).is_absolute() || base_dir.empty()) return fs::path(pattern).lexically_normal().string();
  std::string dir;
  for (const char c : base_dir.string()) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') dir += '\\';
    dir += c;
  }
  return (fs::path(dir) / pattern).lexically_normal().string();
}

// Expands every rule_files glob; files matched by more than one glob are loaded once.
std::vector<std::string> expand_rule_files(const Sink& sink, const MapReader& top, const fs::path& base_dir) {
  std::vector<std::string> files;
  const auto globs = top.string_list("rule_files");
  if (!globs) return files;
  std::error_code ec;
  const auto shown_dir = base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec);
  for (const auto& g : *globs) {
    const std::string pattern = glob_pattern(base_dir, g.text);
    glob_t matches{};
    const int rc = ::glob(pattern.c_str(), 0, nullptr, &matches);
    if (rc == GLOB_NOMATCH) {
      sink.error(g.mark, has_glob_chars(g.text)
                             ? fmt::format("\"{}\" matched no files (relative paths are relative to the agent "
                                           "file's directory, {})",
                                           g.text, shown_dir.string())
                             : fmt::format("rule file \"{}\" does not exist (relative paths are relative to the "
                                           "agent file's directory, {})",
                                           g.text, shown_dir.string()));
    } else if (rc != 0) {
      sink.error(g.mark, fmt::format("cannot expand \"{}\" (out of memory or an unreadable directory)", g.text));
    } else {
      for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
        const std::string path = fs::path(matches.gl_pathv[i]).lexically_normal().string();
        if (fs::is_directory(path, ec)) {
          // A wildcard sweeping up a subdirectory is harmless; naming one outright is a mistake.
          if (!has_glob_chars(g.text))
            sink.error(g.mark, fmt::format("\"{}\" is a directory (write e.g. {}/*.yaml)", g.text, g.text));
          continue;
        }
        if (std::find(files.begin(), files.end(), path) == files.end()) files.push_back(path);
      }
    }
    globfree(&matches);
  }
  return files;
}

}  // namespace
}  // namespace detail

std::vector<Diagnostic> add_account_dimensions(Config& config) {
  std::vector<Diagnostic> diags;
  for (auto& rule : config.rules) {
    if (std::holds_alternative<CompositeSpec>(rule.spec) || rule.is_job_rule()) continue;
    auto& dims = rule.metric.dimensions;
    bool clash = false;
    for (const auto& d : dims)
      if (d.name == kAccountDimension || d.name == kRegionDimension) {
        diags.push_back(Diagnostic{rule.file, rule.line, 1,
                                   fmt::format("rule \"{}\": its metric has a dimension named \"{}\", which "
                                               "aws.accounts adds to every rule (rename or drop it)",
                                               rule.name, d.name)});
        clash = true;
      }
    if (clash) continue;
    dims.push_back(Dimension{kAccountDimension, "*"});
    dims.push_back(Dimension{kRegionDimension, "*"});
    std::sort(dims.begin(), dims.end());
  }
  return diags;
}

LoadResult load(const std::string& agent_file, EnvLookup env) {
  using namespace detail;
  LoadResult result;
  auto& diags = result.diagnostics;
  const Sink sink{agent_file, &diags, env};
  Config cfg;
  cfg.path = agent_file;
  const auto base_dir = fs::path(agent_file).parent_path();
  std::set<std::string> declared_targets;
  std::vector<SilenceRuleRef> silence_rules;
  RuleContext ctx;
  ctx.targets = &declared_targets;
  try {
    const auto text = read_text(agent_file, sink);
    const auto root = text ? parse_yaml(*text, sink) : std::nullopt;
    if (!root) return result;
    const MapReader top(sink, *root, YAML::Mark(), "the agent file");
    if (!top.valid()) return result;
    top.check_keys(kAgentKeys);
    read_aws(sink, top, cfg.aws);
    if (!cfg.aws.ca_bundle.empty()) cfg.aws.ca_bundle = resolve(base_dir, cfg.aws.ca_bundle);
    read_poll(top, cfg.poll);
    read_jobs_config(top, cfg.jobs);
    read_state(sink, top, base_dir, cfg);
    read_server(sink, top, cfg);
    read_shutdown(top, cfg);
    read_heartbeat(sink, top, cfg);
    read_ha(sink, top, cfg);
    read_targets(sink, top, cfg, declared_targets);
    read_silences(sink, top, cfg, silence_rules);
    // Inline rules come first, then rule files in the order the globs list them.
    if (const auto rules = top.node("rules")) read_rule_list(sink, *rules, top.key_mark("rules"), ctx, cfg.rules);
    cfg.rule_files = expand_rule_files(sink, top, base_dir);
  } catch (const std::exception& e) {
    sink.error_at_file(fmt::format("internal error while reading the agent file: {}", e.what()));
  }
  sort_diagnostics(diags, 0);
  const auto agent_block_end = diags.size();

  for (const auto& file : cfg.rule_files) {
    const auto from = diags.size();
    const Sink file_sink{file, &diags, env};
    try {
      if (const auto text = read_text(file, file_sink))
        if (const auto root = parse_yaml(*text, file_sink)) read_rule_file(file_sink, *root, ctx, cfg.rules);
    } catch (const std::exception& e) {
      file_sink.error_at_file(fmt::format("internal error while reading rules: {}", e.what()));
    }
    sort_diagnostics(diags, from);
  }
  // Composites may name rules of later files: resolved once every file is loaded.
  finish_rules(ctx, cfg.rules, diags, env);
  // Only now is every rule name known; what this finds belongs in the agent file's block.
  std::vector<Diagnostic> rule_file_diags(diags.begin() + static_cast<std::ptrdiff_t>(agent_block_end), diags.end());
  diags.resize(agent_block_end);
  check_silence_rules(sink, silence_rules, ctx);
  sort_diagnostics(diags, 0);
  diags.insert(diags.end(), rule_file_diags.begin(), rule_file_diags.end());
  if (diags.empty() && !cfg.aws.accounts.empty()) diags = add_account_dimensions(cfg);
  cfg.jobs.enabled = cfg.jobs.enabled || std::any_of(cfg.rules.begin(), cfg.rules.end(),
                                                     [](const Rule& r) { return r.is_job_rule(); });
  if (diags.empty()) result.config = std::move(cfg);
  return result;
}

}  // namespace bw::config
