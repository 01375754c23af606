#pragma once
// Appending forms of the formatters reasons use (format_number in alarm.hpp, format_cloudwatch_reason_time
// in time.hpp): a reason is built in one string, not from a temporary per number and time. `once`
// explains every series it prints and a first cycle records a reason for each, so they add up.
#include <string>

#include "rules/time.hpp"

namespace bw {

void append_number(std::string& out, double v);                 // 1250000.0, 0.5
void append_cloudwatch_reason_time(std::string& out, Time t);  // 22/11/26 06:00:00

}  // namespace bw
