// The agent file's `ha:` block: replicas sharing one DynamoDB table of notification claims.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/loader.hpp"

namespace bw::config::detail {
namespace {

// DynamoDB's table name rules: 3 to 255 of [a-zA-Z0-9_.-].
bool valid_table_name(std::string_view s) {
  return s.size() >= 3 && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
         });
}

// Below 5 s a claim could lapse while its holder is still sending (the holder only sends within lease/2).
// Claims are timed in whole seconds and a holder sends only within lease/2 of its claim: at 10 s that
// leaves at least 4 s for the claim and the send, at 5 s as little as 1 s.
constexpr Duration kMinLease{10};

void read_lease(const Sink& sink, const MapReader& r, HaConfig& ha) {
  const auto s = r.scalar("lease");
  if (!s) return;
  const auto d = to_duration(sink, *s);
  if (!d) return;
  if (*d < kMinLease)
    sink.error(s->mark, fmt::format("\"ha.lease\" is {}; use at least 10s (at least twice the longest send plus the "
                                    "clock skew between replicas; default 30s)",
                                    s->text));
  else
    ha.lease = *d;
}

}  // namespace

void read_ha(const Sink& sink, const MapReader& top, Config& cfg) {
  if (!top.has("ha")) return;
  HaConfig ha;
  const auto r = top.map("ha", "\"ha\"");
  if (!r.valid()) return;
  r.check_keys({"dynamodb_table", "create_table", "replica", "lease"});
  if (r.require("dynamodb_table", "the DynamoDB table every replica shares, e.g. batchwatch-ha")) {
    if (auto table = r.scalar("dynamodb_table")) {
      if (!valid_table_name(table->text))
        sink.error(table->mark, fmt::format("invalid DynamoDB table name \"{}\" (3 to 255 characters: letters, "
                                            "digits, _ . -)",
                                            table->text));
      ha.dynamodb_table = table->text;
    }
  }
  if (auto create = read_bool(sink, r, "create_table")) ha.create_table = *create;
  if (auto replica = r.scalar("replica")) {
    if (replica->text.empty() || replica->text.size() > 1024)
      sink.error(replica->mark, "\"ha.replica\" must be 1 to 1024 characters (leave it out for HOSTNAME-PID)");
    ha.replica = replica->text;
  }
  read_lease(sink, r, ha);
  cfg.ha = ha;
}

}  // namespace bw::config::detail
