// SigV4 against the aws-c-auth test suite (tests/data/sigv4), each documented step checked on its own:
// every step is fed the expected output of the previous one, so a failure points at the step that broke.
#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bw::aws::sigv4 {
namespace {

namespace fs = std::filesystem;

const fs::path kVectors = fs::path(BW_TEST_DATA_DIR) / "sigv4" / "v4";

std::vector<std::string> vector_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kVectors, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The expected files differ in whether they end with a newline; that difference is not a signing difference.
std::string chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// request.txt / *-signed-request.txt: "METHOD TARGET HTTP/1.1", "Name:value" lines (a line starting with
// whitespace continues the previous value), a blank line, the body.
struct RawRequest {
  std::string method, target;
  Headers headers;
  std::string body;
};

RawRequest parse_request(const std::string& text) {
  RawRequest r;
  std::size_t pos = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line = std::string_view(text).substr(pos, end - pos);
    pos = end + 1;
    return true;
  };
  std::string_view line;
  if (!next_line(line)) return r;
  // The target may hold spaces ("/example space/"): it runs from the first space to the protocol.
  const std::size_t sp = line.find(' '), proto = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  r.target = line.substr(sp + 1, proto - sp - 1);
  while (next_line(line) && !line.empty()) {
    if ((line.front() == ' ' || line.front() == '\t') && !r.headers.empty()) {
      r.headers.back().second.append("\n").append(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  if (pos < text.size()) r.body = text.substr(pos);
  return r;
}

// Header names compare case-insensitively (the vectors spell x-amz-content-sha256 in lower case); order
// and values exactly.
Headers normalized(Headers headers) {
  for (auto& h : headers) h.first = lower(h.first);
  return headers;
}

Time parse_timestamp(const std::string& s) {  // "2015-08-30T12:36:00Z"
  using namespace std::chrono;
  const auto num = [&](std::size_t at, std::size_t len) { return std::stoi(s.substr(at, len)); };
  const sys_days day = year{num(0, 4)} / month(unsigned(num(5, 2))) / unsigned(num(8, 2));
  return Time{day} + hours{num(11, 2)} + minutes{num(14, 2)} + seconds{num(17, 2)};
}

struct Vector {
  fs::path dir;
  Credentials creds;
  SigningParams params;
  RawRequest request;
  std::string host;

  std::string expected(const std::string& file) const { return chomp(read_file(dir / file)); }
  std::string url(const std::string& target) const { return "https://" + host + target; }
  HttpRequest http_request() const {
    return HttpRequest{request.method, url(request.target), request.headers, request.body};
  }
};

Vector load(const std::string& name) {
  Vector v;
  v.dir = kVectors / name;
  const auto ctx = nlohmann::json::parse(read_file(v.dir / "context.json"));
  v.creds.access_key_id = ctx["credentials"]["access_key_id"];
  v.creds.secret_access_key = ctx["credentials"]["secret_access_key"];
  v.creds.session_token = ctx["credentials"].value("token", "");
  v.params.region = ctx["region"];
  v.params.service = ctx["service"];
  v.params.time = parse_timestamp(ctx["timestamp"]);
  v.params.normalize_path = ctx.value("normalize", true);
  v.params.sign_body = ctx.value("sign_body", false);
  v.params.expires = Duration{ctx.value("expiration_in_seconds", 3600)};
  v.params.omit_session_token = ctx.value("omit_session_token", false);
  v.request = parse_request(read_file(v.dir / "request.txt"));
  v.host = std::string(find_header(v.request.headers, "host"));
  return v;
}

class SigV4Vectors : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { v_ = load(GetParam()); }
  // Task 2 and 3 from the expected output of the step before, for the given mode prefix.
  void check_string_to_sign_and_signature(const std::string& mode) {
    const std::string scope = credential_scope(v_.params.time, v_.params.region, v_.params.service);
    EXPECT_EQ(string_to_sign(v_.params.time, scope, v_.expected(mode + "-canonical-request.txt")),
              v_.expected(mode + "-string-to-sign.txt"))
        << "Task 2: string to sign";
    const Digest key = signing_key(v_.creds.secret_access_key, amz_date(v_.params.time).substr(0, 8),
                                   v_.params.region, v_.params.service);
    EXPECT_EQ(signature(key, v_.expected(mode + "-string-to-sign.txt")), v_.expected(mode + "-signature.txt"))
        << "Task 3: signature";
  }
  Vector v_;
};

TEST_P(SigV4Vectors, HeaderMode) {
  const std::string payload_hash = crypto::sha256_hex(v_.request.body);
  // Task 1 on the request as the signer prepares it: X-Amz-* headers added, in the documented way.
  Headers prepared = v_.request.headers;
  const bool token = !v_.creds.session_token.empty();
  if (token && !v_.params.omit_session_token) prepared.emplace_back("X-Amz-Security-Token", v_.creds.session_token);
  prepared.emplace_back("X-Amz-Date", amz_date(v_.params.time));
  if (v_.params.sign_body) prepared.emplace_back("X-Amz-Content-Sha256", payload_hash);
  const CanonicalRequest canonical = canonical_request(v_.request.method, v_.url(v_.request.target), prepared,
                                                       payload_hash, v_.params.normalize_path);
  EXPECT_EQ(canonical.text, v_.expected("header-canonical-request.txt")) << "Task 1: canonical request";
  EXPECT_EQ(canonical.signed_headers, signed_headers(prepared));

  check_string_to_sign_and_signature("header");

  HttpRequest request = v_.http_request();
  sign(request, v_.creds, v_.params);
  const RawRequest want = parse_request(v_.expected("header-signed-request.txt"));
  EXPECT_EQ(request.method + " " + request.url, want.method + " " + v_.url(want.target)) << "signed request line";
  EXPECT_EQ(normalized(request.headers), normalized(want.headers)) << "signed request headers";
  EXPECT_EQ(request.body, want.body) << "sign() must not touch the body";
}

TEST_P(SigV4Vectors, QueryMode) {
  const std::string payload_hash = crypto::sha256_hex(v_.request.body);
  const std::string scope = credential_scope(v_.params.time, v_.params.region, v_.params.service);
  // Task 1 on the request as presign prepares it: the X-Amz-* query parameters appended.
  std::string target = v_.request.target;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + uri_encode(v_.creds.access_key_id + "/" + scope) +
            "&X-Amz-Date=" + amz_date(v_.params.time) + "&X-Amz-Expires=" +
            std::to_string(v_.params.expires.count()) + "&X-Amz-SignedHeaders=" +
            uri_encode(signed_headers(v_.request.headers));
  if (!v_.creds.session_token.empty() && !v_.params.omit_session_token)
    target += "&X-Amz-Security-Token=" + uri_encode(v_.creds.session_token);
  const CanonicalRequest canonical = canonical_request(v_.request.method, v_.url(target), v_.request.headers,
                                                       payload_hash, v_.params.normalize_path);
  EXPECT_EQ(canonical.text, v_.expected("query-canonical-request.txt")) << "Task 1: canonical request";

  check_string_to_sign_and_signature("query");

  const HttpRequest request = v_.http_request();
  const std::string url = presign(request, v_.creds, v_.params);
  const RawRequest want = parse_request(v_.expected("query-signed-request.txt"));
  EXPECT_EQ(request.method + " " + url, want.method + " " + v_.url(want.target)) << "presigned URL";
  EXPECT_EQ(normalized(request.headers), normalized(want.headers)) << "presign adds no header";
  EXPECT_EQ(request.body, want.body);
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(AwsCAuth, SigV4Vectors, ::testing::ValuesIn(vector_names()), case_name);

TEST(SigV4VectorData, AllFoldersFound) { EXPECT_EQ(vector_names().size(), 38u) << kVectors; }

// ---- Direct tests ----

Credentials example_creds(std::string token = {}) {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token), std::nullopt};
}

SigningParams example_params() {
  SigningParams p;
  p.region = "us-east-1";
  p.service = "monitoring";
  p.time = parse_timestamp("2015-08-30T12:36:00Z");
  return p;
}

TEST(SigV4, SigningKeyMatchesAwsDocumentationExample) {
  EXPECT_EQ(crypto::hex(signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, AmzDateAndScope) {
  const Time t = parse_timestamp("2026-01-02T03:04:05Z");
  EXPECT_EQ(amz_date(t), "20260102T030405Z");
  EXPECT_EQ(credential_scope(t, "eu-west-1", "sns"), "20260102/eu-west-1/sns/aws4_request");
}

TEST(SigV4, SecurityTokenOnlyWithSessionToken) {
  HttpRequest plain{"POST", "https://monitoring.us-east-1.amazonaws.com/", {}, "{}"};
  sign(plain, example_creds(), example_params());
  EXPECT_EQ(find_header(plain.headers, "X-Amz-Security-Token"), "");
  EXPECT_EQ(find_header(plain.headers, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(find_header(plain.headers, "Host"), "monitoring.us-east-1.amazonaws.com");
  EXPECT_NE(find_header(plain.headers, "Authorization").find("SignedHeaders=host;x-amz-date,"), std::string::npos);

  HttpRequest session{"POST", "https://monitoring.us-east-1.amazonaws.com/", {}, "{}"};
  sign(session, example_creds("TOKEN"), example_params());
  EXPECT_EQ(find_header(session.headers, "X-Amz-Security-Token"), "TOKEN");
  EXPECT_NE(find_header(session.headers, "Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(SigV4, ResigningReplacesThePreviousSignature) {
  HttpRequest request{"POST", "https://monitoring.us-east-1.amazonaws.com/", {{"Content-Type", "x"}}, "{}"};
  sign(request, example_creds("TOKEN"), example_params());
  HttpRequest fresh = request;
  SigningParams later = example_params();
  later.time += Duration{60};
  sign(request, example_creds("TOKEN"), later);
  const auto count = [&](std::string_view name) {
    return std::count_if(request.headers.begin(), request.headers.end(),
                         [&](const auto& h) { return lower(h.first) == lower(std::string(name)); });
  };
  EXPECT_EQ(count("authorization"), 1);
  EXPECT_EQ(count("x-amz-date"), 1);
  EXPECT_EQ(count("x-amz-security-token"), 1);
  EXPECT_EQ(count("host"), 1);
  EXPECT_EQ(find_header(request.headers, "X-Amz-Date"), "20150830T123700Z");
  EXPECT_NE(find_header(request.headers, "Authorization"), find_header(fresh.headers, "Authorization"));
}

TEST(SigV4, SignBodyAddsContentSha256AndLeavesBodyAlone) {
  HttpRequest request{"POST", "https://monitoring.us-east-1.amazonaws.com/", {}, "Action=ListMetrics"};
  SigningParams params = example_params();
  params.sign_body = true;
  sign(request, example_creds(), params);
  EXPECT_EQ(request.body, "Action=ListMetrics");
  EXPECT_EQ(find_header(request.headers, "X-Amz-Content-Sha256"), crypto::sha256_hex("Action=ListMetrics"));
}

TEST(SigV4, HostHeaderFromUrlKeepsExplicitPortDropsDefault) {
  HttpRequest local{"POST", "http://127.0.0.1:5000/", {}, ""};
  sign(local, example_creds(), example_params());
  EXPECT_EQ(find_header(local.headers, "Host"), "127.0.0.1:5000");
  HttpRequest standard{"POST", "https://sns.us-east-1.amazonaws.com:443/", {}, ""};
  sign(standard, example_creds(), example_params());
  EXPECT_EQ(find_header(standard.headers, "Host"), "sns.us-east-1.amazonaws.com");
}

TEST(SigV4, PresignWithoutHostHeaderSignsUrlHost) {
  const HttpRequest with_host{"GET", "https://example.amazonaws.com/", {{"Host", "example.amazonaws.com"}}, ""};
  const HttpRequest without{"GET", "https://example.amazonaws.com/", {}, ""};
  SigningParams params = example_params();
  params.service = "service";
  EXPECT_EQ(presign(without, example_creds(), params), presign(with_host, example_creds(), params));
}

TEST(SigV4, CanonicalUri) {
  EXPECT_EQ(canonical_uri("", true), "/");
  EXPECT_EQ(canonical_uri("/a/b/../c/./d", true), "/a/c/d");
  EXPECT_EQ(canonical_uri("/a/b/..", true), "/a/");
  EXPECT_EQ(canonical_uri("//a//b//", true), "/a/b/");
  EXPECT_EQ(canonical_uri("/../..", true), "/");
  EXPECT_EQ(canonical_uri("/a b/%2F", true), "/a%20b/%252F");  // encoded once more: the "double encoding"
  EXPECT_EQ(canonical_uri("//a/./", false), "//a/./");
}

TEST(SigV4, CanonicalQueryString) {
  EXPECT_EQ(canonical_query_string(""), "");
  EXPECT_EQ(canonical_query_string("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(canonical_query_string("k&x=a%20b&y=a b&&"), "k=&x=a%20b&y=a%20b");
  EXPECT_EQ(canonical_query_string("p=%zz&q=%2f"), "p=%25zz&q=%2F");
}

}  // namespace
}  // namespace bw::aws::sigv4
