// The shared config and credentials files: profiles with static keys, roles, credential_process.
#include <algorithm>
#include <charconv>

#include "aws/credentials_chain.hpp"
#include "aws/ini.hpp"

namespace bw::aws {
namespace {

using ini::Section;

std::string expand_home(const EnvLookup& env, std::string path) {
  if (path == "~" || path.starts_with("~/")) {
    if (auto home = env("HOME"); home && !home->empty()) path = *home + path.substr(1);
  }
  return path;
}

struct Files {
  std::string config_path, credentials_path;
  std::map<std::string, Section> config, credentials;
};

std::map<std::string, Section> load(const std::string& path, bool config_file) {
  auto text = read_text_file(path);
  if (!text) return {};  // a missing file is an empty one, as for the SDKs
  const ini::File f = ini::parse(*text);
  return config_file ? ini::config_profiles(f) : ini::credentials_profiles(f);
}

Files load_files(const EnvLookup& env) {
  Files f;
  f.config_path = expand_home(env, env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  f.credentials_path = expand_home(env, env("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  f.config = load(f.config_path, true);
  f.credentials = load(f.credentials_path, false);
  return f;
}

std::string get(const Section& s, const char* key) {
  auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

std::string join(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : " -> ") + p;
  return out;
}

Error invalid(const std::string& profile, const std::string& what) {
  return credentials_failure("InvalidConfig", "profile \"" + profile + "\": " + what);
}

using Built = Result<std::unique_ptr<CredentialsProvider>>;

class Builder {
 public:
  Builder(const ProviderDeps& deps, const Files& files) : deps_(deps), files_(files) {}

  // The provider for `name`. `top`: the profile the user chose (a profile without any credentials there merely
  // "does not apply"; as a source_profile it is an error).
  Built build(const std::string& name, std::vector<std::string>& path, bool top) {
    bool found = false;
    const Section p = ini::merge_profile(files_.config, files_.credentials, name, &found);
    if (!found)
      return credentials_failure("ProfileNotFound", "source_profile \"" + name + "\" (via " + join(path) +
                                                        ") not found in " + files_.config_path + " or " +
                                                        files_.credentials_path);
    if (std::find(path.begin(), path.end(), name) != path.end())
      return invalid(name, "source_profile cycle: " + join(path) + " -> " + name);
    path.push_back(name);
    if (const std::string role_arn = get(p, "role_arn"); !role_arn.empty()) return role(name, p, role_arn, path);
    if (auto keys = static_keys(name, p)) return std::move(*keys);
    if (const std::string cmd = get(p, "credential_process"); !cmd.empty())
      return make_process_provider(cmd, deps_.process_timeout);
    if (!get(p, "sso_start_url").empty() || !get(p, "sso_session").empty())
      return credentials_failure("Unsupported", "profile \"" + name +
                                                    "\" uses IAM Identity Center (SSO), which batchwatch does not "
                                                    "support directly: add credential_process = aws configure "
                                                    "export-credentials --profile " + name + " --format process");
    const std::string why = "profile \"" + name + "\" has no aws_access_key_id, role_arn or credential_process";
    if (top) return no_credentials(why);
    return credentials_failure("InvalidConfig", why);
  }

 private:
  std::optional<Built> static_keys(const std::string& name, const Section& p) {
    const std::string id = get(p, "aws_access_key_id"), secret = get(p, "aws_secret_access_key");
    if (id.empty() && secret.empty()) return std::nullopt;
    if (id.empty() || secret.empty())
      return Built(invalid(name, "aws_access_key_id and aws_secret_access_key must be set together"));
    return Built(make_static_provider(Credentials{id, secret, get(p, "aws_session_token"), std::nullopt}));
  }

  Built role(const std::string& name, const Section& p, const std::string& role_arn, std::vector<std::string>& path) {
    const std::string source_profile = get(p, "source_profile"), credential_source = get(p, "credential_source");
    const std::string token_file = get(p, "web_identity_token_file");
    if (!get(p, "mfa_serial").empty())
      return invalid(name, "mfa_serial needs an interactive MFA prompt, which a daemon cannot give; use "
                           "credential_process instead");
    if (!source_profile.empty() && !credential_source.empty())
      return invalid(name, "source_profile and credential_source are mutually exclusive");
    const std::string session = get(p, "role_session_name");
    if (source_profile.empty() && credential_source.empty() && !token_file.empty())
      return make_web_identity_provider(deps_, expand_home(deps_.env, token_file), role_arn, session);

    std::unique_ptr<CredentialsProvider> source;
    if (!source_profile.empty()) {
      if (source_profile == name) {
        // A profile may name itself: its own static keys assume its own role_arn (not a cycle).
        auto keys = static_keys(name, p);
        if (!keys) return invalid(name, "names itself as source_profile but has no aws_access_key_id");
        if (!*keys) return keys->error();
        source = std::move(keys->value());
      } else {
        auto built = build(source_profile, path, false);
        if (!built) return built.error();
        source = std::move(built.value());
      }
    } else if (credential_source == "Environment") {
      source = make_environment_provider(deps_.env);
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = make_imds_provider(deps_);
    } else if (credential_source == "EcsContainer") {
      source = make_ecs_provider(deps_);
    } else if (!credential_source.empty()) {
      return invalid(name, "credential_source \"" + credential_source +
                               "\" is not one of Environment, Ec2InstanceMetadata, EcsContainer");
    } else {
      return invalid(name, "role_arn needs source_profile, credential_source or web_identity_token_file");
    }

    AssumeRoleRequest request{role_arn, session, get(p, "external_id"), std::nullopt};
    if (const std::string d = get(p, "duration_seconds"); !d.empty()) {
      int seconds = 0;
      const auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
      if (ec != std::errc{} || end != d.data() + d.size() || seconds < 900 || seconds > 43200)
        return invalid(name, "duration_seconds must be a whole number from 900 to 43200");
      request.duration_seconds = seconds;
    }
    return make_assume_role_provider(deps_, std::move(source), std::move(request));
  }

  const ProviderDeps& deps_;
  const Files& files_;
};

class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(ProviderDeps deps, std::string profile) : deps_(std::move(deps)), profile_(std::move(profile)) {}

  Result<Credentials> credentials() override {
    const std::string name = active_profile(deps_.env, profile_);
    const bool named = !profile_.empty() || deps_.env("AWS_PROFILE").value_or("") != "" ||
                       deps_.env("AWS_DEFAULT_PROFILE").value_or("") != "";
    // Read on every refresh (the cache asks rarely): edits to the files take effect without a restart.
    const Files files = load_files(deps_.env);
    bool found = false;
    ini::merge_profile(files.config, files.credentials, name, &found);
    if (!found) {
      const std::string why =
          "profile \"" + name + "\" not found in " + files.config_path + " or " + files.credentials_path;
      return named ? credentials_failure("ProfileNotFound", why) : no_credentials(why);
    }
    std::vector<std::string> path;
    auto provider = Builder(deps_, files).build(name, path, true);
    if (!provider) return provider.error();
    return provider.value()->credentials();
  }

  std::string name() const override { return "profile"; }

 private:
  ProviderDeps deps_;
  std::string profile_;
};

}  // namespace

std::string active_profile(const EnvLookup& env, const std::string& profile) {
  if (!profile.empty()) return profile;
  for (const char* var : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"})
    if (auto v = env(var); v && !v->empty()) return *v;
  return "default";
}

std::optional<std::string> profile_setting(const EnvLookup& env, const std::string& profile, const std::string& key) {
  const std::string path = expand_home(env, env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  const auto profiles = load(path, true);
  auto it = profiles.find(active_profile(env, profile));
  if (it == profiles.end()) return std::nullopt;
  auto v = it->second.find(key);
  if (v == it->second.end() || v->second.empty()) return std::nullopt;
  return v->second;
}

std::unique_ptr<CredentialsProvider> make_profile_provider(const ProviderDeps& deps, std::string profile) {
  return std::make_unique<ProfileProvider>(deps, std::move(profile));
}

}  // namespace bw::aws
