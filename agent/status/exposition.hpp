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
// A CloudWatch dimension name as a Prometheus label name: snake_case (modelId -> model_id,
// HTTPStatusCode -> http_status_code), as Prometheus names labels and `promtool check metrics` asks,
// then made valid as sanitize_label_name does. Payloads, reasons and the page keep CloudWatch's spelling.
std::string snake_case_label_name(std::string_view dimension);

}  // namespace bw::agent::exposition
