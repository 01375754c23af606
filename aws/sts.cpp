#include "aws/sts.hpp"

#include <pugixml.hpp>

#include <string>

namespace bw::aws {
namespace {

Error protocol_error(std::string_view operation, std::string message) {
  return malformed_response("sts", operation, std::move(message));
}

// The first element named `name` below `node` (depth-first, at most 8 levels: enough for any STS answer, and
// garbage nested a million deep cannot exhaust the stack), ignoring XML namespace prefixes.
pugi::xml_node find(pugi::xml_node node, std::string_view name, int depth = 0) {
  if (depth > 8) return {};
  for (pugi::xml_node child : node.children()) {
    std::string_view n = child.name();
    if (auto colon = n.find(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
    if (n == name) return child;
    if (auto deeper = find(child, name, depth + 1)) return deeper;
  }
  return {};
}

std::string text(pugi::xml_node node, std::string_view name) {
  std::string v = find(node, name).text().as_string();
  while (!v.empty() && (v.back() == ' ' || v.back() == '\n' || v.back() == '\r' || v.back() == '\t')) v.pop_back();
  std::size_t start = v.find_first_not_of(" \n\r\t");
  return start == std::string::npos ? std::string() : v.substr(start);
}

}  // namespace

QueryParams assume_role_params(const AssumeRoleRequest& r) {
  QueryParams p{{"RoleArn", r.role_arn}, {"RoleSessionName", r.role_session_name}};
  if (r.duration_seconds) p.emplace_back("DurationSeconds", std::to_string(*r.duration_seconds));
  if (!r.external_id.empty()) p.emplace_back("ExternalId", r.external_id);
  return p;
}

QueryParams assume_role_with_web_identity_params(const AssumeRoleWithWebIdentityRequest& r) {
  QueryParams p{{"RoleArn", r.role_arn}, {"RoleSessionName", r.role_session_name},
                {"WebIdentityToken", r.web_identity_token}};
  if (r.duration_seconds) p.emplace_back("DurationSeconds", std::to_string(*r.duration_seconds));
  return p;
}

Result<Credentials> parse_sts_credentials(std::string_view operation, std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return protocol_error(operation, "the response is not XML");
  const pugi::xml_node creds = find(doc, "Credentials");
  if (!creds) return protocol_error(operation, "the response has no Credentials element");
  Credentials c;
  c.access_key_id = text(creds, "AccessKeyId");
  c.secret_access_key = text(creds, "SecretAccessKey");
  c.session_token = text(creds, "SessionToken");
  const std::string expiration = text(creds, "Expiration");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty())
    return protocol_error(operation, "the response's Credentials lack AccessKeyId, SecretAccessKey or SessionToken");
  if (!expiration.empty()) {
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) return protocol_error(operation, "the response's Expiration is not an ISO 8601 time");
  }
  return c;
}

std::string default_role_session_name(Time now) {
  return "batchwatch-" + std::to_string(now.time_since_epoch().count());
}

Result<Credentials> StsClient::assume_role(const AssumeRoleRequest& request) {
  auto body = client_.call_query("AssumeRole", kStsVersion, assume_role_params(request));
  if (!body) return body.error();
  return parse_sts_credentials("AssumeRole", body.value());
}

Result<Credentials> StsClient::assume_role_with_web_identity(const AssumeRoleWithWebIdentityRequest& request) {
  auto body = client_.call_query("AssumeRoleWithWebIdentity", kStsVersion, assume_role_with_web_identity_params(request));
  if (!body) return body.error();
  return parse_sts_credentials("AssumeRoleWithWebIdentity", body.value());
}

}  // namespace bw::aws
