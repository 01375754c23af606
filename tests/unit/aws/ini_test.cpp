// The shared config/credentials file parser: botocore's reading of the files, and no throw on garbage.
#include "aws/ini.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace bw::aws::ini {
namespace {

TEST(IniParse, SectionsKeysAndComments) {
  const File f = parse(
      "# a comment\n"
      "; another\n"
      "[default]\n"
      "aws_access_key_id = AKIDEXAMPLE\n"
      "aws_secret_access_key=wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY   \n"
      "\n"
      "[ profile dev ]  # trailing comment\n"
      "region: eu-west-1\n"
      "Role_ARN = arn:aws:iam::123456789012:role/dev\n");
  EXPECT_TRUE(f.warnings.empty());
  ASSERT_EQ(f.sections.size(), 2u);
  const Section& d = f.sections.at("default");
  EXPECT_EQ(d.at("aws_access_key_id"), "AKIDEXAMPLE");
  EXPECT_EQ(d.at("aws_secret_access_key"), "wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY");
  const Section& dev = f.sections.at("profile dev");
  EXPECT_EQ(dev.at("region"), "eu-west-1");
  EXPECT_EQ(dev.at("role_arn"), "arn:aws:iam::123456789012:role/dev");  // keys are lower-cased
}

TEST(IniParse, ValueKeepsHashAndEqualsSigns) {
  const File f = parse("[p]\ncredential_process = /bin/tool --url=http://x/#frag ; not a comment\n");
  EXPECT_EQ(f.sections.at("p").at("credential_process"), "/bin/tool --url=http://x/#frag ; not a comment");
}

TEST(IniParse, CrlfBomAndTabs) {
  const File f = parse("\xEF\xBB\xBF[default]\r\n\taws_access_key_id\t=\tAKID\r\nregion = us-east-2\r\n");
  // The tab-indented first property is not a continuation: there is nothing before it to continue.
  EXPECT_EQ(f.sections.at("default").at("aws_access_key_id"), "AKID");
  EXPECT_EQ(f.sections.at("default").at("region"), "us-east-2");
}

TEST(IniParse, IndentedLinesContinueTheProperty) {
  const File f = parse("[default]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\nregion = us-east-1\n");
  EXPECT_EQ(f.sections.at("default").at("s3"), "\nmax_concurrent_requests = 10\naddressing_style = path");
  EXPECT_EQ(f.sections.at("default").at("region"), "us-east-1");
}

TEST(IniParse, EquallyIndentedLinesAreSeparateProperties) {
  const File f = parse("[default]\n  a = 1\n  b = 2\n    c = 3\nd = 4\n");
  EXPECT_EQ(f.sections.at("default").at("a"), "1");
  EXPECT_EQ(f.sections.at("default").at("b"), "2\nc = 3");  // deeper: a continuation of b
  EXPECT_EQ(f.sections.at("default").at("d"), "4");
}

TEST(IniParse, LastValueWinsAndSectionsMerge) {
  const File f = parse("[a]\nx = 1\ny = 2\n[b]\nz = 3\n[a]\nx = 4\n");
  EXPECT_EQ(f.sections.at("a").at("x"), "4");
  EXPECT_EQ(f.sections.at("a").at("y"), "2");
  EXPECT_EQ(f.sections.at("b").at("z"), "3");
}

TEST(IniParse, EmptyValue) {
  const File f = parse("[a]\nx =\n");
  EXPECT_EQ(f.sections.at("a").at("x"), "");
}

TEST(IniParse, ProblemsAreWarningsWithLineNumbersOnly) {
  const File f = parse("orphan = AKIDSECRET\n[broken\n[ok]\nno delimiter SECRETVALUE\n = novalue\n[]\n");
  ASSERT_EQ(f.warnings.size(), 5u);
  EXPECT_EQ(f.warnings[0], "line 1: property outside any section");
  EXPECT_EQ(f.warnings[1], "line 2: section header without ']'");
  EXPECT_EQ(f.warnings[2], "line 4: no '=' in property line");
  EXPECT_EQ(f.warnings[3], "line 5: property without a name");
  EXPECT_EQ(f.warnings[4], "line 6: empty section name");
  for (const auto& w : f.warnings) {
    EXPECT_EQ(w.find("SECRET"), std::string::npos) << w;  // never the line's text
  }
  EXPECT_EQ(f.sections.size(), 1u);
  EXPECT_TRUE(f.sections.at("ok").empty());
}

TEST(IniParse, PropertiesAfterABrokenHeaderAreNotFiledUnderThePreviousSection) {
  const File f = parse("[good]\na = 1\n[bad\nb = 2\n");
  EXPECT_EQ(f.sections.at("good").size(), 1u);
  EXPECT_EQ(f.warnings.size(), 2u);
}

TEST(IniParse, EmptyAndBlankInput) {
  EXPECT_TRUE(parse("").sections.empty());
  EXPECT_TRUE(parse("\n\n   \r\n").sections.empty());
  EXPECT_TRUE(parse("\n\n   \r\n").warnings.empty());
}

TEST(IniParse, GarbageNeverThrows) {
  std::mt19937 rng(42);
  using namespace std::string_literals;
  const std::string alphabet = "[]=:#; \t\r\n\\\"'abcXYZ\xEF\xBB\xBF\x00\xff"s;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
    EXPECT_NO_THROW({
      const File f = parse(text);
      (void)config_profiles(f);
    });
  }
}

