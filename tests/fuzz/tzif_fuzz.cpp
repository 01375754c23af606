// IANA zones as config/ reads them: TZif bytes through TimeZone::from_tzif, and the same bytes as a POSIX TZ
// rule (the footer grammar) through TimeZone::from_posix. A zone that parses is then asked what deadline
// rules ask: the offset at instants from 1901 to 2200 and the UTC instant of local times, including DST
// gaps and overlaps and the roll-over of out-of-range days and minutes.
#include <cstdint>
#include <optional>
#include <string>

#include "rules/tz.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void ask_like_a_deadline_rule(const bw::TimeZone& zone) {
  for (const std::int64_t t : {-2147483648LL, 0LL, 1173600000LL, 1768471200LL, 1794000000LL, 4102444800LL, 7258118400LL})
    (void)zone.offset_at(bw::from_epoch(t));
  struct Local {
    int year;
    unsigned month, day;
    int minute;
  };
  for (const Local l : {Local{2026, 3, 8, 150}, Local{2026, 11, 1, 90}, Local{2026, 2, 30, 1440},
                        Local{2026, 10, 25, 150}, Local{1970, 1, 1, 0}, Local{2199, 12, 31, 1439}})
    (void)zone.to_utc(l.year, l.month, l.day, l.minute);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = bw::fuzz::as_text(data, size);
  std::string error;
  if (const auto zone = bw::TimeZone::from_tzif("Fuzz/Zone", bytes, error)) ask_like_a_deadline_rule(*zone);
  if (const auto zone = bw::TimeZone::from_posix("Fuzz/Rule", bytes, error)) ask_like_a_deadline_rule(*zone);
  return 0;
}
