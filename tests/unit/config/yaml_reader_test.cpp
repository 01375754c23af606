// The building blocks behind every diagnostic: ${VAR} expansion and "did you mean" suggestions.
#include <gtest/gtest.h>

#include "config/yaml_reader.hpp"
#include "tests/unit/config/test_support.hpp"

namespace bw::config::detail {
namespace {

using testing::fake_env;

std::string expand(std::string_view text) {
  std::string error;
  auto out = interpolate(text, fake_env, error);
  return out ? *out : "ERROR: " + error;
}

TEST(Interpolate, Variables) {
  EXPECT_EQ(expand("plain"), "plain");
  EXPECT_EQ(expand("${REGION}"), "eu-west-1");
  EXPECT_EQ(expand("a-${REGION}-b-${TOPIC}"), "a-eu-west-1-b-bedrock-batch-ops");
  EXPECT_EQ(expand("${UNSET:-fallback}"), "fallback");
  EXPECT_EQ(expand("${UNSET:-}"), "");
  EXPECT_EQ(expand("${EMPTY}"), "");
  EXPECT_EQ(expand("${EMPTY:-used}"), "used");
  EXPECT_EQ(expand("${REGION:-unused}"), "eu-west-1");
  EXPECT_EQ(expand("${UNSET:-http://h:1/p}"), "http://h:1/p");
}

TEST(Interpolate, EscapesAndLoneDollars) {
  EXPECT_EQ(expand("$${REGION}"), "${REGION}");
  // Only "$${" is an escape (a bare "$$" stays as written), scanning left to right.
  EXPECT_EQ(expand("$$${REGION}"), "$${REGION}");
  EXPECT_EQ(expand("cost $5 and $HOME"), "cost $5 and $HOME");
  EXPECT_EQ(expand("trailing $"), "trailing $");
}

TEST(Interpolate, Errors) {
  EXPECT_EQ(expand("${UNSET}"), "ERROR: environment variable \"UNSET\" is not set (set it, or write "
                                "${UNSET:-default})");
  EXPECT_EQ(expand("x ${REGION"), "ERROR: unterminated \"${\" (write ${NAME} or ${NAME:-default}; use \"$${\" for a "
                                  "literal \"${\")");
  EXPECT_EQ(expand("${}"), "ERROR: invalid environment variable name \"\" in \"${}\" (use letters, digits and _)");
  EXPECT_EQ(expand("${A B}"),
            "ERROR: invalid environment variable name \"A B\" in \"${A B}\" (use letters, digits and _)");
  EXPECT_EQ(expand("${1X}"),
            "ERROR: invalid environment variable name \"1X\" in \"${1X}\" (use letters, digits and _)");
}

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("threshold", "threshold"), 0);
  EXPECT_EQ(edit_distance("tresholds", "threshold"), 2);
  EXPECT_EQ(edit_distance("trehsold", "threshold"), 2);  // missing h + one transposition
  EXPECT_EQ(edit_distance("knid", "kind"), 1);
  EXPECT_EQ(edit_distance("", "abc"), 3);
}

TEST(Suggest, Closest) {
  const std::vector<std::string_view> keys = {"name", "kind", "threshold", "notify"};
  EXPECT_EQ(closest("tresholds", keys), "threshold");
  EXPECT_EQ(closest("nmae", keys), "name");
  EXPECT_EQ(closest("completely-different", keys), std::nullopt);
  EXPECT_EQ(closest("x", keys), std::nullopt);  // too short for a suggestion to mean anything
  EXPECT_EQ(did_you_mean("knd", keys), " (did you mean \"kind\"?)");
  EXPECT_EQ(did_you_mean("zzz", keys), "");
}

}  // namespace
}  // namespace bw::config::detail
