#include "rules/alarm.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "rules/reason_text.hpp"

namespace bw {

std::string_view to_string(AlarmState s) {
  switch (s) {
    case AlarmState::Ok: return "OK";
    case AlarmState::Alarm: return "ALARM";
    case AlarmState::InsufficientData: return "INSUFFICIENT_DATA";
    case AlarmState::Drained: return "DRAINED";
  }
  return "INSUFFICIENT_DATA";
}

std::optional<AlarmState> parse_alarm_state(std::string_view s) {
  if (s == "OK") return AlarmState::Ok;
  if (s == "ALARM") return AlarmState::Alarm;
  if (s == "INSUFFICIENT_DATA") return AlarmState::InsufficientData;
  if (s == "DRAINED") return AlarmState::Drained;
  return std::nullopt;
}

std::string_view to_string(TreatMissing t) {
  switch (t) {
    case TreatMissing::Missing: return "missing";
    case TreatMissing::Ignore: return "ignore";
    case TreatMissing::Breaching: return "breaching";
    case TreatMissing::NotBreaching: return "notBreaching";
  }
  return "missing";
}

std::optional<TreatMissing> parse_treat_missing(std::string_view s) {
  if (s == "missing") return TreatMissing::Missing;
  if (s == "ignore") return TreatMissing::Ignore;
  if (s == "breaching") return TreatMissing::Breaching;
  if (s == "notBreaching") return TreatMissing::NotBreaching;
  return std::nullopt;
}

std::optional<Comparison> parse_comparison(std::string_view s) {
  if (s == ">" || s == "GreaterThanThreshold") return Comparison::Greater;
  if (s == ">=" || s == "GreaterThanOrEqualToThreshold") return Comparison::GreaterOrEqual;
  if (s == "<" || s == "LessThanThreshold") return Comparison::Less;
  if (s == "<=" || s == "LessThanOrEqualToThreshold") return Comparison::LessOrEqual;
  return std::nullopt;
}

std::string_view cloudwatch_name(Comparison c) {
  switch (c) {
    case Comparison::Greater: return "GreaterThanThreshold";
    case Comparison::GreaterOrEqual: return "GreaterThanOrEqualToThreshold";
    case Comparison::Less: return "LessThanThreshold";
    case Comparison::LessOrEqual: return "LessThanOrEqualToThreshold";
  }
  return "GreaterThanThreshold";
}

std::string_view symbol(Comparison c) {
  switch (c) {
    case Comparison::Greater: return ">";
    case Comparison::GreaterOrEqual: return ">=";
    case Comparison::Less: return "<";
    case Comparison::LessOrEqual: return "<=";
  }
  return ">";
}

std::string_view phrase(Comparison c) {
  switch (c) {
    case Comparison::Greater: return "greater than";
    case Comparison::GreaterOrEqual: return "greater than or equal to";
    case Comparison::Less: return "less than";
    case Comparison::LessOrEqual: return "less than or equal to";
  }
  return "greater than";
}

bool breaches(Comparison c, double value, double threshold) {
  switch (c) {
    case Comparison::Greater: return value > threshold;
    case Comparison::GreaterOrEqual: return value >= threshold;
    case Comparison::Less: return value < threshold;
    case Comparison::LessOrEqual: return value <= threshold;
  }
  return false;
}

void append_number(std::string& out, double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    fmt::format_to(std::back_inserter(out), "{:.1f}", v);
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

std::string format_number(double v) {
  std::string out;
  append_number(out, v);
  return out;
}

}  // namespace bw
