#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "aws/http.hpp"

namespace bw::aws {
namespace {

void expect_parts(const UrlParts& p, const std::string& scheme, const std::string& host, const std::string& path,
                  const std::string& query) {
  EXPECT_EQ(p.scheme, scheme);
  EXPECT_EQ(p.host, host);
  EXPECT_EQ(p.path, path);
  EXPECT_EQ(p.query, query);
}

TEST(SplitUrl, Full) {
  expect_parts(split_url("https://monitoring.us-east-1.amazonaws.com/a/b?x=1&y=2"), "https",
               "monitoring.us-east-1.amazonaws.com", "/a/b", "x=1&y=2");
}

TEST(SplitUrl, PathDefaultsToSlash) {
  expect_parts(split_url("https://sns.eu-west-1.amazonaws.com"), "https", "sns.eu-west-1.amazonaws.com", "/", "");
  expect_parts(split_url("https://host?Action=List"), "https", "host", "/", "Action=List");
}

TEST(SplitUrl, PortStaysWithHost) {
  expect_parts(split_url("http://127.0.0.1:5000/"), "http", "127.0.0.1:5000", "/", "");
  expect_parts(split_url("http://[::1]:8080/p"), "http", "[::1]:8080", "/p", "");
}

TEST(SplitUrl, EmptyQueryAndFragment) {
  expect_parts(split_url("https://h/p?"), "https", "h", "/p", "");
  expect_parts(split_url("https://h/p?q=1#frag"), "https", "h", "/p", "q=1");
}

TEST(SplitUrl, RawCharactersInPathAreKept) {
  expect_parts(split_url("https://h/example space/\xE1\x88\xB4"), "https", "h", "/example space/\xE1\x88\xB4", "");
  // Only the first '?' starts the query.
  expect_parts(split_url("https://h/p?a=?b"), "https", "h", "/p", "a=?b");
}

TEST(UriEncode, UnreservedKept) {
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(uri_encode(unreserved), unreserved);
}

TEST(UriEncode, ReservedAndSpace) {
  EXPECT_EQ(uri_encode("a b"), "a%20b");
  EXPECT_EQ(uri_encode("a+b=c&d"), "a%2Bb%3Dc%26d");
  EXPECT_EQ(uri_encode("~tilde"), "~tilde");
  EXPECT_EQ(uri_encode("*!'()"), "%2A%21%27%28%29");
  EXPECT_EQ(uri_encode("%"), "%25");
  EXPECT_EQ(uri_encode(""), "");
}

TEST(UriEncode, Slash) {
  EXPECT_EQ(uri_encode("a/b"), "a%2Fb");
  EXPECT_EQ(uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(uri_encode("/a/b c/", false), "/a/b%20c/");
}

TEST(UriEncode, Utf8BytesUpperCaseHex) {
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");  // U+1234
  EXPECT_EQ(uri_encode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(uri_encode(std::string("\0\x7f\xff", 3)), "%00%7F%FF");
}

TEST(FormEncode, OrderKeptAndValuesEncoded) {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"Action", "Publish"},
      {"Version", "2010-03-31"},
      {"Message", "CPU > 90% on i-123 / web"},
      {"TopicArn", "arn:aws:sns:us-east-1:123456789012:alerts"},
  };
  EXPECT_EQ(form_encode(params),
            "Action=Publish&Version=2010-03-31&Message=CPU+%3E+90%25+on+i-123+%2F+web&"
            "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts");
}

TEST(FormEncode, EmptyInputsAndValues) {
  EXPECT_EQ(form_encode({}), "");
  EXPECT_EQ(form_encode({{"A", ""}, {"B", "x"}}), "A=&B=x");
  EXPECT_EQ(form_encode({{"k.member.1", "a&b=c"}}), "k.member.1=a%26b%3Dc");
}

TEST(FindHeader, CaseInsensitive) {
  const Headers headers = {{"Content-Type", "application/json"}, {"x-amz-date", "20150830T123600Z"}};
  EXPECT_EQ(find_header(headers, "content-type"), "application/json");
  EXPECT_EQ(find_header(headers, "CONTENT-TYPE"), "application/json");
  EXPECT_EQ(find_header(headers, "X-Amz-Date"), "20150830T123600Z");
}

TEST(FindHeader, AbsentIsEmptyAndFirstWins) {
  const Headers headers = {{"A", "1"}, {"a", "2"}};
  EXPECT_EQ(find_header(headers, "a"), "1");
  EXPECT_EQ(find_header(headers, "b"), "");
  EXPECT_EQ(find_header({}, "a"), "");
  EXPECT_EQ(find_header(headers, "A "), "");  // names are matched whole, not by prefix
}

}  // namespace
}  // namespace bw::aws
