// cost: what the tokens being processed cost, against a budget.
//
// in  = mean of the real datapoints of the input tokens-per-minute window (all slots given; the caller
//       sizes it to the smoothing it wants). No input datapoint -> INSUFFICIENT_DATA.
// out = the same for output tokens; no output datapoint counts as 0, since a model may legitimately
//       emit nothing for a while and input alone already costs money.
// USD/hour = (in x input_per_million + out x output_per_million) / 1e6 x 60 x (1 - batch_discount).
// USD/day (projected) = USD/hour x 24: the current burn rate held for a day, the figure a budget owner
// compares against, not a calendar-day total (that would need a clock and a running sum).
// ALARM iff (per_hour set and USD/hour > per_hour) or (per_day set and USD/day > per_day); spending
// exactly the budget is within it. No budget set -> OK (the rule is then only a cost readout).
// value = projected USD/day, so `once` output and the store show it.
// Reason: "Burn rate $4.41/h at batch prices (50% off; input 1.25M tok/min, output 300k
// tok/min), projected $105.84/day, over the budget of $20.00/day".
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>

#include "rules/human.hpp"
#include "rules/kinds.hpp"

namespace bw {

namespace {

std::optional<double> mean_of(const std::vector<Slot>& w) {
  double sum = 0;
  std::size_t n = 0;
  for (const auto& s : w) {
    if (!s.value) continue;
    sum += *s.value;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::optional<Time> newest_time(const std::vector<Slot>& w) {
  for (auto it = w.rbegin(); it != w.rend(); ++it)
    if (it->value) return it->start;
  return std::nullopt;
}

}  // namespace

Evaluation evaluate_cost(const CostSpec& spec, const Price& price, const std::vector<Slot>& input_tpm,
                         const std::vector<Slot>& output_tpm) {
  Evaluation ev;
  const auto in = mean_of(input_tpm);
  if (!in) {
    ev.state = AlarmState::InsufficientData;
    ev.reason = fmt::format("No input token datapoints in the last {} periods", input_tpm.size());
    return ev;
  }
  const auto out_mean = mean_of(output_tpm);
  const double out = out_mean.value_or(0.0);
  const double per_hour =
      (*in * price.input_per_million + out * price.output_per_million) / 1e6 * 60 * (1 - price.batch_discount);
  const double per_day = per_hour * 24;
  ev.value = per_day;
  ev.value_time = newest_time(input_tpm);

  std::string prices = price.batch_discount > 0
                           ? fmt::format("at batch prices ({} off; ", format_percent(price.batch_discount))
                           : std::string{"at on-demand prices ("};
  std::string reason = fmt::format(
      "Burn rate {}/h {}input {} tok/min, output {}), projected {}/day", format_money(per_hour), prices, format_count(*in),
      out_mean ? format_count(out) + " tok/min" : std::string{"no datapoints, counted as 0"}, format_money(per_day));

  std::vector<std::string> over, within;
  if (spec.per_hour) (per_hour > *spec.per_hour ? over : within).push_back(format_money(*spec.per_hour) + "/h");
  if (spec.per_day) (per_day > *spec.per_day ? over : within).push_back(format_money(*spec.per_day) + "/day");
  const auto list = [](const std::vector<std::string>& v) {
    return fmt::format("the budget{} of {}", v.size() == 1 ? "" : "s", fmt::join(v, " and "));
  };
  if (!over.empty()) {
    ev.state = AlarmState::Alarm;
    ev.reason = reason + ", over " + list(over);
  } else {
    ev.state = AlarmState::Ok;
    ev.reason = reason + (within.empty() ? std::string{"; no budget set"} : ", within " + list(within));
  }
  return ev;
}

}  // namespace bw
