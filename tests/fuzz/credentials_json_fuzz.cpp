// The credential documents: the JSON the ECS/EKS container agent and EC2 instance metadata answer with, the
// JSON a credential_process prints, and the ISO 8601 Expiration inside both. Errors must never quote the
// document: it holds the secret.
#include <cstdint>
#include <string>

#include "aws/credentials.hpp"
#include "aws/credentials_chain.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = bw::fuzz::as_text(data, size);
  const std::string document(text);

  const auto http = bw::aws::parse_credentials_json(document, "instance metadata for role r");
  if (!http) bw::fuzz::require_not_quoted(http.error().message, text, "parse_credentials_json");

  const auto process = bw::aws::parse_credential_process_output(document, "helper");
  if (!process) bw::fuzz::require_not_quoted(process.error().message, text, "parse_credential_process_output");

  (void)bw::aws::parse_iso8601(text);
  return 0;
}
