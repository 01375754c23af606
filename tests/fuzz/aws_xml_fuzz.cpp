// The XML answers of the Query-protocol services and the error bodies of every service: an SNS Publish
// response read by SnsClient::publish (through a scripted transport, as the program receives it), STS
// AssumeRole / AssumeRoleWithWebIdentity responses, and an HTTP error body (XML or JSON) read by parse_error.
#include <cstdint>
#include <string>

#include "aws/service.hpp"
#include "aws/sns.hpp"
#include "aws/sts.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tests/unit/aws/fake_transport.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = bw::fuzz::as_text(data, size);

  bw::aws::fake::Harness harness;
  auto client = harness.client("sns", "http://localhost:5000", 1);
  harness.transport.respond(200, std::string(body));
  bw::aws::SnsClient sns(client);
  (void)sns.publish(bw::aws::PublishRequest{"arn:aws:sns:us-east-1:123456789012:alerts", "message", "subject", {}, "", ""});

  for (const char* operation : {"AssumeRole", "AssumeRoleWithWebIdentity"}) {
    const auto creds = bw::aws::parse_sts_credentials(operation, body);
    if (!creds) bw::fuzz::require_not_quoted(creds.error().message, body, "parse_sts_credentials");
  }

  bw::aws::HttpResponse error_response;
  error_response.status = 400;
  error_response.body = std::string(body);
  (void)bw::aws::parse_error("sns", "Publish", error_response);
  return 0;
}
