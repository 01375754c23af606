#pragma once
// Alarm states, comparisons and missing-data treatments shared by every rule kind.
#include <optional>
#include <string>
#include <string_view>

#include "rules/time.hpp"

namespace bw {

enum class AlarmState { Ok, Alarm, InsufficientData, Drained };
enum class Comparison { Greater, GreaterOrEqual, Less, LessOrEqual };
enum class TreatMissing { Missing, Ignore, Breaching, NotBreaching };

std::string_view to_string(AlarmState s);    // OK ALARM INSUFFICIENT_DATA DRAINED
std::string_view to_string(TreatMissing t);  // missing ignore breaching notBreaching
std::optional<AlarmState> parse_alarm_state(std::string_view s);
std::optional<TreatMissing> parse_treat_missing(std::string_view s);

// ">" ">=" "<" "<=" and the CloudWatch names (GreaterThanThreshold, ...).
std::optional<Comparison> parse_comparison(std::string_view s);
std::string_view cloudwatch_name(Comparison c);  // GreaterThanThreshold ...
std::string_view symbol(Comparison c);           // > >= < <=
std::string_view phrase(Comparison c);           // "greater than", "less than or equal to", ...
bool breaches(Comparison c, double value, double threshold);

// Whether an evaluation also writes its reason. Deciding a state is cheap; the CloudWatch-style sentence
// (numbers and timestamps formatted) costs several times more, and the engine needs it only when a state
// changes, a notification is owed, or a person reads the result. With Explain::No, `state`, `value`,
// `value_time` and `marker` are exactly what Explain::Yes gives and `reason` is empty.
enum class Explain { No, Yes };

// What one evaluation concluded. `value` is the newest real datapoint considered (if any).
struct Evaluation {
  AlarmState state = AlarmState::InsufficientData;
  std::optional<double> value;
  std::string reason;
  std::optional<Time> value_time;
  std::optional<Time> marker;  // kind-specific memory kept by the store (see rules/kinds.hpp)
};

// CloudWatch renders numbers in reasons with at least one decimal: 1250000.0, 0.5, 1.0E7 is not used.
std::string format_number(double v);

}  // namespace bw
