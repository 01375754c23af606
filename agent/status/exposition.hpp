#pragma once
// The rules of the Prometheus text exposition format 0.0.4 for single tokens: how a sample value is
// written, how label values and help text are escaped, what a label name may contain. The registry
// and the compact series tables render with these, so their texts agree byte for byte.
#include <string>
#include <string_view>

namespace bw::agent::exposition {

std::string format_value(double v);                  // 3, 0.25, +Inf, -Inf, NaN
std::string escape_label_value(std::string_view v);  // \\ \" \n
std::string escape_help(std::string_view v);         // \\ \n
std::string sanitize_label_name(std::string_view n);  // [a-zA-Z_][a-zA-Z0-9_]*

}  // namespace bw::agent::exposition
