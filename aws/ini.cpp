#include "aws/ini.hpp"

#include <cctype>

namespace bw::aws::ini {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string warning(std::size_t line, std::string_view what) { return "line " + std::to_string(line) + ": " + std::string(what); }

}  // namespace

File parse(std::string_view text) {
  File file;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  Section* section = nullptr;
  std::string* last_value = nullptr;  // the property a more deeply indented line continues
  std::size_t last_indent = 0;        // the indentation of that property's line
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string_view line = trim(raw);
    if (line.empty()) continue;  // a blank line does not end a continuation in configparser either
    if (line.front() == '#' || line.front() == ';') continue;
    const std::size_t indent = static_cast<std::size_t>(line.data() - raw.data());
    if (indent > last_indent && last_value != nullptr) {
      *last_value += '\n';
      *last_value += line;
      continue;
    }
    last_value = nullptr;
    if (line.front() == '[') {
      const auto close = line.find(']');
      if (close == std::string_view::npos) {
        file.warnings.push_back(warning(line_no, "section header without ']'"));
        section = nullptr;
        continue;
      }
      const std::string_view rest = trim(line.substr(close + 1));
      if (!rest.empty() && rest.front() != '#' && rest.front() != ';')
        file.warnings.push_back(warning(line_no, "text after a section header"));
      const std::string name(trim(line.substr(1, close - 1)));
      if (name.empty()) {
        file.warnings.push_back(warning(line_no, "empty section name"));
        section = nullptr;
        continue;
      }
      section = &file.sections[name];
      continue;
    }
    const auto delim = line.find_first_of("=:");
    if (delim == std::string_view::npos) {
      file.warnings.push_back(warning(line_no, "no '=' in property line"));
      continue;
    }
    const std::string key = lower(trim(line.substr(0, delim)));
    if (key.empty()) {
      file.warnings.push_back(warning(line_no, "property without a name"));
      continue;
    }
    if (section == nullptr) {
      file.warnings.push_back(warning(line_no, "property outside any section"));
      continue;
    }
    std::string& value = (*section)[key];
    value = std::string(trim(line.substr(delim + 1)));
    last_value = &value;
    last_indent = indent;
  }
  return file;
}

std::map<std::string, Section> config_profiles(const File& config) {
  std::map<std::string, Section> out;
  // [default] first so that [profile default] (the newer spelling) overrides it wholesale.
  if (auto it = config.sections.find("default"); it != config.sections.end()) out["default"] = it->second;
  for (const auto& [name, section] : config.sections) {
    std::string_view n = name;
    if (!n.starts_with("profile") || n.size() <= 7 || !is_space(n[7])) continue;
    const std::string profile(trim(n.substr(7)));
    if (!profile.empty()) out[profile] = section;
  }
  return out;
}

std::map<std::string, Section> credentials_profiles(const File& credentials) { return credentials.sections; }

Section merge_profile(const std::map<std::string, Section>& config, const std::map<std::string, Section>& credentials,
                      const std::string& name, bool* found) {
  Section out;
  bool any = false;
  if (auto it = config.find(name); it != config.end()) {
    out = it->second;
    any = true;
  }
  if (auto it = credentials.find(name); it != credentials.end()) {
    for (const auto& [k, v] : it->second) out[k] = v;
    any = true;
  }
  if (found != nullptr) *found = any;
  return out;
}

}  // namespace bw::aws::ini
