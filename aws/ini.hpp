#pragma once
// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials): a pure parser.
// Never throws, whatever the input: lines it cannot read become warnings (line numbers only, never the
// line's text, which may hold a secret).
//
// Rules (as botocore reads these files):
//  - `[section]` headers; whitespace inside the brackets is trimmed; a `#`/`;` comment may follow the `]`.
//  - `key = value` (or `key: value`): the key is lower-cased and trimmed, the value trimmed and otherwise kept
//    verbatim (no inline comments: a `#` is part of the value).
//  - Lines starting with `#` or `;` are comments; blank lines are ignored; CRLF and a UTF-8 BOM are accepted.
//  - A line indented deeper than the property line before it continues that property (configparser's rule;
//    it is how sub-properties such as `s3 =\n  max_concurrent_requests = 10` are written): appended to the value
//    after a newline. Lines indented equally are properties of their own.
//  - A key repeated in a section: the last value wins. A section repeated: merged (later keys win).
//  - Properties before any section header are ignored (a warning).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace bw::aws::ini {

using Section = std::map<std::string, std::string>;

struct File {
  std::map<std::string, Section> sections;  // by the name between the brackets, as written (trimmed)
  std::vector<std::string> warnings;        // "line 7: no '=' in property line"
};

File parse(std::string_view text);

// Profiles by name. In the config file `[default]` and `[profile NAME]` (a `[profile default]` wins over
// `[default]`); other sections (`[sso-session x]`, `[services x]`, `[foo]` without the prefix) are not
// profiles. In the credentials file every section is a profile named exactly as written.
std::map<std::string, Section> config_profiles(const File& config);
std::map<std::string, Section> credentials_profiles(const File& credentials);

// One profile from both files: the credentials file's keys win over the config file's.
Section merge_profile(const std::map<std::string, Section>& config, const std::map<std::string, Section>& credentials,
                      const std::string& name, bool* found = nullptr);

}  // namespace bw::aws::ini