TEST(IniProfiles, ConfigFileNamesAndPrefixes) {
  const File f = parse(
      "[default]\nregion = us-east-1\n"
      "[profile dev]\nregion = eu-west-1\n"
      "[profile   spaced  ]\nregion = ap-south-1\n"
      "[sso-session corp]\nsso_region = us-east-1\n"
      "[services local]\nregion = x\n"
      "[plain]\nregion = sa-east-1\n"
      "[profilex]\nregion = nope\n");
  const auto p = config_profiles(f);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.at("default").at("region"), "us-east-1");
  EXPECT_EQ(p.at("dev").at("region"), "eu-west-1");
  EXPECT_EQ(p.at("spaced").at("region"), "ap-south-1");
  EXPECT_EQ(p.count("plain"), 0u);  // a config file section without "profile " is not a profile
  EXPECT_EQ(p.count("profilex"), 0u);
}

TEST(IniProfiles, ProfileDefaultWinsOverDefault) {
  const auto p = config_profiles(parse("[profile default]\nregion = eu-central-1\n[default]\nregion = us-east-1\noutput = json\n"));
  EXPECT_EQ(p.at("default").at("region"), "eu-central-1");
  EXPECT_EQ(p.at("default").count("output"), 0u);
}

TEST(IniProfiles, CredentialsFileTakesSectionsAsWritten) {
  const auto p = credentials_profiles(parse("[default]\naws_access_key_id = A\n[profile x]\naws_access_key_id = B\n"));
  EXPECT_EQ(p.at("default").at("aws_access_key_id"), "A");
  EXPECT_EQ(p.at("profile x").at("aws_access_key_id"), "B");
}

TEST(IniProfiles, MergeCredentialsFileWins) {
  const auto config = config_profiles(parse("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n"));
  const auto creds = credentials_profiles(parse("[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n"));
  bool found = false;
  const Section dev = merge_profile(config, creds, "dev", &found);
  EXPECT_TRUE(found);
  EXPECT_EQ(dev.at("aws_access_key_id"), "FROMCREDS");
  EXPECT_EQ(dev.at("aws_secret_access_key"), "s");
  EXPECT_EQ(dev.at("region"), "eu-west-1");
  merge_profile(config, creds, "missing", &found);
  EXPECT_FALSE(found);
}

}  // namespace
}  // namespace bw::aws::ini
